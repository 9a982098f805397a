// The routes every CTIA entity has (interfaces.md §3): create, read, replace, patch, delete,
// search and count. Generic over EntitySpec: reads need read-only, writes analyst, and the org
// is always the caller's, so another org's entity is simply "not found".
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ResponseContext } from '../../context.js';
import { requireRole, principal } from '../../../exchange/api/auth-hook.js';
import { ApiError } from '../../../exchange/api/errors.js';
import { CtiaIdTaken, type CtiaEntityType } from '../../store/ctia-types.js';
import type { EntitySpec } from './entities.js';
import { realizeNew, realizePatch, realizeReplace, shortIdOf, type Writer } from './realize.js';
import { asBadRequest, pageOf, params, searchOf, sendPage } from './paging.js';

type Doc = Record<string, unknown>;

export function writerOf(rc: ResponseContext, req: FastifyRequest): Writer {
  return { base: rc.baseUrl(), clientId: principal(req).client_id };
}

/** The path's id, short or full (URL-encoded); 404 when it cannot name an entity of this type. */
export function pathId(type: CtiaEntityType, req: FastifyRequest): string {
  const { id } = req.params as { id: string };
  const s = shortIdOf(type, id);
  if (!s) throw new ApiError('not_found', `no ${type} ${id} in this org (ids look like ${type}-<uuid>)`);
  return s;
}

export function notFound(type: CtiaEntityType, id: string): ApiError {
  return new ApiError('not_found', `no ${type} ${id} in this org`);
}

export async function crudRoutes(app: FastifyInstance, rc: ResponseContext, spec: EntitySpec): Promise<void> {
  const reader = requireRole(rc.exchange, 'read-only');
  const analyst = requireRole(rc.exchange, 'analyst');
  const { type } = spec;
  const base = `/ctia/${type}`;
  const store = () => rc.stores.ctia;

  app.post(base, { preValidation: analyst }, async (req, reply) => {
    const doc = realizeNew(spec, req.body, writerOf(rc, req));
    try {
      const saved = await store().create(principal(req).org_id, type, doc as never);
      return reply.code(201).header('location', saved.id).send(saved);
    } catch (err) {
      if (err instanceof CtiaIdTaken) throw new ApiError('conflict', `${type}.id: ${err.id} already exists`);
      throw err;
    }
  });

  app.get(`${base}/search`, { preValidation: reader }, async (req, reply) => {
    const p = params(req);
    const q = searchOf(p);
    const result = await asBadRequest(() => store().search(principal(req).org_id, type, q));
    return sendPage(reply, p, pageOf(p), result);
  });

  app.get(`${base}/search/count`, { preValidation: reader }, async (req) => {
    const q = searchOf(params(req));
    return asBadRequest(() => store().count(principal(req).org_id, type, q));
  });

  app.get(`${base}/:id`, { preValidation: reader }, async (req) => {
    const id = pathId(type, req);
    const doc = await store().get(principal(req).org_id, type, id);
    if (!doc) throw notFound(type, id);
    return doc;
  });

  app.put(`${base}/:id`, { preValidation: analyst }, async (req) => {
    const id = pathId(type, req);
    const w = writerOf(rc, req);
    const doc = await store().edit(principal(req).org_id, type, id, (cur) => realizeReplace(spec, req.body, cur as unknown as Doc, w) as never);
    if (!doc) throw notFound(type, id);
    return doc;
  });

  app.patch(`${base}/:id`, { preValidation: analyst }, async (req) => {
    const id = pathId(type, req);
    const w = writerOf(rc, req);
    const doc = await store().edit(principal(req).org_id, type, id, (cur) => realizePatch(spec, req.body, cur as unknown as Doc, w) as never);
    if (!doc) throw notFound(type, id);
    return doc;
  });

  app.delete(`${base}/:id`, { preValidation: analyst }, async (req, reply) => {
    const id = pathId(type, req);
    if (!(await store().delete(principal(req).org_id, type, id))) throw notFound(type, id);
    return reply.code(204).send();
  });
}
