// The ingest hot path: events in, as rows of the events table, in one transaction.
//
// The transaction reads the items as rows of column values (RowSource), one row at a time into
// a reused array, so a batch's column values are never all alive at once (less GC); of each
// row stored, only the few values the indexer needs are kept, until it has taken them.
//
// The insert touches nothing that lands at random places in a b-tree: the dedup key and
// (org_key, ts) are the only indexes of events. event_key_sets and unique_events are the
// indexer's (events-indexer.ts).
import type { Statement } from 'better-sqlite3';
import type { CommitItem } from '../types.js';
import type { Db } from './db.js';
import type { PendingRow } from './events-indexer.js';
import { toMs, type Bind } from './events-keys.js';
import type { KeyMap } from './keys.js';

/** Values per row: org_id, device_id, then the events columns event_id … raw, then tags. */
export const ROW_WIDTH = 23;

/** Fills `out` with the ROW_WIDTH values of item i. Throws on an unparseable time (the
 * caller validated it, so that is a bug, and the whole commit fails as it would in SQL). */
function itemValues(item: CommitItem, out: Bind[]): void {
  const e = item.event;
  const sig = e.signature;
  out[0] = item.org_id;
  out[1] = item.device_id;
  out[2] = e.event_id;
  out[3] = e.type;
  out[4] = toMs(e.time, 'event');
  out[5] = e.src_ip ?? null;
  out[6] = e.src_port ?? null;
  out[7] = e.dst_ip ?? null;
  out[8] = e.dst_port ?? null;
  out[9] = e.protocol ?? null;
  out[10] = sig ? sig.gid : null;
  out[11] = sig ? sig.sid : null;
  out[12] = sig?.rev ?? null;
  out[13] = sig?.message ?? null;
  out[14] = sig?.classification ?? null;
  out[15] = sig?.priority ?? null;
  out[16] = e.impact ?? null;
  out[17] = e.action ?? null;
  out[18] = e.app_proto ?? null;
  out[19] = e.policy ?? null;
  out[20] = e.observables ? JSON.stringify(e.observables) : null;
  out[21] = item.raw_json ?? (e.raw === undefined ? null : JSON.stringify(e.raw));
  // Set by beforeCommit hooks (feed matches); most events have none.
  out[22] = e.tags !== undefined && e.tags.length > 0 ? JSON.stringify(e.tags) : null;
}

/** Rows read one after another, each into a reused array: the values of one row are garbage
 * as soon as it is inserted, so a batch of thousands never has them all alive at once. */
export interface RowSource {
  readonly count: number;
  next(out: Bind[]): void;
}

export function itemRows(items: readonly CommitItem[]): RowSource {
  let i = 0;
  return { count: items.length, next: (out) => itemValues(items[i++] as CommitItem, out) };
}

/** floor(ts / 60000), before 1970 too (event_minutes.minute). */
export function minuteOf(ts: number): number {
  return Math.floor(ts / 60_000);
}

/** Events per (org, minute), counted in runs: a batch is mostly one org and a few minutes, so
 * most events only bump the current run's counter. */
export class MinuteCounts {
  private readonly byOrg = new Map<number, Map<number, number>>();
  private org = 0;
  private minute = NaN;
  private run = 0;

  add(org: number, ts: number): void {
    const m = minuteOf(ts);
    if (org === this.org && m === this.minute) {
      this.run++;
      return;
    }
    this.flush();
    this.org = org;
    this.minute = m;
    this.run = 1;
  }

  forEach(f: (org: number, minute: number, n: number) => void): void {
    this.flush();
    for (const [org, ms] of this.byOrg) for (const [m, n] of ms) f(org, m, n);
  }

  private flush(): void {
    if (this.run === 0) return;
    let ms = this.byOrg.get(this.org);
    if (!ms) this.byOrg.set(this.org, (ms = new Map()));
    ms.set(this.minute, (ms.get(this.minute) ?? 0) + this.run);
    this.run = 0;
  }
}

export class EventInserter {
  private readonly insertStmt: Statement<Bind[]>;
  private readonly countUpStmt: Statement<[number, number]>;
  private readonly minuteUpStmt: Statement<[number, number, number]>;

