// Which address of an event is "ours": private, loopback, link-local or unique-local space.
import ipaddr from 'ipaddr.js';

const INTERNAL = new Set(['private', 'loopback', 'linkLocal', 'uniqueLocal', 'carrierGradeNat']);

export function isInternal(ip: string | undefined): boolean {
  if (ip === undefined || !ipaddr.isValid(ip)) return false;
  let a = ipaddr.parse(ip);
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
  return INTERNAL.has(a.range());
}

export function ipType(ip: string): 'ip' | 'ipv6' {
  return ip.includes(':') ? 'ipv6' : 'ip';
}
