// Module instances of the caller's org: /iroh/iroh-int/module_instance. Admins configure them;
// every reader sees them, without their secrets.
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { ResponseContext } from '../../context.js';
import type { ModuleInstance } from '../../module.js';
import { ModuleConfigError } from '../../modules/kind.js';
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS } from '../../modules/manager.js';
import { requireRole, principal } from '../../../exchange/api/auth-hook.js';
import { ApiError } from '../../../exchange/api/errors.js';
import { resolveFeedSource } from './feed-source.js';

const BASE = '/iroh/iroh-int/module_instance';
const CTR_BASE = '/iroh/iroh-int/module-instance';

type PreValidation = ReturnType<typeof requireRole>;

const fields = {
  kind: { type: 'string', minLength: 1, maxLength: 64 },
  name: { type: 'string', minLength: 1, maxLength: 200 },
  enabled: { type: 'boolean' },
  url: { type: 'string', minLength: 1, maxLength: 2048 },
  auth: {
    type: 'object',
    required: ['type'],
    properties: { type: { enum: ['none', 'hs256', 'configuration-token'] }, key: { type: 'string', minLength: 1, maxLength: 4096 } },
    additionalProperties: false,
  },
  settings: { type: 'object' },
  timeout_ms: { type: 'integer', minimum: 100, maximum: 300_000 },
  concurrency: { type: 'integer', minimum: 1, maximum: 1000 },
  rate_limit_per_minute: { type: 'integer', minimum: 0, maximum: 1_000_000 },
  cache_ttl_seconds: { type: 'integer', minimum: 0, maximum: 7 * 86400 },
} as const;

const createSchema = { body: { type: 'object', required: ['kind', 'name'], additionalProperties: false, properties: fields } };
// An instance keeps its kind: a different kind is a different instance.
const { kind: _kind, ...patchFields } = fields;
const patchSchema = { body: { type: 'object', minProperties: 1, additionalProperties: false, properties: patchFields } };

/** Stands in for a stored secret setting; sent back unchanged in a PATCH, it keeps the stored value. */
export const REDACTED = '********';
/** Settings that hold secrets (a relay module's upstream API key). */
const SECRET_SETTINGS = ['key'];

/** The instance as the API shows it: secrets (auth and secret settings) never leave the server. */
export function presentInstance(rc: ResponseContext, m: ModuleInstance) {
  const { auth, ...rest } = m;
  const settings = { ...m.settings };
  for (const k of SECRET_SETTINGS) if (typeof settings[k] === 'string') settings[k] = REDACTED;
  return { ...rest, settings, module_type_id: rc.modules.typeId(m), auth: auth ? { type: auth.type } : { type: 'none' } };
}

/** A PATCH that echoes a redacted secret back means "keep it". */
function keepSecrets(cur: ModuleInstance, patch: Partial<ModuleInstance>): Partial<ModuleInstance> {
  if (!patch.settings) return patch;
  const settings = { ...patch.settings };
  for (const k of SECRET_SETTINGS) if (settings[k] === REDACTED) settings[k] = cur.settings[k];
  return { ...patch, settings };
}

function checked(rc: ResponseContext, m: ModuleInstance): ModuleInstance {
  try {
    rc.modules.validate(m);
  } catch (err) {
    if (err instanceof ModuleConfigError) throw new ApiError('bad_request', `module instance: ${err.message}`);
    throw err;
  }
  if (m.auth?.type === 'hs256' && !m.auth.key) throw new ApiError('bad_request', 'module instance: auth.key: hs256 needs the module\'s shared key');
  return m;
}

export async function moduleInstanceRoutes(app: FastifyInstance, rc: ResponseContext): Promise<void> {
  const reader = requireRole(rc.exchange, 'read-only');
  const admin = requireRole(rc.exchange, 'admin');
  // CTR spells the path module-instance (the threatresponse client's int.module_instance uses
  // it); module_instance is kept for what was written against this server.
  for (const base of [BASE, CTR_BASE]) routes(app, rc, base, reader, admin);
}

