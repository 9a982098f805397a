// A request body → the document the store keeps (CTIA's "realize"): the server's fields (id,
// type, schema_version, timestamp, owner), then the schema, then the entity's defaults. POST,
// PUT and PATCH all end here, so a stored entity is always one that would pass a POST.
import { SCHEMA_VERSION, shortId, storedId } from '../../../ctim/index.js';
import { ApiError } from '../../../exchange/api/errors.js';
import type { CtiaEntityType } from '../../store/ctia-types.js';
import { type EntitySpec, entitySchema } from './entities.js';
import { check, isObject } from './validate.js';

type Doc = Record<string, unknown>;

export interface Writer {
  /** Base of new ids: rc.baseUrl(). */
  base: string;
  /** The API client writing, recorded as owner. */
  clientId: string;
}

/** The short id (`incident-<uuid>`) named by a path or body id, short or full; null when it
 * cannot be an id of this type. */
export function shortIdOf(type: CtiaEntityType, id: string): string | null {
  const s = shortId(id.trim());
  return new RegExp(`^${type}-[A-Za-z0-9_-]{1,128}$`).test(s) ? s : null;
}

function realize(spec: EntitySpec, body: Doc, id: string, w: Writer): Doc {
  if (body.type !== undefined && body.type !== spec.type) {
    throw new ApiError('bad_request', `${spec.type}.type: must be "${spec.type}" (or left out), not ${JSON.stringify(body.type)}`);
  }
  const now = new Date().toISOString();
  const doc: Doc = { ...body, id, type: spec.type, schema_version: SCHEMA_VERSION, owner: w.clientId };
  doc.timestamp ??= now;
  doc.tlp ??= 'green';
  // The store stamps these; accepted in the body only so GET → PUT round-trips.
  delete doc.created;
  delete doc.modified;
  check(entitySchema(spec), doc, spec.type);
  spec.realize?.(doc, now);
  return doc;
}

function bodyObject(spec: EntitySpec, body: unknown): Doc {
  if (!isObject(body)) throw new ApiError('bad_request', `${spec.type}: the body must be a JSON object`);
  return body;
}

/** POST: the server's id, or the caller's when it is a valid id of this type (re-based here). */
export function realizeNew(spec: EntitySpec, body: unknown, w: Writer): Doc {
  const b = bodyObject(spec, body);
  let id = storedId(w.base, spec.type);
  if (b.id !== undefined) {
    const s = typeof b.id === 'string' ? shortIdOf(spec.type, b.id) : null;
    if (!s) throw new ApiError('bad_request', `${spec.type}.id: must be "${spec.type}-<uuid>" or a URL ending in /ctia/${spec.type}/${spec.type}-<uuid> (or left out)`);
    id = storedId(w.base, spec.type, s.slice(spec.type.length + 1));
  }
  return realize(spec, b, id, w);
}

/** PUT: the whole entity again; its id stays. */
export function realizeReplace(spec: EntitySpec, body: unknown, cur: Doc, w: Writer): Doc {
  const b = bodyObject(spec, body);
  const id = String(cur.id);
  if (b.id !== undefined && (typeof b.id !== 'string' || shortIdOf(spec.type, b.id) !== shortId(id))) {
    throw new ApiError('bad_request', `${spec.type}.id: ${JSON.stringify(b.id)} is not the id of the ${spec.type} being replaced (leave it out)`);
  }
  return realize(spec, b, id, w);
}

/** PATCH: the given top-level fields replace the stored ones; a null removes one. */
export function realizePatch(spec: EntitySpec, body: unknown, cur: Doc, w: Writer): Doc {
  const b = bodyObject(spec, body);
  const merged: Doc = { ...cur };
  for (const [k, v] of Object.entries(b)) {
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  return realizeReplace(spec, merged, cur, w);
}
