// The IPv6 spelling every part agrees on, in a module of its own: the connector and the event
// validator need it, and normalize.ts would bring tldts's public-suffix list (~5 MB) along.
import ipaddr from 'ipaddr.js';

/**
 * IPv6 in RFC 5952 form (lower-case, longest zero run compressed). A zone
 * (`%eth0`) and surrounding brackets are dropped. IPv4-mapped addresses keep
 * the dotted tail (`::ffff:192.0.2.1`), as RFC 5952 §5 recommends.
 */
export function normalizeIPv6(input: string): string | null {
  let s = input;
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  if (!s.includes(':') || !ipaddr.IPv6.isValid(s)) return null;
  const a = ipaddr.IPv6.parse(s);
  if (a.isIPv4MappedAddress()) return `::ffff:${a.toIPv4Address().toString()}`;
  return a.toRFC5952String();
}
