// POST /api/v1/investigate: free text or observables in; inspect, then observe, deliberate and
// refer across the org's modules at once; a graph and the tables out. The console draws this.
import type { FastifyInstance } from 'fastify';
import type { ResponseContext } from '../context.js';
import type { ResponsePart } from '../part.js';
import type { ObserveData } from '../module.js';
import { inspect } from '../../observables/index.js';
import { requireRole, principal } from '../../exchange/api/auth-hook.js';
import { ApiError } from '../../exchange/api/errors.js';
import { GraphBuilder } from '../investigate/graph.js';
import { observablesOf, observablesSchema } from './iroh/observables-body.js';
import { requestSignal } from './iroh/request-signal.js';

const schema = {
  body: {
    type: 'object',
    minProperties: 1,
    additionalProperties: false,
    properties: { content: { type: 'string', maxLength: 8 * 1024 * 1024 }, observables: observablesSchema },
  },
};

async function investigateRoutes(app: FastifyInstance, rc: ResponseContext): Promise<void> {
  app.post('/api/v1/investigate', { preValidation: requireRole(rc.exchange, 'read-only'), schema }, async (req, reply) => {
    const orgId = principal(req).org_id;
    const b = req.body as { content?: string; observables?: unknown };
    if (b.content !== undefined && b.observables !== undefined) throw new ApiError('bad_request', 'give "content" or "observables", not both');
    const obs = b.observables !== undefined ? observablesOf(b.observables) : inspect(b.content ?? '');
    const signal = requestSignal(reply);
    const mods = await rc.modules.modules(orgId);
    const [observe, deliberate, refer] = await Promise.all([
      rc.fanout.run('observe', mods, obs, orgId, signal),
      rc.fanout.run('deliberate', mods, obs, orgId, signal),
      rc.fanout.run('refer', mods, obs, orgId, signal),
    ]);
    const g = new GraphBuilder(obs);
    for (const a of [...observe.answers, ...deliberate.answers]) g.add(a.ref, a.data as ObserveData);
    return {
      observables: obs,
      graph: g.graph(),
      tables: {
        observables: g.rows(),
        sightings: g.sightings,
        judgements: g.judgements,
        verdicts: g.verdicts,
        refer: refer.answers.map((a) => ({ ...(a.data as object), ...a.ref })),
      },
      errors: [...observe.errors.map((e) => ({ ...e, verb: 'observe' })), ...deliberate.errors.map((e) => ({ ...e, verb: 'deliberate' })), ...refer.errors.map((e) => ({ ...e, verb: 'refer' }))],
    };
  });
}

export const investigatePart: ResponsePart = { name: 'investigate', routes: investigateRoutes };
