// Bearer-token auth for API routes (or, without a bearer token, an extension's credential: the
// console's session): resolves the principal and enforces the least role a route
// needs. Org scoping is then the route's job, always from req.principal.org_id.
import type { FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import type { Role } from '../store/types.js';
import type { ExchangeContext } from '../context.js';
import { type Principal, hasRole } from '../auth/principal.js';
import { sha256Hex } from '../auth/secrets.js';
import { ApiError } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export async function principalOf(req: FastifyRequest, ctx: ExchangeContext): Promise<Principal> {
  const h = req.headers.authorization;
  if (!h) {
    for (const x of ctx.extensions) {
      const p = await x.principalOf?.(req);
      if (p) return p;
    }
    throw new ApiError('unauthorized', 'missing Authorization: Bearer <access token> (get one at POST /iroh/oauth2/token)');
  }
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  if (!m) throw new ApiError('unauthorized', 'Authorization must be "Bearer <access token>"');
  const t = await ctx.stores.clients.getAccessToken(sha256Hex(m[1] as string));
  if (!t) throw new ApiError('invalid_token', 'access token unknown, expired, or its API client was deleted');
  return { org_id: t.org_id, client_id: t.client_id, role: t.role };
}

/** Runs as a preValidation hook: an unauthenticated caller is refused before the body is
 * checked, and learns nothing of the route's schema. */
export function requireRole(ctx: ExchangeContext, role: Role): preValidationAsyncHookHandler {
  return async (req) => {
    const p = req.principal ?? (await principalOf(req, ctx));
    req.principal = p;
    if (!hasRole(p, role)) throw new ApiError('forbidden', `this needs the ${role} role; the caller's client has ${p.role}`);
  };
}

export function principal(req: FastifyRequest): Principal {
  if (!req.principal) throw new ApiError('unauthorized', 'not authenticated');
  return req.principal;
}
