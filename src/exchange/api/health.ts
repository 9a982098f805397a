import type { FastifyInstance } from 'fastify';
import type { ExchangeContext } from '../context.js';
import { requireRole } from './auth-hook.js';

export async function healthRoutes(app: FastifyInstance, ctx: ExchangeContext, version: string): Promise<void> {
  app.get('/healthz', async () => ({
    status: 'ok', version, region: ctx.config.region, connected_devices: ctx.connections.size,
    ca_fingerprint: ctx.ca.fingerprint,
  }));
  // Prometheus scrapes with its oauth2 client-credentials support against /iroh/oauth2/token.
  app.get('/metrics', { preValidation: requireRole(ctx, 'admin') }, async (_req, reply) => {
    return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
}
