// POST /ctia/bulk: many entities in one request, answered with their ids per list (or each
// one's error) and the transient ids resolved (`tempids`), as CTIA answers. GET /ctia/bulk:
// entities by ids, per list (?judgements=id&judgements=id&sightings=id). Writing needs what a
// single POST needs (analyst), reading read-only; the org is the caller's, so another org's ids
// are simply not found and left out of the answer, as CTIA leaves out what it cannot read.
import type { FastifyInstance } from 'fastify';
import type { ResponseContext } from '../../context.js';
import { requireRole, principal } from '../../../exchange/api/auth-hook.js';
import { ApiError } from '../../../exchange/api/errors.js';
import { BULK_KEY, entityLists, notAList, realizeBulk, typeOfBulkKey, writeBulk } from './bulk-create.js';
import { writerOf } from './crud.js';
import { listParams } from './paging.js';
import { shortIdOf } from './realize.js';
import { isObject } from './validate.js';

/** POST's query parameters: CTIA's "wait until searchable", which writes here are at once. */
const WRITE_PARAMS = new Set(['wait_for']);

export async function bulkRoutes(app: FastifyInstance, rc: ResponseContext): Promise<void> {
  const reader = requireRole(rc.exchange, 'read-only');
  const analyst = requireRole(rc.exchange, 'analyst');

  app.post('/ctia/bulk', { preValidation: analyst }, async (req, reply) => {
    for (const k of Object.keys(listParams(req))) {
      if (!WRITE_PARAMS.has(k)) throw new ApiError('bad_request', `${k}: not a parameter of bulk (only wait_for)`);
    }
    if (!isObject(req.body)) throw new ApiError('bad_request', 'bulk: the body must be a JSON object of lists ({"judgements": […], "sightings": […]})');
    const entries = Object.entries(req.body);
    for (const [key] of entries) if (!typeOfBulkKey(key)) throw notAList(key, 'not a bulk list');
    const items = realizeBulk(entityLists(entries, 'bulk'), writerOf(rc, req));
    const { refs, tempids } = await writeBulk(rc.stores.ctia, principal(req).org_id, items);
    const out: Record<string, unknown> = {};
    items.forEach((item, i) => {
      const key = BULK_KEY[item.type];
      ((out[key] ??= []) as unknown[]).push(refs[i]);
    });
    if (Object.keys(tempids).length > 0) out.tempids = tempids;
    return reply.code(201).send(out);
  });

  app.get('/ctia/bulk', { preValidation: reader }, async (req) => {
    // No count limit of its own: the ids travel in the URL, which the server's header size
    // (16 KiB) already bounds far below MAX_BULK.
    const asked = Object.entries(listParams(req));
    for (const [key] of asked) if (!typeOfBulkKey(key)) throw notAList(key, 'not a bulk list');
    const orgId = principal(req).org_id;
    const out: Record<string, unknown[]> = {};
    for (const [key, ids] of asked) {
      const type = typeOfBulkKey(key)!;
      const found = await Promise.all(ids.map((id) => {
        const s = shortIdOf(type, id);
        return s ? rc.stores.ctia.get(orgId, type, s) : null;
      }));
      out[key] = found.filter((d) => d !== null);
    }
    return out;
  });
}
