// Respond: which actions the org's modules offer for the observables, and triggering one.
import type { FastifyInstance } from 'fastify';
import type { ResponseContext } from '../../context.js';
import { requireRole, principal } from '../../../exchange/api/auth-hook.js';
import { ApiError } from '../../../exchange/api/errors.js';
import { observablesOf, observablesSchema } from './observables-body.js';
import { requestSignal } from './request-signal.js';
import { observableLimit } from './observable-limit.js';

export async function respondRoutes(app: FastifyInstance, rc: ResponseContext): Promise<void> {
  app.post('/iroh/iroh-response/respond/observables', {
    preValidation: [requireRole(rc.exchange, 'read-only'), observableLimit(rc)], schema: { body: observablesSchema },
  }, async (req, reply) => {
    const orgId = principal(req).org_id;
    const r = await rc.fanout.run('respond', await rc.modules.modules(orgId), observablesOf(req.body), orgId, requestSignal(reply));
    // `module` is the instance's name, as in CTR (clients match actions on it); the trigger path
    // takes the name or, unambiguous where two instances share a name, module_instance_id.
    return {
      data: r.answers.map((a) => ({ ...(a.data as object), module: a.ref.module, module_name: a.ref.module, module_instance_id: a.ref.module_instance_id, module_type_id: a.ref.module_type_id })),
      errors: r.errors,
    };
  });

  // Its parameters come in the query: a JSON content type with no body (curl -H … -XPOST) is
  // no body here, not a 400. Scoped to this route: elsewhere a body is required.
  await app.register(async (scoped) => triggerRoute(scoped, rc));
}

async function triggerRoute(app: FastifyInstance, rc: ResponseContext): Promise<void> {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (body === '') return done(null, undefined);
    return json(req, body as string, done);
  });
  app.post('/iroh/iroh-response/respond/trigger/:module/:action', {
    preValidation: requireRole(rc.exchange, 'analyst'),
  }, async (req, reply) => {
    const orgId = principal(req).org_id;
    const { module, action } = req.params as { module: string; action: string };
    const query = req.query as Record<string, unknown>;
    const body = (req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body : {}) as Record<string, unknown>;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...body, ...query })) if (typeof v === 'string' || typeof v === 'number') params[k] = String(v);
    if (!params.observable_type || !params.observable_value) {
      throw new ApiError('bad_request', 'trigger needs observable_type and observable_value (query parameters)');
    }
    const mods = await rc.modules.modules(orgId);
    const m = mods.find((x) => x.instance.id === module) ?? mods.find((x) => x.instance.name === module);
    if (!m) throw new ApiError('not_found', `no enabled module instance ${JSON.stringify(module)} in this org`);
    if (!m.trigger) throw new ApiError('bad_request', `module ${m.instance.name} offers no response actions`);
    try {
      const r = await rc.fanout.call(m, requestSignal(reply), (signal) => m.trigger!(action, params, { orgId, signal, clientId: principal(req).client_id }));
      return { data: r };
    } catch (err) {
      const e = err as { code?: string; message?: string };
      const ref = rc.fanout.ref(m);
      return { data: { status: 'failure' }, errors: [{ ...ref, type: 'fatal', code: e.code ?? 'module_error', message: e.message ?? String(err) }] };
    }
  });
}
