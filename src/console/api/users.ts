// Console users of the caller's org, for admins: /console/api/users. Through the API's own auth,
// so an admin API client may manage them too.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ExchangeContext } from '../../exchange/context.js';
import { ROLES, UsernameTakenError, type Role } from '../../exchange/store/types.js';
import { hashSecret } from '../../exchange/auth/secrets.js';
import { MIN_PASSWORD } from '../../exchange/bootstrap-user.js';
import { principal, requireRole } from '../../exchange/api/auth-hook.js';
import { ApiError } from '../../exchange/api/errors.js';

const password = { type: 'string', minLength: MIN_PASSWORD, maxLength: 1024 };
const role = { type: 'string', enum: [...ROLES] };

const createSchema = {
  body: {
    type: 'object',
    required: ['username', 'password', 'role'],
    additionalProperties: false,
    properties: { username: { type: 'string', pattern: '^[A-Za-z0-9._@-]{1,64}$' }, password, role },
  },
};

const updateSchema = {
  body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { password, role } },
};

/** An admin may not demote or delete themself: the org would be left with no one to undo it. */
function notSelf(req: FastifyRequest, id: string, what: string): void {
  if (principal(req).user_id === id) throw new ApiError('conflict', `you cannot ${what} yourself; another admin can`);
}

export async function userRoutes(app: FastifyInstance, ctx: ExchangeContext): Promise<void> {
  const admin = requireRole(ctx, 'admin');
  const users = ctx.stores.users;

  app.get('/console/api/users', { preValidation: admin }, async (req) => ({ data: await users.list(principal(req).org_id) }));

  app.post('/console/api/users', { preValidation: admin, schema: createSchema }, async (req, reply) => {
    const b = req.body as { username: string; password: string; role: Role };
    try {
      const user = await users.create({ org_id: principal(req).org_id, username: b.username, role: b.role, passwordHash: await hashSecret(b.password) });
      return reply.code(201).send(user);
    } catch (err) {
      if (err instanceof UsernameTakenError) throw new ApiError('conflict', err.message);
      throw err;
    }
  });

  app.patch('/console/api/users/:id', { preValidation: admin, schema: updateSchema }, async (req) => {
    const { id } = req.params as { id: string };
    const b = req.body as { password?: string; role?: Role };
    if (b.role && b.role !== 'admin') notSelf(req, id, 'demote');
    const user = await users.update(principal(req).org_id, id, { role: b.role, passwordHash: b.password ? await hashSecret(b.password) : undefined });
    if (!user) throw new ApiError('not_found', `no user ${id} in this org`);
    return user;
  });

  app.delete('/console/api/users/:id', { preValidation: admin }, async (req, reply) => {
    const { id } = req.params as { id: string };
    notSelf(req, id, 'delete');
    if (!(await users.delete(principal(req).org_id, id))) throw new ApiError('not_found', `no user ${id} in this org`);
    return reply.code(204).send();
  });
}
