// API clients of the caller's org. The secret is shown once, at creation, and stored hashed.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ExchangeContext } from '../context.js';
import { ROLES, type Role } from '../store/types.js';
import { hashSecret, randomToken } from '../auth/secrets.js';
import { requireRole, principal } from './auth-hook.js';
import { ApiError } from './errors.js';

const createSchema = {
  body: {
    type: 'object',
    required: ['name'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 200 },
      role: { type: 'string', enum: [...ROLES] },
    },
  },
};

export async function clientRoutes(app: FastifyInstance, ctx: ExchangeContext): Promise<void> {
  const admin = requireRole(ctx, 'admin');
  app.get('/api/v1/clients', { preValidation: admin }, async (req) => {
    return { data: await ctx.stores.clients.list(principal(req).org_id) };
  });
  app.post('/api/v1/clients', { preValidation: admin, schema: createSchema }, async (req, reply) => {
    const body = req.body as { name: string; role?: Role };
    const secret = randomToken(32);
    const client = await ctx.stores.clients.create({
      id: `client-${randomUUID()}`, org_id: principal(req).org_id, name: body.name,
      role: body.role ?? 'read-only', secretHash: await hashSecret(secret),
    });
    return reply.code(201).send({ ...client, client_id: client.id, client_secret: secret });
  });
  app.delete('/api/v1/clients/:id', { preValidation: admin }, async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!(await ctx.stores.clients.delete(principal(req).org_id, id))) {
      throw new ApiError('not_found', `no API client ${id} in this org`);
    }
    return reply.code(204).send();
  });
}
