/**
 * Canonical forms of observable values. Each function returns the canonical
 * string, or `null` when the input is not a valid value of that type.
 */
import { parse as parseDomain } from 'tldts';
import type { ObservableType } from './types.js';
import { normalizeIPv6 } from './ipv6.js';
import { normalizeUrl } from './url.js';
import { normalizeDomain } from './domain.js';

export { normalizeDomain, normalizeIPv6, normalizeUrl };

const TLD_OPTS = {
  extractHostname: false,
  detectIp: false,
  validateHostname: false,
  allowPrivateDomains: false,
  mixedInputs: false,
} as const;

/**
 * {@link normalizeDomain}, and only if the name ends in an ICANN public suffix
 * and has a registrable label in front of it (`evil.co.uk` yes, `co.uk` no,
 * `host.local` / `db.internal` / `nas.lan` / `invoice.pdf` no).
 */
export function normalizePublicDomain(input: string): string | null {
  const d = normalizeDomain(input);
  if (d === null) return null;
  const r = parseDomain(d, TLD_OPTS);
  return r.isIcann === true && r.domain !== null ? d : null;
}

/** Does the last label of this (normalized) name exist as an ICANN public suffix? */
export function isPublicSuffix(label: string): boolean {
  const r = parseDomain(`x.${label}`, TLD_OPTS);
  return r.isIcann === true && r.publicSuffix === label;
}

/**
 * Dotted-quad IPv4 in canonical decimal. Leading zeros are rejected rather
 * than guessed at (`010.1.1.1` is octal to some parsers, decimal to others), as
 * are short forms (`10.1`) and other radices.
 */
export function normalizeIPv4(input: string): string | null {
  // Hand-rolled: this runs on every dotted number in the text.
  const n = input.length;
  if (n < 7 || n > 15) return null;
  let parts = 0;
  let digits = 0;
  let value = 0;
  let lead0 = false;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? input.charCodeAt(i) : 46;
    if (c === 46 /* '.' */) {
      if (digits === 0 || value > 255 || (lead0 && digits > 1)) return null;
      parts++;
      digits = 0;
      value = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 0) lead0 = c === 48;
      if (++digits > 3) return null;
      value = value * 10 + (c - 48);
    } else return null;
  }
  return parts === 4 ? input : null;
}

const LOCAL_PART_RE = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/i;

/**
 * `local@domain`: the domain part normalized as a public domain (lower-case,
 * punycode); the local part kept as written (it is case-sensitive by RFC 5321).
 */
export function normalizeEmail(input: string): string | null {
  const at = input.lastIndexOf('@');
  if (at <= 0) return null;
  const local = input.slice(0, at);
  if (local.length > 64 || !LOCAL_PART_RE.test(local)) return null;
  const domain = normalizePublicDomain(input.slice(at + 1));
  return domain === null ? null : `${local}@${domain}`;
}

const HASH_LEN: Partial<Record<ObservableType, number>> = { md5: 32, sha1: 40, sha256: 64 };

/**
 * Hex digest, lower-cased. Rejects all-digit strings and a single repeated
 * character (`000…0`), which are counters and placeholders, not digests.
 */
export function normalizeHash(type: 'md5' | 'sha1' | 'sha256', input: string): string | null {
  if (input.length !== HASH_LEN[type] || !/^[0-9a-f]+$/i.test(input)) return null;
  if (/^[0-9]+$/.test(input)) return null;
  const s = input.toLowerCase();
  const c = s[0];
  let same = true;
  for (let i = 1; i < s.length && same; i++) same = s[i] === c;
  return same ? null : s;
}

/** Which digest a hex string of this length would be. */
export function hashTypeOf(len: number): 'md5' | 'sha1' | 'sha256' | null {
  return len === 32 ? 'md5' : len === 40 ? 'sha1' : len === 64 ? 'sha256' : null;
}

const MAC_RES = [
  /^([0-9a-f]{2})([:-])([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})$/i,
  /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/i,
];

/** `aa:bb:cc:dd:ee:ff` from that form, `AA-BB-…` or Cisco's `aabb.ccdd.eeff`. */
export function normalizeMac(input: string): string | null {
  let hex: string;
  const m1 = MAC_RES[0]!.exec(input);
  if (m1) hex = m1[1]! + m1[3]! + m1[4]! + m1[5]! + m1[6]! + m1[7]!;
  else {
    const m2 = MAC_RES[1]!.exec(input);
    if (!m2) return null;
    hex = m2[1]! + m2[2]! + m2[3]!;
  }
  hex = hex.toLowerCase();
  return hex.replace(/(..)(?!$)/g, '$1:');
}

/** File names are kept as written; only surrounding white space is removed. */
export function normalizeFileName(input: string): string | null {
  const s = input.trim();
  return s.length === 0 || /[/\\\0]/.test(s) ? null : s;
}

/** The canonical value of an observable, or null when it is not valid for its type. */
export function normalizeObservable(type: ObservableType, value: string): string | null {
  switch (type) {
    case 'ip':
      return normalizeIPv4(value.trim());
    case 'ipv6':
      return normalizeIPv6(value.trim());
    case 'domain':
      return normalizeDomain(value.trim());
    case 'hostname':
      return normalizeDomain(value.trim()) ?? (value.trim().toLowerCase() || null);
    case 'url':
      return normalizeUrl(value.trim());
    case 'email':
      return normalizeEmail(value.trim());
    case 'md5':
    case 'sha1':
    case 'sha256':
      return normalizeHash(type, value.trim());
    case 'mac_address':
      return normalizeMac(value.trim());
    case 'file_name':
      return normalizeFileName(value);
    case 'user':
    case 'file_path':
      return value.length > 0 ? value : null;
  }
}
