// Registration tokens: what a device presents once to enroll. Stored hashed; the string handed
// out carries the CA fingerprint so the device can check the exchange before trusting it.
import type { FastifyInstance } from 'fastify';
import type { ExchangeContext } from '../context.js';
import type { RegistrationTokenStore } from '../store/types.js';
import { randomToken, sha256Hex } from '../auth/secrets.js';
import { formatRegistrationToken } from '../../protocol/registration-token.js';
import { requireRole, principal } from './auth-hook.js';
import { ApiError } from './errors.js';

export const REGISTRATION_TOKEN_PATH = '/providers/sse/services/token/api/v2/auth_tokens/registration';
const MAX_EXPIRY = 365 * 24 * 3600;

/** Shared with `threatlink token create`, which checks the same bounds before the store. */
export const DEVICE_ID_PATTERN = '^[A-Za-z0-9._-]{1,128}$';
export const MAX_TOKEN_USES = 100_000;

const createSchema = {
  body: {
    type: 'object',
    additionalProperties: false,
    properties: {
      principal: {
        type: 'object',
        properties: {
          deviceId: { type: 'string', pattern: DEVICE_ID_PATTERN },
          serviceType: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
        },
      },
      expiry: { type: 'integer', minimum: 60, maximum: MAX_EXPIRY },
      uses: { type: 'integer', minimum: 1, maximum: MAX_TOKEN_USES },
    },
  },
};

export interface IssueOptions { deviceId?: string; serviceType?: string | string[]; expirySeconds?: number; uses?: number }

/** Creates a token (stored hashed) and returns the one string the device needs. */
export async function issueRegistrationToken(tokens: RegistrationTokenStore, caFingerprint: string, orgId: string, o: IssueOptions) {
  const id = randomToken(12);
  const secret = randomToken(32);
  const st = o.serviceType;
  const expiry = o.expirySeconds ?? 36 * 3600;
  const t = await tokens.create({
    id, org_id: orgId, device_id: o.deviceId ?? null,
    service_type: st === undefined ? [] : Array.isArray(st) ? st : [st],
    expires_at: new Date(Date.now() + expiry * 1000).toISOString(),
    uses_allowed: o.uses ?? 1, secretHash: sha256Hex(secret),
  });
  return {
    id: t.id,
    token: formatRegistrationToken({ id, secret, caFingerprint }),
    expires_at: t.expires_at,
    uses: t.uses_allowed,
    org_id: t.org_id,
    ca_fingerprint: caFingerprint,
  };
}

export async function registrationTokenRoutes(app: FastifyInstance, ctx: ExchangeContext): Promise<void> {
  const admin = requireRole(ctx, 'admin');
  app.post(REGISTRATION_TOKEN_PATH, { preValidation: admin, schema: createSchema }, async (req, reply) => {
    const body = (req.body ?? {}) as { principal?: { deviceId?: string; serviceType?: string | string[] }; expiry?: number; uses?: number };
    const issued = await issueRegistrationToken(ctx.stores.tokens, ctx.ca.fingerprint, principal(req).org_id, {
      deviceId: body.principal?.deviceId, serviceType: body.principal?.serviceType, expirySeconds: body.expiry, uses: body.uses,
    });
    return reply.code(201).send(issued);
  });
  app.get('/api/v1/tokens', { preValidation: admin }, async (req) => {
    return { data: await ctx.stores.tokens.list(principal(req).org_id) };
  });
  app.delete('/api/v1/tokens/:id', { preValidation: admin }, async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!(await ctx.stores.tokens.revoke(principal(req).org_id, id))) throw new ApiError('not_found', `no registration token ${id} in this org`);
    return reply.code(204).send();
  });
}
