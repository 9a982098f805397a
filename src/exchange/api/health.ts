import type { FastifyInstance } from 'fastify';
import type { ExchangeContext } from '../context.js';
import { requireRole } from './auth-hook.js';

export async function healthRoutes(app: FastifyInstance, ctx: ExchangeContext, version: string): Promise<void> {
  app.get('/healthz', async (_req, reply) => {
    const base = { version, region: ctx.config.region, connected_devices: ctx.connections.size, ca_fingerprint: ctx.ca.fingerprint, bus: ctx.bus.kind };
    // A node that cannot reach its bus cannot ack a batch: the load balancer should send
    // devices elsewhere. The backlog is what devices were acked for and no writer stored yet.
    try {
      return { status: 'ok', ...base, bus_backlog: await ctx.bus.backlog() };
    } catch (err) {
      return reply.code(503).send({ status: 'unavailable', ...base, reason: `bus: ${(err as Error).message}` });
    }
  });
  // Prometheus scrapes with its oauth2 client-credentials support against /iroh/oauth2/token.
  app.get('/metrics', { preValidation: requireRole(ctx, 'admin') }, async (_req, reply) => {
    return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
}
