// POST /ctia/judgement/{id}/expire?reason=…: the judgement stops counting now. As in CTIA,
// valid_time.end_time becomes now and the reason is appended to the judgement's own after a
// space (so a judgement without one gets " <reason>"); the verdict follows at once, since it is
// computed from the judgements valid now. The body, if any, is ignored (the client sends one).
import type { FastifyInstance } from 'fastify';
import type { ResponseContext } from '../../context.js';
import { requireRole, principal } from '../../../exchange/api/auth-hook.js';
import { ApiError } from '../../../exchange/api/errors.js';
import { ENTITY_SPECS } from './entities.js';
import { notFound, pathId, writerOf } from './crud.js';
import { params } from './paging.js';
import { realizeReplace } from './realize.js';

const spec = ENTITY_SPECS.find((x) => x.type === 'judgement')!;

export async function judgementExpireRoutes(app: FastifyInstance, rc: ResponseContext): Promise<void> {
  const analyst = requireRole(rc.exchange, 'analyst');
  app.post('/ctia/judgement/:id/expire', { preValidation: analyst }, async (req) => {
    const id = pathId('judgement', req);
    const { reason } = params(req);
    if (reason === undefined) throw new ApiError('bad_request', 'reason: give the reason as a query parameter (?reason=…); it is appended to the judgement\'s reason');
    const w = writerOf(rc, req);
    const now = new Date().toISOString();
    const doc = await rc.stores.ctia.edit(principal(req).org_id, 'judgement', id, (cur) => {
      const start = cur.valid_time?.start_time;
      // Ending before it starts would leave a validity no judgement can have.
      if (start && Date.parse(start) >= Date.parse(now)) {
        throw new ApiError('bad_request', `judgement.valid_time: ${id} starts at ${start}, after now, so it cannot end now (DELETE it instead)`);
      }
      const next = { ...cur, valid_time: { ...cur.valid_time, end_time: now }, reason: `${cur.reason ?? ''} ${reason}` };
      return realizeReplace(spec, next, cur as unknown as Record<string, unknown>, w) as never;
    });
    if (!doc) throw notFound('judgement', id);
    return doc;
  });
}
