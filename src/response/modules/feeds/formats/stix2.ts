// STIX 2.1 bundles (or any object with an `objects` list, as TAXII envelopes are): indicators
// with a STIX pattern, each within its valid_from/valid_until window, latest version wins.
import type { ObservableType } from '../../../../observables/index.js';
import { detectObservable, typedObservable, whyNot, type FeedIndicator } from '../indicator.js';
import { patternTerms, type PathKind } from './stix-pattern.js';
import { emptyResult, skip, type ParseResult } from './result.js';
import { parseJson } from './json.js';

interface StixIndicator {
  type?: unknown; id?: unknown; modified?: unknown; name?: unknown; pattern?: unknown; pattern_type?: unknown;
  valid_from?: unknown; valid_until?: unknown; revoked?: unknown;
}

const HASHES: Record<string, ObservableType> = { md5: 'md5', 'sha-1': 'sha1', sha1: 'sha1', 'sha-256': 'sha256', sha256: 'sha256' };

/** The observable type an object path names; null for paths that are not one value. */
function pathType(path: string): ObservableType | 'detect' | null {
  const p = path.replace(/'/g, '').toLowerCase();
  switch (p) {
    case 'ipv4-addr:value': return 'ip';
    case 'ipv6-addr:value': return 'ipv6';
    // OpenCTI's Hostname observables (and its older custom type) are names too.
    case 'domain-name:value':
    case 'hostname:value':
    case 'x-opencti-hostname:value': return 'domain';
    case 'url:value': return 'url';
    case 'email-addr:value': return 'email';
    case 'mac-addr:value': return 'mac_address';
    case 'file:name': return 'file_name';
    case 'network-traffic:dst_ref.value':
    case 'network-traffic:src_ref.value': return 'detect';
  }
  const h = /^(?:file|artifact):hashes\.(.+)$/.exec(p);
  return h ? (HASHES[h[1]!] ?? null) : null;
}

/** How a path counts in an AND (stix-pattern.ts): a file's name is no identity beside its hash. */
function pathKind(path: string): PathKind {
  const t = pathType(path);
  return t === null ? 'other' : t === 'file_name' ? 'weak' : 'id';
}

function time(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

function latestIndicators(objects: unknown[]): StixIndicator[] {
  const byId = new Map<string, StixIndicator>();
  const anon: StixIndicator[] = [];
  for (const o of objects as StixIndicator[]) {
    if (o?.type !== 'indicator') continue;
    if (typeof o.id !== 'string') { anon.push(o); continue; }
    const cur = byId.get(o.id);
    if (!cur || (time(o.modified) ?? 0) >= (time(cur.modified) ?? 0)) byId.set(o.id, o);
  }
  return [...byId.values(), ...anon];
}

export function parseStix2(text: string): ParseResult {
  const doc = parseJson(text, 'the bundle');
  const objects = Array.isArray(doc) ? doc : (doc as { objects?: unknown } | null)?.objects;
  if (!Array.isArray(objects)) throw new Error('not a STIX bundle: no "objects" list');
  const out = emptyResult();
  latestIndicators(objects).forEach((ind, n) => {
    const at = typeof ind.id === 'string' ? ind.id : `indicator #${n + 1} (no id)`;
    const pattern = typeof ind.pattern === 'string' ? ind.pattern : '';
    if (ind.revoked === true) return skip(out, at, pattern, 'revoked');
    if (typeof ind.pattern !== 'string') return skip(out, at, '', 'no pattern');
    // STIX 2.0 had no pattern_type; the pattern language was always STIX then.
    if (ind.pattern_type !== undefined && ind.pattern_type !== 'stix') return skip(out, at, pattern, `pattern_type ${String(ind.pattern_type)}: only STIX patterns are read`);
    const terms = patternTerms(ind.pattern, pathKind);
    if (terms === null) return skip(out, at, pattern, 'the pattern does not reduce to "any of these values" (it needs several at once, a qualifier, or a comparison other than = and IN)');
    const validFrom = time(ind.valid_from);
    const validUntil = time(ind.valid_until);
    const reason = typeof ind.name === 'string' && ind.name !== '' ? ind.name : undefined;
    let used = false;
    const why: string[] = [];
    for (const term of terms) {
      const t = pathType(term.path);
      const o = t === null ? null : t === 'detect' ? detectObservable(term.value) : typedObservable(t, term.value);
      if (o === null) {
        why.push(t === null ? `${term.path} is not a property feeds match` : `${term.path}: ${whyNot(t === 'detect' ? undefined : t, term.value)}`);
        continue;
      }
      used = true;
      const fi: FeedIndicator = { ...o };
      if (validFrom !== undefined) fi.validFrom = validFrom;
      if (validUntil !== undefined) fi.validUntil = validUntil;
      if (reason) fi.reason = reason;
      out.indicators.push(fi);
    }
    if (!used) skip(out, at, pattern, why.join('; '));
  });
  return out;
}
