// POST /api/v1/incidents/promote: an analyst puts an event, a unique event (all its events), or
// the observables of an investigation (with the org's own events that name them) into an
// incident: a new one, or the one named by incident_id.
import type { FastifyInstance } from 'fastify';
import type { ResponseContext } from '../context.js';
import type { StoredEvent } from '../../events/event.js';
import { EVENT_TYPES } from '../../events/event.js';
import { requireRole, principal } from '../../exchange/api/auth-hook.js';
import { ApiError } from '../../exchange/api/errors.js';
import type { IncidentSink } from '../incidents/sink.js';
import { promote } from '../incidents/promote.js';
import { groupKey } from '../incidents/rules.js';
import { consoleEventUrl } from '../modules/exchange-sightings/index.js';
import { identity } from '../modules/exchange-sightings/sightings.js';
import { uniqueKeyOfEvent } from '../../exchange/store/unique-identity.js';
import { promoteObservables } from '../incidents/promote-observables.js';
import type { CtimObservable } from '../../ctim/index.js';
import { observablesOf, observablesSchema } from './iroh/observables-body.js';
import { checkObservableCount, observableLimit } from './iroh/observable-limit.js';

/** Events read for one unique event, or for all the observables of an investigation; the
 * sightings' counts then come from these. */
const MAX_UNIQUE_EVENTS = 5000;

const schema = {
  body: {
    type: 'object',
    additionalProperties: false,
    properties: {
      event_id: { type: 'string', minLength: 1, maxLength: 64 },
      unique: {
        type: 'object',
        required: ['type'],
        additionalProperties: false,
        properties: {
          type: { enum: [...EVENT_TYPES] },
          src_ip: { type: ['string', 'null'] },
          dst_ip: { type: ['string', 'null'] },
          gid: { type: ['integer', 'null'] },
          sid: { type: ['integer', 'null'] },
          // The unique event's key (/api/v1/events/unique): then exactly its events, where the
          // fields above match other unique events too (connections by message, files by hash).
          key: { type: 'string', minLength: 1, maxLength: 64 },
        },
      },
      // How many it may hold is the server's setting, checked before this schema.
      observables: { ...observablesSchema, minItems: 1 },
      incident_id: { type: 'string', minLength: 1, maxLength: 512 },
      title: { type: 'string', minLength: 1, maxLength: 500 },
      severity: { enum: ['High', 'Medium', 'Low', 'Info'] },
    },
  },
};

interface Body {
  event_id?: string;
  unique?: { type: StoredEvent['type']; src_ip?: string | null; dst_ip?: string | null; gid?: number | null; sid?: number | null; key?: string };
  observables?: unknown;
  incident_id?: string;
  title?: string;
  severity?: 'High' | 'Medium' | 'Low' | 'Info';
}

