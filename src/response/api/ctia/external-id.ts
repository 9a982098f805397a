// GET /ctia/{entity}/external_id/{external_id}: the org's entities of that type carrying the
// external id, a paged list as search answers. Matched exactly, as CTIA's keyword field is: a
// feed's ids may differ only in case. The client sends the id as one path segment (a `/` or
// `:` in it URL-encoded).
import type { FastifyInstance } from 'fastify';
import type { ResponseContext } from '../../context.js';
import { requireRole, principal } from '../../../exchange/api/auth-hook.js';
import { ENTITY_SPECS } from './entities.js';
import { pageOf, params, sendPage } from './paging.js';

export async function externalIdRoutes(app: FastifyInstance, rc: ResponseContext): Promise<void> {
  const reader = requireRole(rc.exchange, 'read-only');
  for (const { type } of ENTITY_SPECS) {
    app.get(`/ctia/${type}/external_id/:external_id`, { preValidation: reader }, async (req, reply) => {
      const { external_id } = req.params as { external_id: string };
      const p = params(req);
      const page = pageOf(p);
      return sendPage(reply, p, page, await rc.stores.ctia.byExternalIds(principal(req).org_id, type, [external_id], page));
    });
  }
}
