// POST /api/v1/incidents/promote: an analyst puts an event, or a unique event (all its events),
// into an incident: a new one, or the one named by incident_id.
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

/** Events read for one unique event; its sighting's count then comes from these. */
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
        },
      },
      incident_id: { type: 'string', minLength: 1, maxLength: 512 },
      title: { type: 'string', minLength: 1, maxLength: 500 },
      severity: { enum: ['High', 'Medium', 'Low', 'Info'] },
    },
  },
};

interface Body {
  event_id?: string;
  unique?: { type: StoredEvent['type']; src_ip?: string | null; dst_ip?: string | null; gid?: number | null; sid?: number | null };
  incident_id?: string;
  title?: string;
  severity?: 'High' | 'Medium' | 'Low' | 'Info';
}

async function eventsOfUnique(rc: ResponseContext, orgId: string, u: NonNullable<Body['unique']>): Promise<StoredEvent[]> {
  const want = identity(u);
  const out: StoredEvent[] = [];
  let cursor: string | undefined;
  const base = { type: u.type, ...(u.sid != null ? { sid: u.sid } : {}), ...(u.src_ip ? { observable: u.src_ip } : u.dst_ip ? { observable: u.dst_ip } : {}) };
  do {
    const page = await rc.exchange.stores.events.query(orgId, { ...base, limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const e of page.data) if (identity({ ...e, gid: e.signature?.gid, sid: e.signature?.sid }) === want) out.push(e);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && out.length < MAX_UNIQUE_EVENTS);
  return out.reverse();
}

export async function incidentPromoteRoutes(app: FastifyInstance, rc: ResponseContext, sink: () => IncidentSink): Promise<void> {
  app.post('/api/v1/incidents/promote', { preValidation: requireRole(rc.exchange, 'analyst'), schema }, async (req, reply) => {
    const p = principal(req);
    const b = req.body as Body;
    if ((b.event_id === undefined) === (b.unique === undefined)) throw new ApiError('bad_request', 'give "event_id" or "unique" (one of them)');
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
    if (incidentId !== undefined && !(await sink().get(p.org_id, incidentId))) throw new ApiError('not_found', `no incident ${incidentId} in this org`);
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
