// The connector's local REST API on 127.0.0.1:<connector_port>, the paths SSEConnector serves
// (interfaces.md §1), so `curl localhost:8989/v1/contexts/default` shows what the note expects.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Connector } from './connector.js';
import { parseFormBody } from './form-body.js';
import { stableError } from '../fastify-error.js';

const activationSchema = {
  body: { type: 'object', required: ['token'], properties: { token: { type: 'string', minLength: 1, maxLength: 1024 } } },
};

export async function startLocalApi(c: Connector, port: number, host = '127.0.0.1'): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseFormBody(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  // The stable codes the README promises, never Fastify's FST_ERR_… (see fastify-error.ts).
  // The message stays: this API answers only on the host itself, to its operator.
  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    const { status, code } = stableError(err);
    // Fastify's own text, "Unsupported Media Type", names neither what came nor what would do.
    const message = status === 415
      ? `content-type ${req.headers['content-type'] ?? '(none)'} is not application/json or application/x-www-form-urlencoded`
      : err.message;
    return reply.code(status).send({ error: code, message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url}` }));

  app.get('/v1/contexts', async () => ({ contexts: c.hasContext() ? [{ name: 'default', status: c.registrationState() }] : [], health: 'ok' }));
  app.post('/v1/contexts/', async (req, reply) => {
    const body = (req.body ?? {}) as { clientInfo?: Record<string, unknown>; settings?: { exchange?: { fqdn?: string; registration?: { refreshInterval?: number } } } };
    if (c.hasContext()) return reply.code(409).send({ error: 'conflict', message: 'context default exists; DELETE /v1/contexts/default first' });
    c.createContext(body.settings?.exchange?.fqdn, body.settings?.exchange?.registration?.refreshInterval, body.clientInfo);
    return reply.code(201).send(c.snapshot());
  });
  app.post('/v1/contexts', async (_req, reply) => reply.code(308).header('location', '/v1/contexts/').send());
  app.get('/v1/contexts/default', async () => c.snapshot());
  app.get('/v1/contexts/default/status', async () => ({ status: c.registrationState() }));
  app.get('/v1/contexts/default/tenant', async (_req, reply) => {
    const t = c.tenant();
    if (!t) return reply.code(404).send({ error: 'not_registered', message: 'the connector is not registered: POST /v1/contexts/default/activations {"token": …}' });
    return t;
  });
  app.post('/v1/contexts/default/activations', { schema: activationSchema }, async (req, reply) => {
    const { token } = req.body as { token: string };
    try {
      await c.activate(token);
    } catch (e) {
      const err = e as Error & { code?: string };
      const status = err.code === 'already_enrolled' ? 409 : err.code === 'no_exchange' ? 400 : 422;
      return reply.code(status).send({ error: err.code ?? 'activation_failed', message: err.message, status: c.registrationState() });
    }
    return reply.code(201).send({ status: c.registrationState(), device_id: c.snapshot().registration.device_id });
  });
  app.delete('/v1/contexts/default', async (_req, reply) => {
    await c.deleteContext();
    return reply.code(204).send();
  });
  app.post('/v1/action', async (req, reply) => {
    const { type } = req.query as { type?: string };
    if (type === 'shutdown') {
      setImmediate(() => void c.shutdown('local API shutdown action'));
      return reply.code(202).send({ action: 'shutdown', status: 'accepted' });
    }
    if (type === 'reset') {
      await c.reset();
      return { action: 'reset', status: c.registrationState() };
    }
    return reply.code(400).send({ error: 'bad_request', message: `type: ${JSON.stringify(type ?? null)} is not one of shutdown, reset` });
  });
  await app.listen({ host, port });
  return app;
}
