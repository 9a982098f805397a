// OAuth2 client credentials (RFC 6749 §4.4) at both the CTR and the SSE paths.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ExchangeContext } from '../context.js';
import { verifySecret, randomToken, sha256Hex } from '../auth/secrets.js';

export const TOKEN_PATHS = ['/iroh/oauth2/token', '/providers/sse/services/token/api/v2/oauth/service/access_token'];

function basicCredentials(h: string | undefined): { id: string; secret: string } | null {
  const m = h && /^Basic\s+(\S+)$/i.exec(h);
  if (!m) return null;
  const s = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const i = s.indexOf(':');
  if (i < 0) return null;
  // RFC 6749 §2.3.1: both parts are form-urlencoded before the Basic encoding.
  const dec = (x: string) => { try { return decodeURIComponent(x.replace(/\+/g, ' ')); } catch { return x; } };
  return { id: dec(s.slice(0, i)), secret: dec(s.slice(i + 1)) };
}

function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  if (status === 401) reply.header('www-authenticate', 'Basic realm="threatlink"');
  return reply.code(status).send({ error, error_description: description, message: description });
}

export async function oauthRoutes(app: FastifyInstance, ctx: ExchangeContext): Promise<void> {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const form = (req.body ?? {}) as Record<string, string>;
    if (form.grant_type !== 'client_credentials') {
      return oauthError(reply, 400, 'unsupported_grant_type', `grant_type must be client_credentials, got ${JSON.stringify(form.grant_type ?? null)}`);
    }
    const cred = basicCredentials(req.headers.authorization) ??
      (form.client_id && form.client_secret ? { id: form.client_id, secret: form.client_secret } : null);
    if (!cred) return oauthError(reply, 401, 'invalid_client', 'send the client id and secret with HTTP Basic auth');
    const client = await ctx.stores.clients.getWithSecret(cred.id);
    if (!client || !(await verifySecret(cred.secret, client.secretHash))) {
      return oauthError(reply, 401, 'invalid_client', 'unknown client id or wrong secret');
    }
    const token = `tla_${randomToken(32)}`;
    const expiresIn = ctx.config.accessTokenSeconds;
    await ctx.stores.clients.saveAccessToken(sha256Hex(token), {
      client_id: client.id, org_id: client.org_id, role: client.role, expires_at: Date.now() + expiresIn * 1000,
    });
    await ctx.stores.clients.touch(client.id, new Date().toISOString());
    return reply.send({ access_token: token, token_type: 'bearer', expires_in: expiresIn, scope: client.role });
  };
  for (const p of TOKEN_PATHS) app.post(p, handler);
}
