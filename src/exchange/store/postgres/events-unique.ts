// Unique events on PostgreSQL: a commit's new events folded into one counter per (org,
// identity), upserted in the commit's own transaction. The identity and key are the shared
// ones (store/unique-identity.ts), so both backends group alike.
import type pg from 'pg';
import type { EventObservables, EventType } from '../../../events/event.js';
import { uniqueIdentity, uniqueKey } from '../unique-identity.js';
import type { UniqueEvent } from '../types.js';

/** What the grouping reads of a new event. */
export interface UniqueInput {
  org_id: string;
  device_id: string;
  type: EventType;
  ts: number;
  src_ip: string | null;
  dst_ip: string | null;
  gid: number | null;
  sid: number | null;
  message: string | null;
  priority: number | null;
  observables: EventObservables | null;
}

interface Group {
  org: string;
  key: string;
  type: EventType;
  src: string | null;
  dst: string | null;
  gid: number | null;
  sid: number | null;
  message: string | null;
  priority: number | null;
  count: number;
  first: number;
  last: number;
  devices: string[];
}

export class UniqueGroups {
  private readonly groups = new Map<string, Group>();

  add(e: UniqueInput): void {
    const identity = uniqueIdentity({ ...e, org_key: 0 }, e.observables);
    if (identity === '') return;
    const gkey = e.org_id + '\n' + identity;
    const g = this.groups.get(gkey);
    if (g === undefined) {
      const intrusion = e.type === 'intrusion';
      this.groups.set(gkey, {
        org: e.org_id,
        key: uniqueKey(identity),
        type: e.type,
        src: e.src_ip,
        dst: e.dst_ip,
        gid: intrusion ? e.gid : null,
        sid: intrusion ? e.sid : null,
        message: e.message,
        priority: e.priority,
        count: 1,
        first: e.ts,
        last: e.ts,
        devices: [e.device_id],
      });
      return;
    }
    g.count++;
    if (e.ts < g.first) g.first = e.ts;
    if (e.ts >= g.last) {
      g.last = e.ts;
      g.message = e.message;
      g.priority = e.priority;
    }
    if (!g.devices.includes(e.device_id)) g.devices.push(e.device_id);
  }

  /** One statement for all groups, in (org, key) order: two nodes upserting the same rows
   * lock them in the same order, so they wait for each other rather than deadlock. SET sees
   * the row as it was: message and priority follow the latest event by event time. */
  async write(c: pg.PoolClient): Promise<void> {
    if (this.groups.size === 0) return;
    const gs = [...this.groups.values()].sort((a, b) => cmp(a.org, b.org) || cmp(a.key, b.key));
    await c.query(
      `INSERT INTO unique_events AS u (org_id, key, type, src_ip, dst_ip, gid, sid, message, priority,
                                       count, first_seen, last_seen, devices)
       SELECT org_id, key, type, src_ip, dst_ip, gid, sid, message, priority, count, first_seen, last_seen,
              ARRAY(SELECT json_array_elements_text(devices::json))
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[],
                     $8::text[], $9::int[], $10::bigint[], $11::bigint[], $12::bigint[], $13::text[])
              AS x(org_id, key, type, src_ip, dst_ip, gid, sid, message, priority, count, first_seen, last_seen, devices)
       ON CONFLICT (org_id, key) DO UPDATE SET
         count = u.count + excluded.count,
         first_seen = least(u.first_seen, excluded.first_seen),
         last_seen = greatest(u.last_seen, excluded.last_seen),
         message = CASE WHEN excluded.last_seen >= u.last_seen THEN excluded.message ELSE u.message END,
         priority = CASE WHEN excluded.last_seen >= u.last_seen THEN excluded.priority ELSE u.priority END,
         devices = CASE WHEN u.devices = excluded.devices THEN u.devices ELSE
           ARRAY(SELECT DISTINCT d FROM unnest(u.devices || excluded.devices) d ORDER BY d) END`,
      [
        gs.map((g) => g.org),
        gs.map((g) => g.key),
        gs.map((g) => g.type),
        gs.map((g) => g.src),
        gs.map((g) => g.dst),
        gs.map((g) => g.gid),
        gs.map((g) => g.sid),
        gs.map((g) => g.message),
        gs.map((g) => g.priority),
        gs.map((g) => g.count),
        gs.map((g) => g.first),
        gs.map((g) => g.last),
        gs.map((g) => JSON.stringify(g.devices.sort())),
      ],
    );
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A unique_events row as the queries read it. */
export type UniqueRow = Omit<UniqueEvent, 'org_id' | 'first_seen' | 'last_seen'> & { first_seen: number; last_seen: number };

/** The row holds exactly the API's fields (devices as text[]); only the times change form. */
export function toUniqueEvent(orgId: string, r: UniqueRow): UniqueEvent {
  return { ...r, org_id: orgId, first_seen: new Date(r.first_seen).toISOString(), last_seen: new Date(r.last_seen).toISOString() };
}
