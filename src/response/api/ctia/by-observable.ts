// GET /ctia/{observable_type}/{observable_value}/{verdict,judgements,sightings}: what the org
// has stored about one observable. The verdict is computed from the org's judgements by the
// CTIM rule (src/ctim/verdict.ts), never stored, so it follows each new judgement at once.
// A value with a slash (a URL) goes URL-encoded in its path segment.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ResponseContext } from '../../context.js';
import type { CtimObservable, Judgement } from '../../../ctim/index.js';
import { verdictOf } from '../../../ctim/index.js';
import { requireRole, principal } from '../../../exchange/api/auth-hook.js';
import { ApiError } from '../../../exchange/api/errors.js';
import { MAX_LIMIT } from '../../store/ctia-types.js';
import { pageOf, params, sendPage } from './paging.js';

/** Judgements read for one verdict, at most: beyond that the observable is an outlier. */
const MAX_VERDICT_JUDGEMENTS = 50_000;

function observableOf(req: FastifyRequest): CtimObservable {
  const { otype, ovalue } = req.params as { otype: string; ovalue: string };
  if (!otype || !ovalue?.trim()) throw new ApiError('bad_request', 'observable: give /ctia/{type}/{value}/…, both non-empty');
  return { type: otype, value: ovalue };
}

export async function byObservableRoutes(app: FastifyInstance, rc: ResponseContext): Promise<void> {
  const reader = requireRole(rc.exchange, 'read-only');

  app.get('/ctia/:otype/:ovalue/verdict', { preValidation: reader }, async (req) => {
    const obs = observableOf(req);
    const orgId = principal(req).org_id;
    const judgements: Judgement[] = [];
    for (let offset = 0; offset < MAX_VERDICT_JUDGEMENTS; offset += MAX_LIMIT) {
      const page = await rc.stores.ctia.byObservable(orgId, 'judgement', obs, { limit: MAX_LIMIT, offset });
      judgements.push(...page.data);
      if (offset + MAX_LIMIT >= page.total) break;
    }
    const v = verdictOf(judgements);
    if (!v) throw new ApiError('not_found', `no judgement of ${obs.type} ${obs.value} in this org is valid now`);
    return { ...v, observable: obs };
  });

  for (const kind of ['judgements', 'sightings'] as const) {
    const type = kind === 'judgements' ? 'judgement' : 'sighting';
    app.get(`/ctia/:otype/:ovalue/${kind}`, { preValidation: reader }, async (req, reply) => {
      const obs = observableOf(req);
      const p = params(req);
      const page = pageOf(p);
      return sendPage(reply, p, page, await rc.stores.ctia.byObservable(principal(req).org_id, type, obs, page));
    });
  }
}
