// MISP feed events (`<uuid>.json`, each {"Event":{…}}): the attributes, top-level and inside
// objects, of the types threatlink has observables for. Composite types (`domain|ip`,
// `filename|sha256`, `ip-dst|port`) give one observable per known half.
import { typeFromName, typedObservable, type FeedIndicator } from '../indicator.js';
import type { ParseResult } from './result.js';

interface MispAttribute { type?: unknown; value?: unknown; to_ids?: unknown; deleted?: unknown }
interface MispEvent {
  info?: unknown;
  Attribute?: MispAttribute[];
  Object?: Array<{ Attribute?: MispAttribute[]; deleted?: unknown }>;
}

/** MISP writes flags as booleans in feeds and as "0"/"1" in some exports. */
const flag = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 'true';

function attributes(e: MispEvent): MispAttribute[] {
  const objects = Array.isArray(e.Object) ? e.Object.filter((o) => !flag(o?.deleted)) : [];
  return [...(Array.isArray(e.Attribute) ? e.Attribute : []), ...objects.flatMap((o) => (Array.isArray(o.Attribute) ? o.Attribute : []))];
}

export function parseMispEvent(text: string, toIdsOnly: boolean, out: ParseResult): void {
  const doc = JSON.parse(text) as { Event?: MispEvent };
  const e = doc?.Event;
  if (!e || typeof e !== 'object') throw new Error('not a MISP event: no "Event" object');
  const reason = typeof e.info === 'string' && e.info !== '' ? e.info : undefined;
  for (const a of attributes(e)) {
    if (typeof a?.type !== 'string' || typeof a.value !== 'string' || flag(a.deleted)) continue;
    if (toIdsOnly && !flag(a.to_ids)) continue;
    const types = a.type.split('|');
    const values = types.length > 1 ? a.value.split('|') : [a.value];
    let used = false;
    types.forEach((name, i) => {
      const t = typeFromName(name);
      const v = values[i];
      if (t === null || v === undefined) return;
      const o = typedObservable(t, v);
      if (o === null) return;
      used = true;
      const ind: FeedIndicator = reason ? { ...o, reason } : o;
      out.indicators.push(ind);
    });
    if (!used) out.skipped++;
  }
}

/** Every event file of a fetched feed (the manifest itself only lists them). */
export function parseMisp(files: Record<string, string>, toIdsOnly: boolean): ParseResult {
  const out: ParseResult = { indicators: [], skipped: 0 };
  for (const [name, text] of Object.entries(files)) {
    if (name === MANIFEST) continue;
    try {
      parseMispEvent(text, toIdsOnly, out);
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message}`);
    }
  }
  return out;
}

export const MANIFEST = 'manifest.json';
