// The spelling an event's addresses and observables are stored in: the one inspect and enrich
// give (src/observables/), so a value pasted into an investigation or a search finds the events
// however the sensor wrote it — Suricata writes IPv6 addresses with every group in full, attack
// URLs carry raw braces and quotes, other integrators send upper-case digests. `raw` keeps what
// the sensor wrote. A value that is not valid for its kind is kept as it came, as enrich keeps it.
import { normalizeDomain } from '../observables/domain.js';
import { normalizeIPv6 } from '../observables/ipv6.js';
import { normalizeUrl } from '../observables/url.js';
import type { EventObservables } from './event.js';

/** An address the schema took: IPv4 is already in its one spelling, IPv6 becomes RFC 5952's. */
export function canonicalAddress(ip: string): string {
  return ip.includes(':') ? (normalizeIPv6(ip) ?? ip) : ip;
}

// What normalizeDomain would give back unchanged (or refuse, which keeps the value too): the
// common case, told by one pattern instead of the whole check.
const PLAIN_NAME = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/;
const UPPER_HEX = /[A-F]/;
const HEX = /^[0-9a-fA-F]+$/;

function canonical(kind: keyof EventObservables, v: string): string {
  switch (kind) {
    case 'domain':
      return PLAIN_NAME.test(v) ? v : (normalizeDomain(v) ?? v);
    case 'url':
      return normalizeUrl(v) ?? v;
    case 'md5':
    case 'sha1':
    case 'sha256':
      return UPPER_HEX.test(v) && HEX.test(v) ? v.toLowerCase() : v;
    case 'email': {
      // The local part as written (RFC 5321 makes it case-sensitive, and inspect keeps it).
      const at = v.lastIndexOf('@');
      const domain = at > 0 ? v.slice(at + 1) : '';
      if (domain === '' || PLAIN_NAME.test(domain)) return v;
      const d = normalizeDomain(domain);
      return d === null ? v : `${v.slice(0, at)}@${d}`;
    }
    default:
      return v;
  }
}

/** The observables in their stored spelling; the same object when nothing changes. A list whose
 * values become equal keeps one of each. */
export function canonicalObservables(o: EventObservables): EventObservables {
  let out: EventObservables | undefined;
  for (const kind of Object.keys(o) as (keyof EventObservables)[]) {
    const list = o[kind];
    if (list === undefined) continue;
    let changed: string[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const v = list[i]!;
      const c = canonical(kind, v);
      if (c !== v) (changed ??= list.slice())[i] = c;
    }
    if (changed !== undefined) (out ??= { ...o })[kind] = [...new Set(changed)];
  }
  return out ?? o;
}
