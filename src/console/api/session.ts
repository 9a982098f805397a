// Sign in, who am I, sign out: /console/api/session.
import type { FastifyInstance } from 'fastify';
import type { ExchangeContext } from '../../exchange/context.js';
import { hashSecret, verifySecret } from '../../exchange/auth/secrets.js';
import { ApiError } from '../../exchange/api/errors.js';
import { clearedSessionCookie, sessionCookie } from '../cookie.js';
import { requireCsrf, type ConsoleSessions } from '../sessions.js';
import type { SignInLimiter } from '../sign-in-limiter.js';

const signInSchema = {
  body: {
    type: 'object',
    required: ['username', 'password'],
    additionalProperties: false,
    properties: {
      username: { type: 'string', minLength: 1, maxLength: 64 },
      password: { type: 'string', minLength: 1, maxLength: 1024 },
    },
  },
};

const WRONG = 'wrong user name or password';

export async function sessionRoutes(app: FastifyInstance, ctx: ExchangeContext, sessions: ConsoleSessions, limiter: SignInLimiter): Promise<void> {
  // Checked against for unknown names too, so a sign-in takes as long whether or not the name exists.
  const decoy = await hashSecret('not a password anyone has');

  app.post('/console/api/session', { schema: signInSchema }, async (req, reply) => {
    // JSON only: a cross-site HTML form cannot send it, so no other site can sign a browser in
    // to an account of its choosing.
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      throw new ApiError('unsupported_media_type', 'sign in with a JSON body');
    }
    const { username, password } = req.body as { username: string; password: string };
    const wait = limiter.retryAfterMs(username, req.ip);
    if (wait > 0) {
      return reply.code(429).header('retry-after', String(Math.ceil(wait / 1000)))
        .send({ error: 'rate_limited', message: 'too many failed sign-ins: try again later' });
    }
    const user = await ctx.stores.users.getByNameWithPassword(username);
    const ok = await verifySecret(password, user?.passwordHash ?? decoy);
    if (!user || !ok) {
      limiter.failed(username, req.ip);
      throw new ApiError('unauthorized', WRONG);
    }
    limiter.succeeded(username, req.ip);
    const s = await sessions.create(user.id);
    await ctx.stores.users.touchLogin(user.id, new Date().toISOString());
    reply.header('set-cookie', sessionCookie(s.id, Math.floor(sessions.times.ttlMs / 1000)));
    return {
      user: { id: user.id, username: user.username, role: user.role, org_id: user.org_id },
      csrf_token: s.csrf, expires_at: new Date(s.expiresAt).toISOString(),
    };
  });

  app.get('/console/api/session', async (req) => {
    const found = await sessions.find(req);
    if (!found) throw new ApiError('unauthorized', 'not signed in');
    const s = found.session;
    return {
      user: { id: s.user_id, username: s.username, role: s.role, org_id: s.org_id },
      csrf_token: s.csrf_token, expires_at: new Date(s.expires_at).toISOString(),
    };
  });

  app.delete('/console/api/session', async (req, reply) => {
    const found = await sessions.find(req);
    if (found) {
      requireCsrf(req, found.session);
      await sessions.end(found.idHash);
    }
    return reply.header('set-cookie', clearedSessionCookie()).code(204).send();
  });
}
