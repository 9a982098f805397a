// CIDR ranges a feed lists (Spamhaus DROP, a MISP `ip-dst` of `198.18.0.0/15`, a STIX
// `ipv4-addr:value` range) and which of them hold an address. Ranges are kept by prefix length:
// a lookup masks the address once per length in use (a few dozen at most) with one Map get
// each, so a feed of a hundred thousand ranges costs an event no more than a feed of ten.
import ipaddr from 'ipaddr.js';
import { normalizeIPv4 } from '../../../observables/index.js';

export type Cidr = { family: 4; prefix: number; net: number } | { family: 6; prefix: number; net: bigint };

/**
 * The widest range a feed may list. A `/0` or `/4` in a blocklist is a mistake, and taken at
 * its word it would give every address a verdict; DROP's widest ranges are far narrower.
 */
export const MIN_PREFIX = { 4: 8, 6: 16 } as const;

function v4Number(ip: string): number {
  const p = ip.split('.');
  return ((Number(p[0]) << 24) | (Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3])) >>> 0;
}

function v6Number(ip: string): bigint | null {
  if (!ipaddr.IPv6.isValid(ip)) return null;
  let n = 0n;
  for (const part of ipaddr.IPv6.parse(ip).parts) n = (n << 16n) | BigInt(part);
  return n;
}

// `0xffffffff << 32` is not 0 in JavaScript (shift counts are taken mod 32): /0 is its own case.
const mask4 = (n: number, prefix: number): number => (prefix === 0 ? 0 : (n & (0xffffffff << (32 - prefix))) >>> 0);
const mask6 = (n: bigint, prefix: number): bigint => (n >> BigInt(128 - prefix)) << BigInt(128 - prefix);

/** `a.b.c.d/n` or `v6/n`, host bits cleared (`192.0.2.7/24` is `192.0.2.0/24`); null otherwise. */
export function parseCidr(s: string): Cidr | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const addr = s.slice(0, slash);
  const len = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(len)) return null;
  const prefix = Number(len);
  if (normalizeIPv4(addr) !== null) return prefix > 32 ? null : { family: 4, prefix, net: mask4(v4Number(addr), prefix) };
  const n = addr.includes(':') ? v6Number(addr.startsWith('[') && addr.endsWith(']') ? addr.slice(1, -1) : addr) : null;
  return n === null || prefix > 128 ? null : { family: 6, prefix, net: mask6(n, prefix) };
}

/** The canonical spelling, as feeds store it: `192.0.2.0/24`, `2001:db8::/32`. */
export function cidrString(c: Cidr): string {
  if (c.family === 4) return `${[24, 16, 8, 0].map((s) => (c.net >>> s) & 255).join('.')}/${c.prefix}`;
  const parts: number[] = [];
  for (let i = 7; i >= 0; i--) parts.push(Number((c.net >> BigInt(i * 16)) & 0xffffn));
  return `${new ipaddr.IPv6(parts).toRFC5952String()}/${c.prefix}`;
}

export class IpRanges<T> {
  private readonly v4 = new Map<number, Map<number, T>>();
  private readonly v6 = new Map<number, Map<bigint, T>>();
  /** Prefix lengths in use, longest first: the most specific range is found first. */
  private lengths4: number[] = [];
  private lengths6: number[] = [];
  size = 0;

  get(c: Cidr): T | undefined {
    return c.family === 4 ? this.v4.get(c.prefix)?.get(c.net) : this.v6.get(c.prefix)?.get(c.net);
  }

  set(c: Cidr, value: T): void {
    const byLen = c.family === 4 ? this.v4 : this.v6;
    let m = byLen.get(c.prefix) as Map<number | bigint, T> | undefined;
    if (!m) {
      byLen.set(c.prefix, (m = new Map()) as never);
      this.relength(c.family);
    }
    if (!m.has(c.net)) this.size++;
    m.set(c.net, value);
  }

  delete(c: Cidr): void {
    const byLen = c.family === 4 ? this.v4 : this.v6;
    const m = byLen.get(c.prefix) as Map<number | bigint, T> | undefined;
    if (!m?.delete(c.net)) return;
    this.size--;
    if (m.size === 0) {
      byLen.delete(c.prefix);
      this.relength(c.family);
    }
  }

  private relength(family: 4 | 6): void {
    const keys = [...(family === 4 ? this.v4 : this.v6).keys()].sort((a, b) => b - a);
    if (family === 4) this.lengths4 = keys;
    else this.lengths6 = keys;
  }

  /** The values of the ranges holding the address (any spelling), most specific first. */
  *holding(ip: string): Generator<T> {
    if (this.size === 0) return;
    if (!ip.includes(':')) {
      if (this.lengths4.length > 0 && normalizeIPv4(ip) !== null) yield* this.holding4(v4Number(ip));
      return;
    }
    const n = v6Number(ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip);
    if (n === null) return;
    for (const len of this.lengths6) {
      const hit = this.v6.get(len)!.get(mask6(n, len));
      if (hit !== undefined) yield hit;
    }
    // `::ffff:192.0.2.1` is an IPv4 address as a dual-stack socket reports it.
    if (n >> 32n === 0xffffn && this.lengths4.length > 0) yield* this.holding4(Number(n & 0xffffffffn));
  }

  private *holding4(n: number): Generator<T> {
    for (const len of this.lengths4) {
      const hit = this.v4.get(len)!.get(mask4(n, len));
      if (hit !== undefined) yield hit;
    }
  }
}
