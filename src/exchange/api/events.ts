// Event search over the caller's org: filtered, keyset-paged, plus unique events and a histogram.
import type { FastifyInstance } from 'fastify';
import type { ExchangeContext } from '../context.js';
import { EVENT_TYPES, type StoredEvent } from '../../events/event.js';
import { uniqueKeyOfEvent } from '../store/unique-identity.js';
import type { EventQuery } from '../store/types.js';
import { requireRole, principal } from './auth-hook.js';
import { ApiError } from './errors.js';
import { normalizeIPv6 } from '../../observables/ipv6.js';
import { normalizeUrl } from '../../observables/url.js';
import { autoIntervalSeconds, intervalSeconds } from './histogram-interval.js';

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
    interval: { type: 'string', pattern: '^([0-9]+[smhd]?|auto)$' },
  },
};

export async function eventRoutes(app: FastifyInstance, ctx: ExchangeContext): Promise<void> {
  const reader = requireRole(ctx, 'read-only');
  const schema = { querystring: querySchema };
  app.get('/api/v1/events', { preValidation: reader, schema }, async (req) => {
    const page = await ctx.stores.events.query(principal(req).org_id, canonicalObservable(req.query as EventQuery));
    return { ...page, data: page.data.map(withUniqueKey) };
  });
  app.get('/api/v1/events/unique', { preValidation: reader, schema }, async (req) => {
    return ctx.stores.events.unique(principal(req).org_id, canonicalObservable(req.query as EventQuery));
  });
  app.get('/api/v1/events/histogram', { preValidation: reader, schema }, async (req) => {
    const { interval, ...q } = canonicalObservable(req.query as EventQuery & { interval?: string });
    const org = principal(req).org_id;
    const secs = interval === 'auto' ? autoIntervalSeconds(await ctx.stores.events.span(org, q)) : intervalSeconds(interval);
    return { interval_seconds: secs, data: await ctx.stores.events.histogram(org, { ...q, intervalSeconds: secs }) };
  });
  app.get('/api/v1/events/:id', { preValidation: reader }, async (req) => {
    const { id } = req.params as { id: string };
    const e = await ctx.stores.events.get(principal(req).org_id, id);
    if (!e) throw new ApiError('not_found', `no event ${id} in this org`);
    return withUniqueKey(e);
  });
}

/** Events store IPv6 addresses as RFC 5952 writes them and URLs as the WHATWG parser does
 * (validateEvent), so a search by one written another way (every group in full, as Suricata logs
 * them; a URL with a raw `{` or space) is put the same way first. Other values are matched as
 * given: file names and users are case-sensitive. */
function canonicalObservable<Q extends EventQuery>(q: Q): Q {
  if (q.observable === undefined || !q.observable.includes(':')) return q;
  const v = q.observable.trim();
  const c = normalizeIPv6(v) ?? (/^(?:https?|ftp):\/\//i.test(v) ? normalizeUrl(v) : null);
  return c === null ? q : { ...q, observable: c };
}

/** The event with the key of the unique event it counts in (`unique_key`, the `key` of
 * /api/v1/events/unique; absent for types not grouped), so a client can tell a unique event's
 * own events from others of the same addresses. */
function withUniqueKey(e: StoredEvent): StoredEvent & { unique_key?: string } {
  const key = uniqueKeyOfEvent(e);
  if (key === null) return e;
  // Set on the event the store just built for this page, not on a spread copy: a copy with a
  // new field takes V8's slow path, and a page holds up to 1,000.
  (e as StoredEvent & { unique_key?: string }).unique_key = key;
  return e;
}
