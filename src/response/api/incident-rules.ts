// /api/v1/incident-rules: the org's promotion rules, tried in order. Analysts read them;
// admins change them. An org starts with defaultRules() until it changes anything.
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { ResponseContext } from '../context.js';
import { requireRole, principal } from '../../exchange/api/auth-hook.js';
import { ApiError } from '../../exchange/api/errors.js';
import { EVENT_TYPES } from '../../events/event.js';
import { DEFAULT_GROUP_WINDOW_SECONDS, type PromotionRule } from '../incidents/rules.js';
import { rulesOf } from '../incidents/org-rules.js';

const BASE = '/api/v1/incident-rules';

const matchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    priority_max: { type: 'integer', minimum: 1, maximum: 255 },
    impact_max: { type: 'integer', minimum: 1, maximum: 5 },
    feed_disposition: { enum: ['Clean', 'Malicious', 'Suspicious', 'Common', 'Unknown'] },
    sids: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1, maxItems: 10_000 },
    types: { type: 'array', items: { enum: [...EVENT_TYPES] }, minItems: 1 },
  },
};

const fields = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  enabled: { type: 'boolean' },
  match: matchSchema,
  group_window_seconds: { type: 'integer', minimum: 0, maximum: 30 * 86400 },
  severity: { enum: ['High', 'Medium', 'Low', 'Info'] },
};

function onlyTypes(m: PromotionRule['match']): boolean {
  return m.priority_max === undefined && m.impact_max === undefined && m.feed_disposition === undefined && m.sids === undefined;
}

/** `changed` is told the org whose rules changed (the engine rereads them). */
export async function incidentRuleRoutes(app: FastifyInstance, rc: ResponseContext, changed: (orgId: string) => void = () => {}): Promise<void> {
  const reader = requireRole(rc.exchange, 'read-only');
  const admin = requireRole(rc.exchange, 'admin');

  app.get(BASE, { preValidation: reader }, async (req) => ({ data: await rulesOf(rc, principal(req).org_id) }));

  app.post(BASE, {
    preValidation: admin,
    schema: { body: { type: 'object', required: ['name', 'match'], additionalProperties: false, properties: fields } },
  }, async (req, reply) => {
    const orgId = principal(req).org_id;
    const b = req.body as Partial<PromotionRule>;
    if (onlyTypes(b.match!)) throw new ApiError('bad_request', 'match: needs priority_max, impact_max, feed_disposition or sids (types alone would promote every event)');
    await rulesOf(rc, orgId);
    const now = new Date().toISOString();
    const rule: PromotionRule = {
      id: `rule-${randomUUID()}`, org_id: orgId, name: b.name!, enabled: b.enabled ?? true, match: b.match!,
      group_window_seconds: b.group_window_seconds ?? DEFAULT_GROUP_WINDOW_SECONDS, severity: b.severity ?? 'High', created_at: now, updated_at: now,
    };
    await rc.stores.incidents.put(rule);
    changed(orgId);
    return reply.code(201).send(rule);
  });

  app.patch(`${BASE}/:id`, {
    preValidation: admin,
    schema: { body: { type: 'object', minProperties: 1, additionalProperties: false, properties: fields } },
  }, async (req) => {
    const orgId = principal(req).org_id;
    const { id } = req.params as { id: string };
    await rulesOf(rc, orgId);
    const cur = await rc.stores.incidents.get(orgId, id);
    if (!cur) throw new ApiError('not_found', `no incident rule ${id} in this org`);
    const next = { ...cur, ...(req.body as Partial<PromotionRule>), id: cur.id, org_id: orgId, updated_at: new Date().toISOString() };
    if (onlyTypes(next.match)) throw new ApiError('bad_request', 'match: needs priority_max, impact_max, feed_disposition or sids');
    await rc.stores.incidents.put(next);
    changed(orgId);
    return next;
  });

  app.delete(`${BASE}/:id`, { preValidation: admin }, async (req, reply) => {
    const orgId = principal(req).org_id;
    const { id } = req.params as { id: string };
    await rulesOf(rc, orgId);
    if (!(await rc.stores.incidents.delete(orgId, id))) throw new ApiError('not_found', `no incident rule ${id} in this org`);
    changed(orgId);
    return reply.code(204).send();
  });
}
