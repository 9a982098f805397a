// Puts an event into an incident: the group's open incident when the event falls within the
// rule's window of the group's last event, else a new one. The incident holds one sighting
// per group, whose count and observed time grow as events join.
import { createHash } from 'node:crypto';
import type { Incident, Sighting, Target } from '../../ctim/index.js';
import { SCHEMA_VERSION, storedId } from '../../ctim/index.js';
import type { StoredEvent } from '../../events/event.js';
import type { IncidentRuleStore } from '../store/incident-types.js';
import type { IncidentSink } from './sink.js';
import { groupKey } from './rules.js';
import { toSighting, dedupeBy, observableKey, relationKey } from '../modules/exchange-sightings/sightings.js';

const CLOSED = new Set(['Closed', 'Rejected']);

/** A UUID-shaped id derived from its parts, so replaying an event finds the same sighting. */
function uuidOf(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export interface PromoteOptions {
  orgId: string;
  /** Events of one group (source, destination, signature), oldest first: one write for all. */
  events: StoredEvent[];
  /** Rule name or 'manual'. */
  reason: string;
  /** A rule's promotion: grouped, and the group remembers the last event (in store order) it
   * took. An analyst's is neither. */
  auto: boolean;
  /** Skip events up to this one in store order: the group's last event before this batch, so
   * repeating a batch after a crash does not count an event twice. */
  skipThrough?: string;
  severity: Incident['severity'];
  /** 0: never join; the event opens its own incident. */
  windowSeconds: number;
  /** Join this incident rather than the group's. */
  incidentId?: string;
  title?: string;
  baseUrl: string;
  eventUrl: (id: string) => string;
  assignee?: string;
}

export interface PromoteResult {
  incident: Incident;
  opened: boolean;
  sightingId: string;
}

/** Store order of an event id (`ev-<base36 rowid>`), for skipping what a group already has. */
export function seqOf(id: string): number {
  return parseInt(id.slice(3), 36);
}

/** Null when every event was promoted before (a replay after a crash). */
export async function promote(sink: IncidentSink, groups: IncidentRuleStore, o: PromoteOptions): Promise<PromoteResult | null> {
  const key = groupKey(o.events[0]!);
  const g = o.auto ? await groups.group(o.orgId, key) : null;
  const events = o.skipThrough ? o.events.filter((x) => seqOf(x.id) > seqOf(o.skipThrough!)) : o.events;
  if (events.length === 0) return null;
  const e = events[0]!;
  const ts = Date.parse(e.time);
  const lastTs = Date.parse(events[events.length - 1]!.time);
  let incident: Incident | null = null;
  if (o.incidentId !== undefined) {
    incident = await sink.get(o.orgId, o.incidentId);
    if (!incident) throw new Error(`no incident ${o.incidentId}`);
  } else if (o.auto && o.windowSeconds > 0) {
    if (g && Math.abs(ts - g.last_ts) <= o.windowSeconds * 1000) {
      const cur = await sink.get(o.orgId, g.incident_id);
      if (cur && !CLOSED.has(cur.status)) incident = cur;
    }
  }
  let opened = false;
  if (!incident) {
    const sig = e.signature;
    const now = new Date().toISOString();
    incident = await sink.open(o.orgId, {
      id: storedId(o.baseUrl, 'incident'),
      type: 'incident',
      schema_version: SCHEMA_VERSION,
      source: 'threatlink',
      title: o.title ?? `${sig?.message ?? `${e.type} event`}: ${e.src_ip ?? '?'} → ${e.dst_ip ?? '?'}`,
      description: `Opened by ${o.reason === 'manual' ? 'an analyst' : `the promotion rule "${o.reason}"`} from event ${e.id} on device ${e.device_id}.`,
      confidence: 'High',
      severity: o.severity,
      status: 'New',
      incident_time: { opened: now, discovered: e.time },
      ...(o.assignee ? { assignees: [o.assignee] } : {}),
    });
    opened = true;
  }
  const sightingId = storedId(o.baseUrl, 'sighting', uuidOf(o.orgId, incident.id, key));
  // toSighting wants the newest first.
  const fresh = toSighting({ orgId: o.orgId, events: [...events].reverse(), truncated: false, eventUrl: o.eventUrl });
  const prior = await sink.sighting(o.orgId, sightingId);
  const s: Sighting = prior ? merge(prior, fresh) : { ...fresh, id: sightingId };
  await sink.putSighting(o.orgId, incident.id, s);
  if (o.auto) {
    await groups.setGroup(o.orgId, key, {
      incident_id: incident.id, last_ts: Math.max(lastTs, g?.incident_id === incident.id ? g.last_ts : lastTs),
      last_event: [g?.last_event, ...events.map((x) => x.id)].filter((x): x is string => x !== undefined).reduce((a, b) => (seqOf(b) > seqOf(a) ? b : a)),
    });
  }
  return { incident, opened, sightingId };
}

/** One target per (type, observables), observed over the whole sighting. */
function mergeTargets(list: Target[], observed: Target['observed_time']): Target[] {
  const by = new Map<string, Target>();
  for (const t of list) by.set(JSON.stringify([t.type, t.observables]), { ...t, observed_time: observed });
  return [...by.values()];
}

function merge(prior: Sighting, add: Sighting): Sighting {
  const start = [prior.observed_time.start_time, add.observed_time.start_time].sort()[0]!;
  const end = [prior.observed_time.end_time ?? prior.observed_time.start_time, add.observed_time.end_time ?? add.observed_time.start_time].sort().pop()!;
  return {
    ...prior,
    count: prior.count + add.count,
    observed_time: { start_time: start, end_time: end },
    observables: dedupeBy([...(prior.observables ?? []), ...(add.observables ?? [])], observableKey),
    relations: dedupeBy([...(prior.relations ?? []), ...(add.relations ?? [])], relationKey),
    targets: mergeTargets([...(prior.targets ?? []), ...(add.targets ?? [])], { start_time: start, end_time: end }),
    source_uri: add.source_uri ?? prior.source_uri,
  };
}
