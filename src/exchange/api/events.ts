// Event search over the caller's org: filtered, keyset-paged, plus unique events and a histogram.
import type { FastifyInstance } from 'fastify';
import type { ExchangeContext } from '../context.js';
import { EVENT_TYPES } from '../../events/event.js';
import type { EventQuery } from '../store/types.js';
import { requireRole, principal } from './auth-hook.js';
import { ApiError } from './errors.js';

const querySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    since: { type: 'string', format: 'date-time' },
    until: { type: 'string', format: 'date-time' },
    device: { type: 'string', maxLength: 200 },
    type: { type: 'string', enum: [...EVENT_TYPES] },
    observable: { type: 'string', maxLength: 4096 },
    sid: { type: 'integer', minimum: 0 },
    q: { type: 'string', maxLength: 500 },
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
    cursor: { type: 'string', maxLength: 200 },
    interval: { type: 'string', pattern: '^[0-9]+[smhd]?$' },
  },
};

const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `interval=300`, `5m`, `1h`, `1d` → seconds. */
export function intervalSeconds(s: string | undefined): number {
  if (!s) return 3600;
  const m = /^(\d+)([smhd]?)$/.exec(s);
  const n = m ? Number(m[1]) * (UNIT[m[2] || 's'] ?? 1) : NaN;
  if (!(n >= 1 && n <= 366 * 86400)) throw new ApiError('bad_request', `interval: "${s}" must be 1s to 366d, like 300, 5m, 1h or 1d`);
  return n;
}

export async function eventRoutes(app: FastifyInstance, ctx: ExchangeContext): Promise<void> {
  const reader = requireRole(ctx, 'read-only');
  const schema = { querystring: querySchema };
  app.get('/api/v1/events', { preValidation: reader, schema }, async (req) => {
    return ctx.stores.events.query(principal(req).org_id, req.query as EventQuery);
  });
  app.get('/api/v1/events/unique', { preValidation: reader, schema }, async (req) => {
    return ctx.stores.events.unique(principal(req).org_id, req.query as EventQuery);
  });
  app.get('/api/v1/events/histogram', { preValidation: reader, schema }, async (req) => {
    const q = req.query as EventQuery & { interval?: string };
    const secs = intervalSeconds(q.interval);
    const { interval: _i, ...rest } = q;
    return { interval_seconds: secs, data: await ctx.stores.events.histogram(principal(req).org_id, { ...rest, intervalSeconds: secs }) };
  });
  app.get('/api/v1/events/:id', { preValidation: reader }, async (req) => {
    const { id } = req.params as { id: string };
    const e = await ctx.stores.events.get(principal(req).org_id, id);
    if (!e) throw new ApiError('not_found', `no event ${id} in this org`);
    return e;
  });
}
