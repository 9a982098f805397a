// One observable a feed lists, in the canonical form inspect and the sensors use, so a feed
// value, an enrich request and an event field meet on the same string.
import {
  normalizePublicDomain, normalizeEmail, normalizeHash, normalizeIPv4, normalizeIPv6, normalizeObservable, normalizeUrl,
  refang, type Observable, type ObservableType,
} from '../../../observables/index.js';
import { cidrString, MIN_PREFIX, parseCidr, type Cidr } from './ip-ranges.js';

export interface FeedIndicator {
  type: ObservableType;
  value: string;
  /** Epoch ms; absent: valid since ever / until further notice. */
  validFrom?: number;
  validUntil?: number;
  /** Why the feed lists it (a STIX indicator's name, a MISP event's info). */
  reason?: string;
}

/** A reason longer than this is cut: it is shown beside a verdict, not read as a document. */
const MAX_REASON = 200;

/** A feed entry's reason as a judgement gives it: trimmed to MAX_REASON characters. */
export function reasonText(text: string): string {
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON)}…` : text;
}

/** The lookup key of an observable: `type:value`. */
export function indicatorKey(type: string, value: string): string {
  return `${type}:${value}`;
}

/** Types are kept under one name each: a feed's `hostname` is the `domain` inspect emits. */
export function canonicalType(t: ObservableType): ObservableType {
  return t === 'hostname' ? 'domain' : t;
}

/** Type names feeds use (MISP attribute types, STIX object types, common CSV headings). */
const ALIASES: Record<string, ObservableType> = {
  ip: 'ip', ipv4: 'ip', 'ip-dst': 'ip', 'ip-src': 'ip', 'ipv4-addr': 'ip', ipv6: 'ipv6', 'ipv6-addr': 'ipv6',
  domain: 'domain', hostname: 'domain', 'domain-name': 'domain', fqdn: 'domain', host: 'domain',
  url: 'url', uri: 'url', link: 'url',
  email: 'email', 'email-src': 'email', 'email-dst': 'email', 'email-addr': 'email',
  md5: 'md5', sha1: 'sha1', 'sha-1': 'sha1', sha256: 'sha256', 'sha-256': 'sha256',
  // ThreatFox's ioc_type values.
  'ip:port': 'ip', md5_hash: 'md5', sha1_hash: 'sha1', sha256_hash: 'sha256',
  filename: 'file_name', file_name: 'file_name', 'mac-address': 'mac_address', mac_address: 'mac_address',
};

export function typeFromName(name: string): ObservableType | null {
  return ALIASES[name.trim().toLowerCase()] ?? null;
}

/**
 * An address, or a CIDR range of them (`1.10.16.0/20` from DROP): a range is kept as one
 * indicator that every address inside it matches (ip-ranges.ts). A single-host mask is the
 * address itself; a range wider than MIN_PREFIX is refused.
 */
function ipObservable(raw: string): Observable | null {
  // An endpoint (`45.95.147.236:8080`, `[2001:db8::1]:443`, as ThreatFox lists C2s): its address.
  const v = /^\d{1,3}(?:\.\d{1,3}){3}:\d{1,5}$/.test(raw) ? raw.slice(0, raw.lastIndexOf(':'))
    : /^\[[0-9a-f:.]+\]:\d{1,5}$/i.test(raw) ? raw.slice(1, raw.lastIndexOf(']')) : raw;
  const slash = v.indexOf('/');
  const mask = slash < 0 ? '' : v.slice(slash + 1);
  const ip = mask === '32' || mask === '128' ? v.slice(0, slash) : v;
  if (ip.includes('/')) {
    const c = parseCidr(ip);
    if (c === null || c.prefix < MIN_PREFIX[c.family]) return null;
    return { type: c.family === 4 ? 'ip' : 'ipv6', value: cidrString(c) };
  }
  const v4 = normalizeIPv4(ip);
  if (v4 !== null) return { type: 'ip', value: v4 };
  const v6 = normalizeIPv6(ip);
  return v6 === null ? null : { type: 'ipv6', value: v6 };
}

/** The range an indicator stands for, or null for a single value. */
export function rangeOf(ind: Observable): Cidr | null {
  return (ind.type === 'ip' || ind.type === 'ipv6') && ind.value.includes('/') ? parseCidr(ind.value) : null;
}

/** The value as the given type, or null when it is not one (an IPv6 listed as `ip-dst` is an ipv6). */
export function typedObservable(type: ObservableType, raw: string): Observable | null {
  const v = refang(raw.trim());
  if (type === 'ip' || type === 'ipv6') return ipObservable(v);
  const t = canonicalType(type);
  // MISP events and CSV feeds list many URLs without a scheme (`evil.top/loader.php`): the feed
  // said it is a URL, and http is what such a link opens with.
  const value = normalizeObservable(t, v) ?? (t === 'url' && !v.includes('://') ? normalizeObservable(t, `http://${v}`) : null);
  return value === null ? null : { type: t, value };
}

/** Guesses the type the way inspect would classify the value on its own. */
export function detectObservable(raw: string): Observable | null {
  const v = refang(raw.trim());
  if (v === '') return null;
  if (v.includes('://')) {
    const u = normalizeUrl(v);
    return u === null ? null : { type: 'url', value: u };
  }
  if (/^[0-9.]+(?:\/\d+|:\d+)?$/.test(v) || (v.includes(':') && !v.includes('@'))) return ipObservable(v);
  if (/^[0-9a-f]+$/i.test(v)) {
    const t = v.length === 32 ? 'md5' : v.length === 40 ? 'sha1' : v.length === 64 ? 'sha256' : null;
    const h = t === null ? null : normalizeHash(t, v);
    if (t !== null && h !== null) return { type: t, value: h };
  }
  if (v.includes('@')) {
    const e = normalizeEmail(v);
    return e === null ? null : { type: 'email', value: e };
  }
  // Guessed, a name must end in a public suffix: `198.51.100.7e` or `invoice.pdf` is a typo or a
  // file, not a domain. A feed of internal names says observable_type=domain.
  const d = normalizePublicDomain(v);
  return d === null ? null : { type: 'domain', value: d };
}

/** Why a value gave no observable (typed: as that type), for the feed's skipped entries. */
export function whyNot(type: ObservableType | undefined, raw: string): string {
  const v = refang(raw.trim());
  if (v === '') return 'empty';
  const c = v.includes('/') && (type === undefined || type === 'ip' || type === 'ipv6') ? parseCidr(v) : null;
  if (c !== null) return `a range wider than /${MIN_PREFIX[c.family]}: too broad to be an indicator`;
  return type === undefined ? 'not an address, range, domain (under a public suffix; set observable_type=domain for others), URL, hash or email' : `not a valid ${type}`;
}

/** By the type the feed names when it names one it knows, else by the value's look. */
export function observableOf(typeName: string | undefined, raw: string): Observable | null {
  const t = typeName === undefined ? null : typeFromName(typeName);
  return t === null ? detectObservable(raw) : typedObservable(t, raw);
}
