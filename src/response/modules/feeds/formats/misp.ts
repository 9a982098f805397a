// MISP feed events (`<uuid>.json`, each {"Event":{…}}): the attributes, top-level and inside
// objects, of the types threatlink has observables for. Composite types (`domain|ip`,
// `ip-dst|port`) give one observable per known half; a `filename|<hash>`'s name only names the
// file the hash identifies: as an indicator of its own, `invoice.doc` would mark every file so called.
import { typeFromName, typedObservable, whyNot, type FeedIndicator } from '../indicator.js';
import { emptyResult, skip, type ParseResult } from './result.js';
import { parseJson } from './json.js';

interface MispAttribute { uuid?: unknown; type?: unknown; value?: unknown; to_ids?: unknown; deleted?: unknown }
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

/** `name`: the event's file, to say where a skipped attribute is. */
export function parseMispEvent(text: string, toIdsOnly: boolean, out: ParseResult, name = 'event'): void {
  const doc = parseJson(text, 'the event') as { Event?: MispEvent };
  const e = doc?.Event;
  if (!e || typeof e !== 'object') throw new Error('not a MISP event: no "Event" object');
  const reason = typeof e.info === 'string' && e.info !== '' ? e.info : undefined;
  attributes(e).forEach((a, n) => {
    if (typeof a?.type !== 'string' || typeof a.value !== 'string' || flag(a.deleted)) return;
    if (toIdsOnly && !flag(a.to_ids)) return;
    const types = a.type.split('|');
    const values = types.length > 1 ? a.value.split('|') : [a.value];
    let used = false;
    const why: string[] = [];
    types.forEach((typeName, i) => {
      const t = typeFromName(typeName);
      const v = values[i];
      if (types.length > 1 && typeName === 'filename') {
        why.push('a file name beside its hash is not an indicator of its own');
        return;
      }
      if (t === null || v === undefined) {
        // The other half of a composite (`ip-dst|port`'s port) is no loss when one half is used.
        why.push(`type ${typeName} is not one feeds match`);
        return;
      }
      const o = typedObservable(t, v);
      if (o === null) {
        why.push(whyNot(t, v));
        return;
      }
      used = true;
      const ind: FeedIndicator = reason ? { ...o, reason } : o;
      out.indicators.push(ind);
    });
    if (!used) skip(out, `${name} attribute ${typeof a.uuid === 'string' ? a.uuid : `#${n + 1}`}`, `${a.type} ${a.value}`, why.join('; '));
  });
}

/** Every event file of a fetched feed (the manifest itself only lists them). */
export function parseMisp(files: Record<string, string>, toIdsOnly: boolean): ParseResult {
  const out = emptyResult();
  for (const [name, text] of Object.entries(files)) {
    if (name === MANIFEST) continue;
    try {
      parseMispEvent(text, toIdsOnly, out, name);
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message}`);
    }
  }
  return out;
}

export const MANIFEST = 'manifest.json';
