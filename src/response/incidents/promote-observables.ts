// An investigation promoted to an incident. CTIM incidents hold no observables of their own;
// their sightings do, so the investigated observables go in one sighting of the analyst's, which
// links back to Investigate, and the org's own events that name them join as the sightings a
// promotion by hand makes (one per source, destination and signature).
import { createHash } from 'node:crypto';
import type { CtimObservable, Incident, Sighting } from '../../ctim/index.js';
import { SCHEMA_VERSION, storedId } from '../../ctim/index.js';
import type { StoredEvent } from '../../events/event.js';
import type { IncidentRuleStore } from '../store/incident-types.js';
import type { IncidentSink } from './sink.js';
import { groupKey } from './rules.js';
import { promote } from './promote.js';

export interface ObservablePromotion {
  orgId: string;
  observables: CtimObservable[];
  /** The org's events naming any of them, oldest first. */
  events: StoredEvent[];
  /** Add to this incident rather than open one. */
  incidentId?: string;
  title?: string;
  severity: Incident['severity'];
  baseUrl: string;
  eventUrl: (id: string) => string;
  /** The console's Investigate address for these observables. */
  investigateUrl: string;
  /** Who promotes: the incident's assignee and the sighting's author. */
  assignee: string;
}

export interface ObservablePromotionResult {
  incident: Incident;
  opened: boolean;
  /** The sighting holding the observables. */
  sightingId: string;
}

const listed = (obs: CtimObservable[]) => obs.map((o) => `- ${o.type}: ${o.value}`).join('\n');

export function investigationTitle(obs: CtimObservable[]): string {
  return `Investigation: ${obs.slice(0, 3).map((o) => o.value).join(', ')}${obs.length > 3 ? ` and ${obs.length - 3} more` : ''}`;
}

/** The same observables promoted into the same incident again find the same sighting. */
function sightingUuid(orgId: string, incidentId: string, obs: CtimObservable[]): string {
  const h = createHash('sha256').update([orgId, incidentId, 'investigation', ...obs.map((o) => `${o.type}:${o.value}`).sort()].join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export async function promoteObservables(sink: IncidentSink, groups: IncidentRuleStore, o: ObservablePromotion): Promise<ObservablePromotionResult> {
  const now = new Date().toISOString();
  let incident = o.incidentId !== undefined ? await sink.get(o.orgId, o.incidentId) : null;
  if (o.incidentId !== undefined && !incident) throw new Error(`no incident ${o.incidentId}`);
  const opened = incident === null;
  incident ??= await sink.open(o.orgId, {
    id: storedId(o.baseUrl, 'incident'),
    type: 'incident',
    schema_version: SCHEMA_VERSION,
    source: 'threatlink',
    title: o.title ?? investigationTitle(o.observables),
    description: `Promoted by an analyst from an investigation of:\n${listed(o.observables)}`,
    confidence: 'High',
    severity: o.severity,
    status: 'New',
    incident_time: { opened: now, discovered: o.events[0]?.time ?? now },
    assignees: [o.assignee],
  });
  const sighting: Sighting = {
    id: storedId(o.baseUrl, 'sighting', sightingUuid(o.orgId, incident.id, o.observables)),
    type: 'sighting',
    schema_version: SCHEMA_VERSION,
    source: 'threatlink investigate',
    source_uri: o.investigateUrl,
    title: 'Observables promoted from Investigate',
    description: `${o.observables.length} ${o.observables.length === 1 ? 'observable' : 'observables'} ${o.assignee} investigated and promoted to this incident`,
    count: 1,
    confidence: 'High',
    severity: o.severity,
    observed_time: { start_time: now },
    observables: o.observables,
  };
  await sink.putSighting(o.orgId, incident.id, sighting);
  const byGroup = new Map<string, StoredEvent[]>();
  for (const e of o.events) {
    const k = groupKey(e);
    const g = byGroup.get(k);
    if (g) g.push(e); else byGroup.set(k, [e]);
  }
  for (const group of byGroup.values()) {
    await promote(sink, groups, {
      orgId: o.orgId, events: group, reason: 'manual', auto: false, severity: o.severity, windowSeconds: 0, incidentId: incident.id,
      baseUrl: o.baseUrl, eventUrl: o.eventUrl, assignee: o.assignee,
    });
  }
  return { incident, opened, sightingId: sighting.id };
}