async function eventsOfUnique(rc: ResponseContext, orgId: string, u: NonNullable<Body['unique']>): Promise<StoredEvent[]> {
  const want = identity(u);
  const ofIt = u.key !== undefined
    ? (e: StoredEvent) => uniqueKeyOfEvent(e) === u.key
    : (e: StoredEvent) => identity({ ...e, gid: e.signature?.gid, sid: e.signature?.sid }) === want;
  const out: StoredEvent[] = [];
  let cursor: string | undefined;
  const base = { type: u.type, ...(u.sid != null ? { sid: u.sid } : {}), ...(u.src_ip ? { observable: u.src_ip } : u.dst_ip ? { observable: u.dst_ip } : {}) };
  do {
    const page = await rc.exchange.stores.events.query(orgId, { ...base, limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const e of page.data) if (ofIt(e)) out.push(e);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && out.length < MAX_UNIQUE_EVENTS);
  return out.reverse();
}

/** The org's events naming any of the observables, oldest first: what the Exchange sightings
 * module shows an investigation of them. */
async function eventsNaming(rc: ResponseContext, orgId: string, obs: CtimObservable[]): Promise<StoredEvent[]> {
  const named = await rc.exchange.stores.events.named(orgId, obs.map((o) => o.value));
  const byId = new Map<string, StoredEvent>();
  for (const o of obs.filter((x) => named.has(x.value))) {
    let cursor: string | undefined;
    do {
      const page = await rc.exchange.stores.events.query(orgId, { observable: o.value, limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const e of page.data) byId.set(e.id, e);
      cursor = page.next_cursor ?? undefined;
    } while (cursor && byId.size < MAX_UNIQUE_EVENTS);
    if (byId.size >= MAX_UNIQUE_EVENTS) break;
  }
  return [...byId.values()].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

const investigateUrl = (rc: ResponseContext, obs: CtimObservable[]) =>
  `${rc.baseUrl()}/console/investigate?${new URLSearchParams({ q: obs.map((o) => o.value).join(' ') })}`;

export async function incidentPromoteRoutes(app: FastifyInstance, rc: ResponseContext, sink: () => IncidentSink): Promise<void> {
  const limit = observableLimit(rc, (b) => (b as { observables?: unknown } | null)?.observables);
  app.post('/api/v1/incidents/promote', { preValidation: [requireRole(rc.exchange, 'analyst'), limit], schema }, async (req, reply) => {
    const p = principal(req);
    const b = req.body as Body;
    const given = [b.event_id, b.unique, b.observables].filter((x) => x !== undefined).length;
    if (given !== 1) throw new ApiError('bad_request', 'give "event_id", "unique" or "observables" (one of them)');
    if (b.incident_id !== undefined && !(await sink().get(p.org_id, b.incident_id))) throw new ApiError('not_found', `no incident ${b.incident_id} in this org`);
    if (b.observables !== undefined) {
      const observables = observablesOf(b.observables);
      checkObservableCount(rc, observables.length);
      const events = await eventsNaming(rc, p.org_id, observables);
      const r = await promoteObservables(sink(), rc.stores.incidents, {
        orgId: p.org_id, observables, events, incidentId: b.incident_id, title: b.title, severity: b.severity ?? 'Medium',
        baseUrl: rc.baseUrl(), eventUrl: (id) => consoleEventUrl(rc, id), investigateUrl: investigateUrl(rc, observables), assignee: p.client_id,
      });
      return reply.code(r.opened ? 201 : 200).send({ incident: r.incident, sighting_id: r.sightingId, events: events.length });
    }
    let events: StoredEvent[];
    if (b.event_id !== undefined) {
      const e = await rc.exchange.stores.events.get(p.org_id, b.event_id);
      if (!e) throw new ApiError('not_found', `no event ${b.event_id} in this org`);
      events = [e];
    } else {
      events = await eventsOfUnique(rc, p.org_id, b.unique!);
      if (events.length === 0) throw new ApiError('not_found', 'no events of that unique event in this org');
    }
    let incidentId = b.incident_id;
    const byGroup = new Map<string, StoredEvent[]>();
    for (const e of events) {
      const k = groupKey(e);
      byGroup.set(k, [...(byGroup.get(k) ?? []), e]);
    }
    let result: Awaited<ReturnType<typeof promote>> | null = null;
    let opened = false;
    for (const group of byGroup.values()) {
      result = await promote(sink(), rc.stores.incidents, {
        orgId: p.org_id, events: group, reason: 'manual', auto: false, severity: b.severity ?? 'Medium', windowSeconds: 0, incidentId,
        title: b.title, baseUrl: rc.baseUrl(), eventUrl: (id) => consoleEventUrl(rc, id), assignee: p.client_id,
      });
      if (!result) continue;
      incidentId = result.incident.id;
      opened ||= result.opened;
    }
    return reply.code(opened ? 201 : 200).send({ incident: result!.incident, sighting_id: result!.sightingId, events: events.length });
  });
}
