// The unique-events view on SQLite: how a chunk of events folds into per-group counters (UniqueGroups), and the upsert that adds them to
// unique_events. Kept by the indexer (events-indexer.ts).
import type { Statement } from 'better-sqlite3';
import type { EventObservables, EventType } from '../../../events/event.js';
import type { UniqueEvent } from '../types.js';
import type { Db } from './db.js';
import type { Bind } from './events-keys.js';
import { uniqueIdentity, uniqueKey, type UniqueSource } from '../unique-identity.js';

export { uniqueIdentity, type UniqueSource };

interface UniqueGroup {
  orgKey: number;
  identity: string;
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

/** A chunk of events folded into one counter per (org, identity). */
export class UniqueGroups {
  private readonly groups = new Map<string, UniqueGroup>();

  add(r: UniqueSource, obs: EventObservables | null, device: string): void {
    const identity = uniqueIdentity(r, obs);
    if (identity === '') return;
    const gkey = r.org_key + '\n' + identity;
    const g = this.groups.get(gkey);
    if (g === undefined) {
      this.groups.set(gkey, {
        orgKey: r.org_key,
        identity,
        type: r.type,
        src: r.src_ip,
        dst: r.dst_ip,
        gid: r.type === 'intrusion' ? r.gid : null,
        sid: r.type === 'intrusion' ? r.sid : null,
        message: r.message,
        priority: r.priority,
        count: 1,
        first: r.ts,
        last: r.ts,
        devices: [device],
      });
    } else {
      g.count++;
      if (r.ts < g.first) g.first = r.ts;
      if (r.ts >= g.last) {
        g.last = r.ts;
        g.message = r.message;
        g.priority = r.priority;
      }
      if (!g.devices.includes(device)) g.devices.push(device);
    }
  }

  /** Adds every group to unique_events, in key order so each b-tree page is visited once. */
  write(upsert: Statement<Bind[]>): void {
    const uniques = [...this.groups.values()].map((g) => ({ g, key: uniqueKey(g.identity) }));
    uniques.sort((a, b) => a.g.orgKey - b.g.orgKey || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const { g, key } of uniques) {
      upsert.run(
        g.orgKey,
        key,
        g.type,
        g.src,
        g.dst,
        g.gid,
        g.sid,
        g.message,
        g.priority,
        g.count,
        g.first,
        g.last,
        JSON.stringify(g.devices.sort()),
      );
    }
  }
}

/** The upsert of one group. SET expressions see the row as it was: message and priority
 * follow the latest event by event time; devices becomes the union of both sets (equal is
 * the common case). */
export function prepareUniqueUpsert(db: Db): Statement<Bind[]> {
  return db.prepare<Bind[]>(
    `INSERT INTO unique_events (org_key, key, type, src_ip, dst_ip, gid, sid, message, priority,
                                count, first_seen, last_seen, devices)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (org_key, key) DO UPDATE SET
       count = count + excluded.count,
       first_seen = min(first_seen, excluded.first_seen),
       last_seen = max(last_seen, excluded.last_seen),
       message = CASE WHEN excluded.last_seen >= last_seen THEN excluded.message ELSE message END,
       priority = CASE WHEN excluded.last_seen >= last_seen THEN excluded.priority ELSE priority END,
       devices = CASE WHEN devices = excluded.devices THEN devices ELSE (
         SELECT json_group_array(value) FROM (
           SELECT value FROM json_each(devices) UNION SELECT value FROM json_each(excluded.devices)))
       END`,
  );
}

/** A unique_events row as the queries read it: times in ms and devices as JSON text. */
export type UniqueRow = Omit<UniqueEvent, 'org_id' | 'first_seen' | 'last_seen' | 'devices'> & {
  first_seen: number;
  last_seen: number;
  devices: string;
};

export function toUniqueEvent(orgId: string, r: UniqueRow): UniqueEvent {
  return {
    key: r.key,
    org_id: orgId,
    type: r.type,
    src_ip: r.src_ip,
    dst_ip: r.dst_ip,
    gid: r.gid,
    sid: r.sid,
    message: r.message,
    priority: r.priority,
    count: r.count,
    first_seen: new Date(r.first_seen).toISOString(),
    last_seen: new Date(r.last_seen).toISOString(),
    devices: JSON.parse(r.devices) as string[],
  };
}
