// Creating many entities in one request, as CTIA's bulk does (and its bundle import after it).
// Every entity is realized before any is written, so a bad field refuses the request whole and
// says where (CTIA checks the bulk body against its schema first, too). Then all but the
// relationships are written, each transient id (`transient:…`) becoming the real id of its
// entity, then the relationships, their transient refs replaced by those ids. What fails only at
// writing (an id the org already has, a ref to no entity of the request) is that entity's error,
// in its place in the answer, and the rest is written: CTIA's bulk is not all-or-nothing.
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../../exchange/api/errors.js';
import { CtiaIdTaken, CTIA_ENTITY_TYPES, type CtiaEntityType, type CtiaStore } from '../../store/ctia-types.js';
import { ENTITY_SPECS } from './entities.js';
import { realizeNew, type Writer } from './realize.js';
import { isObject } from './validate.js';

type Doc = Record<string, unknown>;

/** CTIA's bulk max size (ctia.http.bulk.max-size), for bulk and bundle alike. */
export const MAX_BULK = 2000;

/** Each type's list in a bulk or bundle: CTIA names it by the plural. */
export const BULK_KEY: Record<CtiaEntityType, string> = {
  incident: 'incidents', casebook: 'casebooks', sighting: 'sightings', judgement: 'judgements', indicator: 'indicators', relationship: 'relationships',
};
const TYPE_OF_KEY = new Map(CTIA_ENTITY_TYPES.map((t) => [BULK_KEY[t], t]));

export function typeOfBulkKey(key: string): CtiaEntityType | undefined {
  return TYPE_OF_KEY.get(key);
}

/** CTIA's lists of the entity types threatlink does not keep: refused by name, not as typos. */
const UNSERVED = new Set([
  'actors', 'assets', 'asset_mappings', 'asset_properties', 'attack_patterns', 'campaigns', 'coas', 'data_tables', 'feedbacks',
  'identity_assertions', 'investigations', 'malwares', 'notes', 'target_records', 'tools', 'vulnerabilities', 'weaknesses',
]);

/** The 400 for a key that is not one of our lists; `what` says what it should have been. */
export function notAList(key: string, what: string): ApiError {
  const ours = CTIA_ENTITY_TYPES.map((t) => BULK_KEY[t]).join(', ');
  if (UNSERVED.has(key)) return new ApiError('bad_request', `${key}: not served here (threatlink keeps ${ours})`);
  return new ApiError('bad_request', `${key}: ${what} (the lists are ${ours})`);
}

/** The request's lists in its order, each checked to be a list; refuses more than MAX_BULK. */
export function entityLists(lists: Array<[string, unknown]>, what: string): Array<[CtiaEntityType, unknown[]]> {
  const out: Array<[CtiaEntityType, unknown[]]> = [];
  let n = 0;
  for (const [key, value] of lists) {
    if (!Array.isArray(value)) throw new ApiError('bad_request', `${key}: must be a list of ${key}`);
    out.push([typeOfBulkKey(key)!, value]);
    n += value.length;
  }
  if (n > MAX_BULK) throw new ApiError('bad_request', `${what}: ${n} entities; at most ${MAX_BULK} in one request (send it in parts)`);
  return out;
}

export function isTransientId(id: unknown): id is string {
  return typeof id === 'string' && /^transient:\S+$/.test(id);
}

/** One entity of the request, realized: where it was, the document to store, and the transient
 * id it was given, if any. */
export interface BulkItem {
  type: CtiaEntityType;
  /** `sightings[3]`, for messages. */
  at: string;
  doc: Doc;
  transient?: string;
}

/** Realizes every entity, or throws the first one's error prefixed with where it is. A transient
 * id gets its real id now (the same one each time it is given, so a repeat is a taken id as in
 * CTIA); relationships keep their transient refs until writeBulk knows what they became. */
export function realizeBulk(lists: Array<[CtiaEntityType, unknown[]]>, w: Writer): BulkItem[] {
  const uuids = new Map<string, string>();
  const items: BulkItem[] = [];
  for (const [type, list] of lists) {
    const spec = ENTITY_SPECS.find((x) => x.type === type)!;
    list.forEach((raw, i) => {
      const at = `${BULK_KEY[type]}[${i}]`;
      if (!isObject(raw)) throw new ApiError('bad_request', `${at}: must be an object (a ${type})`);
      const body: Doc = { ...raw };
      const transient = isTransientId(raw.id) ? raw.id : undefined;
      if (transient) {
        if (!uuids.has(transient)) uuids.set(transient, randomUUID());
        body.id = `${type}-${uuids.get(transient)}`;
      }
      try {
        items.push({ type, at, doc: realizeNew(spec, body, w), transient });
      } catch (err) {
        if (err instanceof ApiError) throw new ApiError(err.code, `${at}: ${err.message}`);
        throw err;
      }
    });
  }
  return items;
}

/** An entity's place in the answer: its id, or why it was not written. */
export type BulkRef = string | { error: string; type: 'conflict' | 'realize-entity-error'; id?: string };

/**
 * Writes the items, relationships last; answers their refs in the items' order and the transient
 * ids that became real ones. `tempids` holds ids known beforehand (the bundle import's entities
 * that exist already).
 */
export async function writeBulk(store: CtiaStore, orgId: string, items: BulkItem[], tempids: Record<string, string> = {}): Promise<{ refs: BulkRef[]; tempids: Record<string, string> }> {
  const refs: BulkRef[] = new Array(items.length);
  const made: Record<string, string> = {};
  const write = async (item: BulkItem): Promise<BulkRef> => {
    try {
      const saved = await store.create(orgId, item.type, item.doc as never);
      if (item.transient) made[item.transient] = saved.id;
      return saved.id;
    } catch (err) {
      if (err instanceof CtiaIdTaken) return { error: `${item.at}.id: ${err.id} already exists in this org`, type: 'conflict', id: err.id };
      throw err;
    }
  };
  const order = items.map((x, i) => i);
  for (const i of order.filter((i) => items[i]!.type !== 'relationship')) refs[i] = await write(items[i]!);
  for (const i of order.filter((i) => items[i]!.type === 'relationship')) {
    const item = items[i]!;
    const doc = { ...item.doc };
    let unresolved: BulkRef | undefined;
    for (const field of ['source_ref', 'target_ref'] as const) {
      const ref = doc[field] as string;
      const real = made[ref] ?? tempids[ref];
      if (real) doc[field] = real;
      else if (isTransientId(ref)) unresolved ??= { error: `${item.at}.${field}: ${ref} is not the id of an entity created in this request`, type: 'realize-entity-error' };
    }
    refs[i] = unresolved ?? (await write({ ...item, doc }));
  }
  return { refs, tempids: made };
}
