// POST /api/v1/investigate: free text or observables in; inspect, then observe, deliberate and
// refer across the org's modules at once; a graph and the tables out. The console draws this.
// With Accept: application/x-ndjson the modules' answers stream as they come (investigate/stream.ts).
import type { FastifyInstance } from 'fastify';
import type { ResponseContext } from '../context.js';
import type { ResponsePart } from '../part.js';
import { inspect } from '../../observables/index.js';
import { requireRole, principal } from '../../exchange/api/auth-hook.js';
import { ApiError } from '../../exchange/api/errors.js';
import { investigate } from '../investigate/run.js';
import { NDJSON, investigationStream } from '../investigate/stream.js';
import { observablesOf, observablesSchema } from './iroh/observables-body.js';
import { requestSignal } from './iroh/request-signal.js';
import { checkObservableCount, observableLimit } from './iroh/observable-limit.js';

const schema = {
  body: {
    type: 'object',
    minProperties: 1,
    additionalProperties: false,
    properties: { content: { type: 'string', maxLength: 8 * 1024 * 1024 }, observables: observablesSchema },
  },
};

async function investigateRoutes(app: FastifyInstance, rc: ResponseContext): Promise<void> {
  const limit = observableLimit(rc, (b) => (b as { observables?: unknown } | null)?.observables);
  app.post('/api/v1/investigate', { preValidation: [requireRole(rc.exchange, 'read-only'), limit], schema }, async (req, reply) => {
    const orgId = principal(req).org_id;
    const b = req.body as { content?: string; observables?: unknown };
    if (b.content !== undefined && b.observables !== undefined) throw new ApiError('bad_request', 'give "content" or "observables", not both');
    const obs = b.observables !== undefined ? observablesOf(b.observables) : inspect(b.content ?? '');
    if (b.observables === undefined) checkObservableCount(rc, obs.length, 'the content holds ');
    const signal = requestSignal(reply);
    const mods = await rc.modules.modules(orgId);
    if ((req.headers.accept ?? '').includes(NDJSON)) {
      return reply.type(NDJSON).header('cache-control', 'no-store').send(investigationStream(rc, mods, obs, orgId, signal));
    }
    return investigate(rc, mods, obs, orgId, signal);
  });
}

export const investigatePart: ResponsePart = { name: 'investigate', routes: investigateRoutes };