  constructor(
    db: Db,
    private readonly orgKeys: KeyMap,
    private readonly deviceKeys: KeyMap,
  ) {
    this.insertStmt = db.prepare<Bind[]>(
      `INSERT INTO events (org_key, device_key, event_id, type, ts, src_ip, src_port, dst_ip, dst_port, protocol,
                           gid, sid, rev, message, classification, priority, impact, action, app_proto, policy,
                           observables, raw, received_at, tags)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (device_key, event_id) DO NOTHING`,
    );
    this.countUpStmt = db.prepare(
      'INSERT INTO event_counts (org_key, n) VALUES (?, ?) ON CONFLICT (org_key) DO UPDATE SET n = n + excluded.n',
    );
    this.minuteUpStmt = db.prepare(
      'INSERT INTO event_minutes (org_key, minute, n) VALUES (?, ?, ?) ON CONFLICT (org_key, minute) DO UPDATE SET n = n + excluded.n',
    );
  }

  /**
   * Inside a write transaction: inserts the encoded rows, sets inserted[i] to 1 for each
   * stored now (0: its event_id was already stored), appends what the indexer needs of each
   * to `stored`, and returns the highest rowid inserted (or `maxRowid` when none was).
   */
  insert(rows: RowSource, inserted: Uint8Array, maxRowid: number, stored: PendingRow[]): number {
    const receivedAt = Date.now();
    const counts = new Map<number, number>();
    const minutes = new MinuteCounts();
    let lastOrg: Bind = null;
    let orgKey = 0;
    let lastDevice: Bind = null;
    let deviceKey = 0;
    let countOrg = -1;
    let counted = 0;
    const v = new Array<Bind>(ROW_WIDTH);
    for (let i = 0; i < rows.count; i++) {
      rows.next(v);
      // A batch mostly comes from one device of one org: skip the map lookups then.
      const org = v[0] as string;
      if (org !== lastOrg) {
        orgKey = this.orgKeys.ensure(org);
        lastOrg = org;
      }
      const device = v[1] as string;
      if (device !== lastDevice) {
        deviceKey = this.deviceKeys.ensure(device);
        lastDevice = device;
      }
      const res = this.insertStmt.run(
        orgKey,
        deviceKey,
        v[2] as Bind,
        v[3] as Bind,
        v[4] as Bind,
        v[5] as Bind,
        v[6] as Bind,
        v[7] as Bind,
        v[8] as Bind,
        v[9] as Bind,
        v[10] as Bind,
        v[11] as Bind,
        v[12] as Bind,
        v[13] as Bind,
        v[14] as Bind,
        v[15] as Bind,
        v[16] as Bind,
        v[17] as Bind,
        v[18] as Bind,
        v[19] as Bind,
        v[20] as Bind,
        v[21] as Bind,
        receivedAt,
        v[22] as Bind,
      );
      if (res.changes === 1) {
        inserted[i] = 1;
        maxRowid = Number(res.lastInsertRowid);
        stored.push({
          rowid: maxRowid,
          org_key: orgKey,
          device_key: deviceKey,
          type: v[3] as PendingRow['type'],
          ts: v[4] as number,
          src_ip: v[5] as string | null,
          dst_ip: v[7] as string | null,
          gid: v[10] as number | null,
          sid: v[11] as number | null,
          message: v[13] as string | null,
          priority: v[15] as number | null,
          observables: v[20] as string | null,
        });
        if (orgKey !== countOrg) {
          if (counted > 0) counts.set(countOrg, (counts.get(countOrg) ?? 0) + counted);
          countOrg = orgKey;
          counted = 0;
        }
        counted++;
        minutes.add(orgKey, v[4] as number);
      }
    }
    if (counted > 0) counts.set(countOrg, (counts.get(countOrg) ?? 0) + counted);
    for (const [org, k] of counts) this.countUpStmt.run(org, k);
    minutes.forEach((org, minute, k) => this.minuteUpStmt.run(org, minute, k));
    return maxRowid;
  }
}
