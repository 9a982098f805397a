// POST /ctia/bundle/import: a CTIM bundle written as CTIA's bulk writes, except that an entity
// whose external id the org already has is not written again but "exists" (so a feed can be
// imported every hour), and relationships to it by transient id point at the one that exists.
// ?external-key-prefixes=a-,b- narrows which external ids count. The answer is one result per
// entity: {id, original_id, result: created|exists|error, type, external_ids, error}.
import type { FastifyInstance } from 'fastify';
import type { SchemaObject } from 'ajv';
import type { ResponseContext } from '../../context.js';
import { requireRole, principal } from '../../../exchange/api/auth-hook.js';
import { ApiError } from '../../../exchange/api/errors.js';
import { MAX_LIMIT, type CtiaEntityType, type CtiaStore } from '../../store/ctia-types.js';
import { entityLists, notAList, realizeBulk, typeOfBulkKey, writeBulk, type BulkItem } from './bulk-create.js';
import { writerOf } from './crud.js';
import { listParams } from './paging.js';
import { check, isObject } from './validate.js';
import * as s from './schemas.js';

/** The bundle's own fields (CTIM NewBundle: a source is required). */
const bundleSchema: SchemaObject = {
  type: 'object',
  required: ['source'],
  additionalProperties: false,
  properties: { ...s.baseProperties, type: { enum: ['bundle'] }, valid_time: s.validTime },
};

/** In a CTIM bundle but not entities to import: verdicts are computed from judgements, and
 * `…_refs` only point at entities. CTIA leaves them out of an import too. */
function leftAlone(key: string): boolean {
  return key === 'verdicts' || key.endsWith('_refs');
}

/** Lookups of external ids per statement: each is a scan of the org's entities of a type. */
const EXTERNAL_ID_CHUNK = 500;

/** The external ids that identify the entity: all of them, or those with one of the prefixes. */
function externalIdsOf(doc: Record<string, unknown>, prefixes: string[] | null): string[] {
  const all = Array.isArray(doc.external_ids) ? (doc.external_ids as string[]) : [];
  return prefixes ? all.filter((x) => prefixes.some((p) => x.startsWith(p))) : all;
}

/** The org's entity per external id, for each of these (the newest, when several have it). */
async function existing(store: CtiaStore, orgId: string, type: CtiaEntityType, externalIds: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const uniq = [...new Set(externalIds)];
  for (let i = 0; i < uniq.length; i += EXTERNAL_ID_CHUNK) {
    const chunk = uniq.slice(i, i + EXTERNAL_ID_CHUNK);
    const wanted = new Set(chunk);
    for (let offset = 0; ; offset += MAX_LIMIT) {
      const page = await store.byExternalIds(orgId, type, chunk, { limit: MAX_LIMIT, offset });
      for (const doc of page.data) {
        for (const x of externalIdsOf(doc as unknown as Record<string, unknown>, null)) if (wanted.has(x) && !found.has(x)) found.set(x, doc.id);
      }
      if (offset + MAX_LIMIT >= page.total) break;
    }
  }
  return found;
}

interface ImportResult {
  id?: string;
  original_id?: string;
  result: 'created' | 'exists' | 'error';
  type: CtiaEntityType;
  external_ids?: string[];
  error?: string;
}

export async function bundleImportRoutes(app: FastifyInstance, rc: ResponseContext): Promise<void> {
  const analyst = requireRole(rc.exchange, 'analyst');

  app.post('/ctia/bundle/import', { preValidation: analyst }, async (req) => {
    const q = listParams(req);
    for (const k of Object.keys(q)) {
      if (k !== 'external-key-prefixes') throw new ApiError('bad_request', `${k}: not a parameter of bundle import (only external-key-prefixes)`);
    }
    const prefixes = q['external-key-prefixes']?.join(',').split(',').map((p) => p.trim()).filter(Boolean) ?? null;
    if (!isObject(req.body)) throw new ApiError('bad_request', 'bundle: the body must be a JSON object (a CTIM bundle)');
    const own: Record<string, unknown> = {};
    const lists: Array<[string, unknown]> = [];
    for (const [key, value] of Object.entries(req.body)) {
      if (typeOfBulkKey(key) && key !== 'casebooks') lists.push([key, value]);
      else if (key === 'casebooks') throw new ApiError('bad_request', 'bundle: casebooks is not a list of a bundle (CTIA keeps casebooks out of CTIM bundles; create them with POST /ctia/bulk)');
      else if (leftAlone(key)) continue;
      else if (key in bundleSchema.properties) own[key] = value;
      else throw notAList(key, 'not a field of a bundle');
    }
    check(bundleSchema, own, 'bundle');
    const items = realizeBulk(entityLists(lists, 'bundle'), writerOf(rc, req));
    const orgId = principal(req).org_id;

    const results: ImportResult[] = items.map((item) => {
      const ext = externalIdsOf(item.doc, prefixes);
      return { result: 'created', type: item.type, ...(item.transient ? { original_id: item.transient } : {}), ...(ext.length ? { external_ids: ext } : {}) };
    });
    // "exists": any of its external ids is one an entity of the org has.
    const tempids: Record<string, string> = {};
    const toWrite: Array<{ item: BulkItem; at: number }> = [];
    const byType = new Map<CtiaEntityType, number[]>();
    items.forEach((item, i) => byType.set(item.type, [...(byType.get(item.type) ?? []), i]));
    for (const [type, at] of byType) {
      const have = await existing(rc.stores.ctia, orgId, type, at.flatMap((i) => results[i]!.external_ids ?? []));
      for (const i of at) {
        const id = (results[i]!.external_ids ?? []).map((x) => have.get(x)).find(Boolean);
        if (id) {
          results[i] = { id, ...results[i]!, result: 'exists' };
          if (items[i]!.transient) tempids[items[i]!.transient!] = id;
        }
      }
    }
    items.forEach((item, i) => { if (results[i]!.result !== 'exists') toWrite.push({ item, at: i }); });
    const { refs } = await writeBulk(rc.stores.ctia, orgId, toWrite.map((x) => x.item), tempids);
    toWrite.forEach(({ at }, j) => {
      const ref = refs[j]!;
      results[at] = typeof ref === 'string' ? { id: ref, ...results[at]!, result: 'created' } : { ...results[at]!, result: 'error', error: ref.error };
    });
    return { results };
  });
}
