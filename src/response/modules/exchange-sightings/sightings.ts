// Stored events → CTIM sightings: one sighting per unique event (type, source, destination,
// signature), with its count and first and last time, the internal host and the sensor as
// targets, and the relations the events show.
import type { Sighting, Target, CtimObservable, Severity, Relation } from '../../../ctim/index.js';
import { SCHEMA_VERSION, transientId } from '../../../ctim/index.js';
import type { StoredEvent } from '../../../events/event.js';
import type { UniqueEvent } from '../../../exchange/store/types.js';
import { isInternal, ipType } from './internal.js';
import { relationsOf, observablesOf } from './relations.js';

export const SOURCE = 'threatlink exchange';

export function identity(e: { type: string; src_ip?: string | null; dst_ip?: string | null; gid?: number | null; sid?: number | null }): string {
  return [e.type, e.src_ip ?? '', e.dst_ip ?? '', e.gid ?? '', e.sid ?? ''].join('|');
}

/** The identity of a stored event's unique event: its fields named one by one (a spread of
 * the event plus gid and sid takes V8's slow path, a few µs an event). */
export function eventIdentity(e: StoredEvent): string {
  return identity({ type: e.type, src_ip: e.src_ip, dst_ip: e.dst_ip, gid: e.signature?.gid, sid: e.signature?.sid });
}

export function severityOf(priority: number | undefined): Severity {
  if (priority === undefined) return 'Unknown';
  if (priority <= 1) return 'High';
  if (priority === 2) return 'Medium';
  if (priority === 3) return 'Low';
  return 'Info';
}

/** The list without repeats, told apart by `key` (a few fields joined: JSON.stringify of each
 * item cost more than building the sighting otherwise did). */
export function dedupeBy<T>(list: T[], key: (x: T) => string): T[] {
  const seen = new Set<string>();
  return list.filter((x) => {
    const k = key(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export const observableKey = (o: CtimObservable): string => `${o.type}\u0000${o.value}`;
export const relationKey = (r: Relation): string =>
  `${r.origin}\u0000${r.relation}\u0000${r.source.type}\u0000${r.source.value}\u0000${r.related.type}\u0000${r.related.value}`;

export interface SightingInput {
  orgId: string;
  /** Newest first, all of one identity. */
  events: StoredEvent[];
  /** Exact totals from the unique-event table, when known. */
  unique?: UniqueEvent;
  /** More events of this identity exist than were read. */
  truncated: boolean;
  /** Where the console shows one event. */
  eventUrl: (id: string) => string;
}

export function toSighting(x: SightingInput): Sighting {
  const newest = x.events[0]!;
  const oldest = x.events[x.events.length - 1]!;
  const first = x.unique?.first_seen ?? oldest.time;
  const last = x.unique?.last_seen ?? newest.time;
  const count = x.unique?.count ?? x.events.length;
  const observed = { start_time: first, end_time: last };
  const sig = newest.signature;
  const targets: Target[] = [];
  const internal = [newest.src_ip, newest.dst_ip].filter((ip): ip is string => ip !== undefined && isInternal(ip));
  if (internal.length > 0) {
    targets.push({ type: 'endpoint', observables: internal.map((ip) => ({ type: ipType(ip), value: ip })), observed_time: observed });
  }
  const devices = [...new Set(x.unique?.devices ?? x.events.map((e) => e.device_id))];
  targets.push({ type: 'network.sensor', observables: devices.map((d) => ({ type: 'device', value: d })), observed_time: observed });
  const title = sig?.message ?? `${newest.type} event`;
  const where = `${newest.src_ip ?? '?'}${newest.src_port !== undefined ? `:${newest.src_port}` : ''} → ${newest.dst_ip ?? '?'}${newest.dst_port !== undefined ? `:${newest.dst_port}` : ''}`;
  const s: Sighting = {
    id: transientId('sighting', x.orgId, eventIdentity(newest)),
    type: 'sighting',
    schema_version: SCHEMA_VERSION,
    source: SOURCE,
    source_uri: x.eventUrl(newest.id),
    title,
    description: `${count}${x.truncated && !x.unique ? '+' : ''} ${newest.type} event${count === 1 ? '' : 's'} ${where}` +
      (sig ? ` (${sig.gid}:${sig.sid}${sig.classification ? `, ${sig.classification}` : ''})` : '') +
      (newest.action ? `, ${newest.action}` : ''),
    count,
    confidence: 'High',
    severity: severityOf(sig?.priority),
    observed_time: observed,
    observables: dedupeBy(x.events.flatMap(observablesOf), observableKey),
    targets,
    relations: dedupeBy(x.events.flatMap(relationsOf), relationKey),
    internal: true,
    sensor: 'network.ids',
  };
  return s;
}