function routes(app: FastifyInstance, rc: ResponseContext, base: string, reader: PreValidation, admin: PreValidation): void {
  app.get(base, { preValidation: reader }, async (req) => {
    return (await rc.modules.instances(principal(req).org_id)).map((m) => presentInstance(rc, m));
  });

  app.get(`${base}/:id`, { preValidation: reader }, async (req) => {
    const { id } = req.params as { id: string };
    const m = await rc.modules.instance(principal(req).org_id, id);
    if (!m) throw new ApiError('not_found', `no module instance ${id} in this org`);
    return presentInstance(rc, m);
  });

  app.post(base, { preValidation: admin, schema: createSchema }, async (req, reply) => {
    const b = req.body as Partial<ModuleInstance>;
    const now = new Date().toISOString();
    const settings = b.kind === 'feed' ? resolveFeedSource(b.settings, rc.feedFilesDir) : b.settings;
    const m = checked(rc, {
      id: `module-instance-${randomUUID()}`, org_id: principal(req).org_id, kind: b.kind!, name: b.name!, enabled: b.enabled ?? true,
      settings: settings ?? {}, timeout_ms: b.timeout_ms ?? DEFAULT_TIMEOUT_MS, concurrency: b.concurrency ?? DEFAULT_CONCURRENCY,
      rate_limit_per_minute: b.rate_limit_per_minute ?? 0, cache_ttl_seconds: b.cache_ttl_seconds ?? 0, created_at: now, updated_at: now,
      ...(b.url !== undefined ? { url: b.url } : {}), ...(b.auth !== undefined ? { auth: b.auth } : {}),
    });
    await rc.stores.modules.create(m);
    await rc.modules.changed(m.org_id);
    return reply.code(201).send(presentInstance(rc, m));
  });

  const update = async (orgId: string, id: string, patch: Partial<ModuleInstance>) => {
    const cur = await rc.stores.modules.get(orgId, id);
    if (!cur) {
      if (await rc.modules.instance(orgId, id)) throw new ApiError('bad_request', `${id} is built in and cannot be changed`);
      throw new ApiError('not_found', `no module instance ${id} in this org`);
    }
    const kept = keepSecrets(cur, cur.kind === 'feed' && patch.settings ? { ...patch, settings: resolveFeedSource(patch.settings, rc.feedFilesDir) } : patch);
    checked(rc, { ...cur, ...kept });
    const next = await rc.stores.modules.update(orgId, id, kept);
    await rc.modules.forget(orgId, id);
    await rc.modules.changed(orgId);
    return presentInstance(rc, next!);
  };
  app.patch(`${base}/:id`, { preValidation: admin, schema: patchSchema }, async (req) =>
    update(principal(req).org_id, (req.params as { id: string }).id, req.body as Partial<ModuleInstance>));
  app.put(`${base}/:id`, { preValidation: admin, schema: patchSchema }, async (req) =>
    update(principal(req).org_id, (req.params as { id: string }).id, req.body as Partial<ModuleInstance>));

  // A feed read again at once (after its source changed), answering with its health.
  app.post(`${base}/:id/refresh`, { preValidation: admin }, async (req) => {
    const orgId = principal(req).org_id;
    const { id } = req.params as { id: string };
    const m = (await rc.modules.modules(orgId)).find((x) => x.instance.id === id);
    if (!m) throw new ApiError('not_found', `no enabled module instance ${id} in this org`);
    if (!m.refresh) throw new ApiError('bad_request', `module ${m.instance.name} has no source to read again`);
    await m.refresh();
    return m.health ? await m.health({ orgId, signal: AbortSignal.timeout(m.instance.timeout_ms) }) : { status: 'ok' };
  });

  app.delete(`${base}/:id`, { preValidation: admin }, async (req, reply) => {
    const orgId = principal(req).org_id;
    const { id } = req.params as { id: string };
    if (!(await rc.stores.modules.delete(orgId, id))) {
      if (await rc.modules.instance(orgId, id)) throw new ApiError('bad_request', `${id} is built in and cannot be deleted`);
      throw new ApiError('not_found', `no module instance ${id} in this org`);
    }
    await rc.modules.forget(orgId, id);
    await rc.modules.changed(orgId);
    return reply.code(204).send();
  });
}
