// Enrich (observe, deliberate, refer) and module health: every enabled module of the caller's
// org, in parallel, each under its own deadline; answers beside errors (interfaces.md §3).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ResponseContext } from '../../context.js';
import type { Verb } from '../../enrich/fanout.js';
import { requireRole, principal } from '../../../exchange/api/auth-hook.js';
import { ApiError } from '../../../exchange/api/errors.js';
import { observablesOf, observablesSchema } from './observables-body.js';
import { requestSignal } from './request-signal.js';
import { observableLimit } from './observable-limit.js';

export async function enrichRoutes(app: FastifyInstance, rc: ResponseContext): Promise<void> {
  const reader = requireRole(rc.exchange, 'read-only');
  const limit = observableLimit(rc);

  for (const verb of ['observe', 'deliberate', 'refer'] as const satisfies readonly Verb[]) {
    app.post(`/iroh/iroh-enrich/${verb}/observables`, { preValidation: [reader, limit], schema: { body: observablesSchema } }, async (req, reply) => {
      const orgId = principal(req).org_id;
      const obs = observablesOf(req.body);
      const mods = await rc.modules.modules(orgId);
      const r = await rc.fanout.run(verb, mods, obs, orgId, requestSignal(reply));
      if (verb === 'refer') return { data: r.answers.map((a) => ({ ...(a.data as object), ...a.ref })), errors: r.errors };
      return { data: r.answers.map((a) => ({ ...a.ref, data: a.data })), errors: r.errors };
    });
  }

  const health = async (req: FastifyRequest, reply: FastifyReply, only?: string) => {
    const orgId = principal(req).org_id;
    let mods = await rc.modules.modules(orgId);
    if (only !== undefined) {
      mods = mods.filter((m) => m.instance.id === only);
      if (mods.length === 0) throw new ApiError('not_found', `no enabled module instance ${only} in this org`);
    }
    const data: unknown[] = [];
    const errors: unknown[] = [];
    const signal0 = requestSignal(reply);
    await Promise.all(mods.map(async (m) => {
      const ref = rc.fanout.ref(m);
      if (!m.health) return data.push({ ...ref, data: { status: 'ok' } });
      try {
        data.push({ ...ref, data: await rc.fanout.call(m, signal0, (signal) => m.health!({ orgId, signal })) });
      } catch (err) {
        const e = err as { code?: string; message?: string };
        errors.push({ ...ref, type: 'fatal', code: e.code ?? 'module_error', message: e.message ?? String(err) });
      }
    }));
    return { data, errors };
  };
  app.post('/iroh/iroh-enrich/health', { preValidation: reader }, async (req, reply) => health(req, reply));
  app.post('/iroh/iroh-enrich/health/:id', { preValidation: reader }, async (req, reply) => health(req, reply, (req.params as { id: string }).id));
}
