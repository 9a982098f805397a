// The analyst queries of the event store: pages of events (by time, or through the lookup
// index, event_key_sets), single events, unique events, histograms and counts. Reads only,
// apart from bringing the indexer up to date (catchUp) before a read that needs event_key_sets
// or unique_events, so that no read sees them behind.
import { storedEventOf } from '../event-columns.js';
import { EVENT_COLUMNS, TAIL_COLUMNS, eventApiId, eventRowOf, rowidOf, tailFilterSql, type EventRow } from './events-rows.js';
import type { Statement } from 'better-sqlite3';
import type { StoredEvent } from '../../../events/event.js';
import type { EventQuery, HistogramBucket, Page, TailFilter, TailPage, TimeSpan, UniqueEvent } from '../types.js';
import { InvalidCursorError } from '../types.js';
import type { Db } from './db.js';
import { KIND_DST, KIND_OBSERVABLE, KIND_SID, KIND_SRC, toMs, type Bind } from './events-keys.js';
import { toUniqueEvent, type UniqueRow } from './events-unique.js';
import type { KeyMap } from './keys.js';
import { minuteHistogram, MINUTE } from './events-minute-histogram.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** Keyset cursors: the sort key of the last row of the page, opaque to clients. */
function encodeCursor(a: number, b: number | string): string {
  return Buffer.from(JSON.stringify([a, b])).toString('base64url');
}

function decodeCursor<B extends 'number' | 'string'>(
  cursor: string,
  second: B,
): [number, B extends 'number' ? number : string] {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    v = null;
  }
  if (!Array.isArray(v) || v.length !== 2 || !Number.isSafeInteger(v[0]) || typeof v[1] !== second) {
    throw new InvalidCursorError();
  }
  return v as [number, B extends 'number' ? number : string];
}

function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isFinite(limit)) throw new RangeError('invalid limit');
  return Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit)));
}

/** LIKE pattern for "contains `text`", with the wildcards in the text itself escaped. */
function containsPattern(text: string): string {
  return '%' + text.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
}

// ---- query building -------------------------------------------------------------------

interface Where {
  sql: string[];
  params: Bind[];
}

interface Lookup {
  kind: number;
  value: string | number;
}

/** What a lookup reads of a set to choose a bound (see lookupBound). */
interface SetMeta {
  min_ts: number;
  max_ts: number;
  n: number;
}

interface Plan {
  orgKey: number;
  since: number | null;
  until: number | null;
  /** The values to read the events of from event_key_sets, or null to read events by (org_key, ts). */
  lookups: Lookup[] | null;
  /** What is left to check on the event row. */
  rows: Where;
}

export class EventQueries {
  private readonly getStmt: Statement<[number, number], unknown[]>;
  private readonly countOrgStmt: Statement<[number], number>;
  private readonly countAllStmt: Statement<[], number>;
  private readonly tailStmt: Statement<[number, number], unknown[]>;
  private readonly maxRowidStmt: Statement<[], number | null>;
  /** Query statements by SQL text: the filter combinations are few, so all get reused. */
  private readonly cache = new Map<string, Statement<Bind[]>>();
  /** Statements that read EVENT_COLUMNS, in raw mode (a statement's mode is its own, so these
   * are kept apart from the others). */
  private readonly eventCache = new Map<string, Statement<Bind[], unknown[]>>();

  constructor(
    private readonly db: Db,
    private readonly orgKeys: KeyMap,
    private readonly deviceKeys: KeyMap,
    /** Brings event_key_sets and unique_events up to the last committed event. */
    private readonly catchUp: () => void,
  ) {
    this.getStmt = db.prepare<[number, number], unknown[]>(`SELECT ${EVENT_COLUMNS} FROM events WHERE rowid = ? AND org_key = ?`).raw(true);
    this.countOrgStmt = db.prepare<[number], number>('SELECT n FROM event_counts WHERE org_key = ?').pluck();
    this.countAllStmt = db.prepare<[], number>('SELECT coalesce(sum(n), 0) FROM event_counts').pluck();
    this.maxRowidStmt = db.prepare<[], number | null>('SELECT max(rowid) FROM events').pluck();
    this.tailStmt = db.prepare<[number, number], unknown[]>(`SELECT ${TAIL_COLUMNS} FROM events WHERE rowid > ? ORDER BY rowid LIMIT ?`).raw(true);
  }

  private stmt(sql: string): Statement<Bind[]> {
    let s = this.cache.get(sql);
    if (s === undefined) {
      s = this.db.prepare<Bind[]>(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  /** A statement that reads event rows (EVENT_COLUMNS or TAIL_COLUMNS), in raw mode. */
  private eventStmt(sql: string): Statement<Bind[], unknown[]> {
    let s = this.eventCache.get(sql);
    if (s === undefined) {
      s = this.db.prepare<Bind[], unknown[]>(sql).raw(true);
      this.eventCache.set(sql, s);
    }
    return s;
  }

  /** The event rows a SELECT of EVENT_COLUMNS returns. */
  private eventRows(sql: string, params: Bind[]): EventRow[] {
    return this.eventStmt(sql).all(...params).map(eventRowOf);
  }

  private toStoredEvent(orgId: string, r: EventRow): StoredEvent {
    return storedEventOf({ id: eventApiId(r.rowid), org_id: orgId, device_id: this.deviceKeys.idOf(r.device_key) }, r);
  }

  /** A row of TAIL_COLUMNS as an event of its org. */
  private tailEvent(a: unknown[]): StoredEvent {
    return this.toStoredEvent(this.orgKeys.idOf(a[24] as number), eventRowOf(a));
  }

  /**
   * The conditions of a query on the event row itself, beyond org and time: device, type, q,
   * and sid unless a lookup already does it. Null when nothing can match.
   */
  private rowFilters(q: EventQuery, p: string, sid: boolean): Where | null {
    const w: Where = { sql: [], params: [] };
    if (q.device !== undefined) {
      const deviceKey = this.deviceKeys.find(q.device);
      if (deviceKey === null) return null;
      w.sql.push(`${p}device_key = ?`);
      w.params.push(deviceKey);
    }
    if (q.type !== undefined) {
      w.sql.push(`${p}type = ?`);
      w.params.push(q.type);
    }
    if (sid && q.sid !== undefined) {
      w.sql.push(`${p}sid = ?`);
      w.params.push(q.sid);
    }
    if (q.q !== undefined && q.q !== '') {
      // LIKE is case-insensitive for ASCII in SQLite.
      const pat = containsPattern(q.q);
      w.sql.push(`(${p}message LIKE ? ESCAPE '\\' OR ${p}classification LIKE ? ESCAPE '\\')`);
      w.params.push(pat, pat);
    }
    return w;
  }

  /**
   * How to find a query's events: off the (org_key, ts) index when it names no observable
   * or sid, else off the lookup sets of the value (src, dst and observable for `observable`;
   * sid for `sid`), with what is left checked on the event row.
   */
  private plan(orgId: string, q: EventQuery): Plan | null {
    const orgKey = this.orgKeys.find(orgId);
    if (orgKey === null) return null;
    const since = q.since === undefined ? null : toMs(q.since, 'since');
    const until = q.until === undefined ? null : toMs(q.until, 'until');
    let lookups: Lookup[] | null = null;
    if (q.observable !== undefined) {
      lookups = [KIND_SRC, KIND_DST, KIND_OBSERVABLE].map((kind) => ({ kind, value: q.observable as string }));
    } else if (q.sid !== undefined) {
      lookups = [{ kind: KIND_SID, value: q.sid }];
    }
    const rows = this.rowFilters(q, lookups === null ? '' : 'e.', lookups === null || q.observable !== undefined);
    if (rows === null) return null;
    if (lookups !== null) this.catchUp();
    return { orgKey, since, until, lookups, rows };
  }

  /**
   * One value's entries as a SELECT of (rowid, ts), newest first and at most `limit` when one
   * is given. Entries older than `bound` are left out; a set wholly outside the time range is
   * skipped without reading its entries.
   */
  private lookupSql(plan: Plan, l: Lookup, cursor: [number, number] | null, limit: number | null, bound: number | null): Where {
    const sets: Where = { sql: ['s.org_key = ?', 's.kind = ?', 's.value = ?'], params: [plan.orgKey, l.kind, l.value] };
    const w: Where = { sql: [], params: [] };
    const lower = plan.since === null ? bound : bound === null ? plan.since : Math.max(plan.since, bound);
    if (lower !== null) {
      sets.sql.push('s.max_ts >= ?');
      sets.params.push(lower);
      w.sql.push('k.ts >= ?');
      w.params.push(lower);
    }
    if (plan.until !== null) {
      sets.sql.push('s.min_ts < ?');
      sets.params.push(plan.until);
      w.sql.push('k.ts < ?');
      w.params.push(plan.until);
    }
    if (cursor) {
      sets.sql.push('s.min_ts <= ?');
      sets.params.push(cursor[0]);
      w.sql.push('(k.ts, k.rowid) < (?, ?)');
      w.params.push(cursor[0], cursor[1]);
    }
    w.sql.push(...plan.rows.sql);
    w.params.push(...plan.rows.params);
    const entries =
      'SELECT s.first_rowid + (j.value ->> 0) AS rowid, s.min_ts + (j.value ->> 1) AS ts ' +
      `FROM event_key_sets s, json_each(s.entries) j WHERE ${sets.sql.join(' AND ')}`;
    // Only join the event row when a condition needs it: otherwise the lookup reads nothing
    // but event_key_sets.
    const from = plan.rows.sql.length > 0 ? `(${entries}) k JOIN events e ON e.rowid = k.rowid` : `(${entries}) k`;
    let sql = `SELECT k.rowid AS rowid, k.ts AS ts FROM ${from}`;
    if (w.sql.length > 0) sql += ` WHERE ${w.sql.join(' AND ')}`;
    const params = [...sets.params, ...w.params];
    if (limit !== null) {
      sql = `SELECT rowid, ts FROM (${sql} ORDER BY k.ts DESC, k.rowid DESC LIMIT ?)`;
      params.push(limit);
    }
    return { sql: [sql], params };
  }

  /**
   * A time at or above which a page of `want` entries is likely found: the oldest min_ts of the
   * newest sets that hold `want` entries together. Null when all the sets together hold fewer.
   * Only a guess (filters and the cursor leave entries out), so the caller widens on a miss.
   */
  private lookupBound(plan: Plan, cursor: [number, number] | null, want: number): number | null {
    const metas: SetMeta[] = [];
    for (const l of plan.lookups ?? []) {
      const w: Where = { sql: ['org_key = ?', 'kind = ?', 'value = ?'], params: [plan.orgKey, l.kind, l.value] };
      if (plan.since !== null) {
        w.sql.push('max_ts >= ?');
        w.params.push(plan.since);
      }
      if (plan.until !== null) {
        w.sql.push('min_ts < ?');
        w.params.push(plan.until);
      }
      if (cursor) {
        w.sql.push('min_ts <= ?');
        w.params.push(cursor[0]);
      }
      metas.push(...(this.stmt(`SELECT min_ts, max_ts, n FROM event_key_sets WHERE ${w.sql.join(' AND ')}`).all(...w.params) as SetMeta[]));
    }
    metas.sort((a, b) => b.max_ts - a.max_ts);
    let n = 0;
    let bound = Infinity;
    for (const m of metas) {
      n += m.n;
      if (m.min_ts < bound) bound = m.min_ts;
      if (n >= want) return bound;
    }
    return null;
  }

  /** Conditions on events for a plan that reads the events table directly. */
  private directWhere(plan: Plan, cursor: [number, number] | null): Where {
    const w: Where = { sql: ['org_key = ?'], params: [plan.orgKey] };
    if (plan.since !== null) {
      w.sql.push('ts >= ?');
      w.params.push(plan.since);
    }
    if (plan.until !== null) {
      w.sql.push('ts < ?');
      w.params.push(plan.until);
    }
    w.sql.push(...plan.rows.sql);
    w.params.push(...plan.rows.params);
    if (cursor) {
      w.sql.push('(ts, rowid) < (?, ?)');
      w.params.push(cursor[0], cursor[1]);
    }
    return w;
  }

  /** Newest first; since is inclusive and until exclusive, here and in unique() and histogram(). */
  async query(orgId: string, q: EventQuery): Promise<Page<StoredEvent>> {
    const limit = pageLimit(q.limit);
    const cursor = q.cursor ? decodeCursor(q.cursor, 'number') : null;
    const plan = this.plan(orgId, q);
    if (plan === null) return { data: [], next_cursor: null };
    if (plan.lookups !== null) return this.lookupPage(orgId, plan, cursor, limit);
    const w = this.directWhere(plan, cursor);
    const sql = `SELECT ${EVENT_COLUMNS} FROM events WHERE ${w.sql.join(' AND ')} ORDER BY ts DESC, rowid DESC LIMIT ?`;
    return this.page(orgId, this.eventRows(sql, [...w.params, limit + 1]), limit);
  }

  /** A page of a query that reads event_key_sets. */
  private lookupPage(orgId: string, plan: Plan, cursor: [number, number] | null, limit: number): Page<StoredEvent> {
    // Entries newer than a bound first, so that a page reads the newest sets rather than every
    // entry of the value; when too few of those match, again with a bound four times as wide,
    // and at last with none. A page off the bound is exact: whatever it left out is older.
    for (let want = limit + 1; ; want *= 4) {
      const bound = this.lookupBound(plan, cursor, want);
      // Each value newest first, stopping after a page, then merged: an OR of the values
      // would have SQLite collect and sort every match for every page.
      const branches: string[] = [];
      const params: Bind[] = [];
      for (const l of plan.lookups ?? []) {
        const b = this.lookupSql(plan, l, cursor, limit + 1, bound);
        branches.push(`SELECT rowid FROM (${b.sql[0]})`);
        params.push(...b.params);
      }
      const sql = `SELECT ${EVENT_COLUMNS} FROM events WHERE rowid IN (${branches.join(' UNION ')}) ORDER BY ts DESC, rowid DESC LIMIT ?`;
      const rows = this.eventRows(sql, [...params, limit + 1]);
      if (rows.length > limit || bound === null) return this.page(orgId, rows, limit);
    }
  }

  private page(orgId: string, rows: EventRow[], limit: number): Page<StoredEvent> {
    let next: string | null = null;
    if (rows.length > limit) {
      rows.length = limit;
      const last = rows[limit - 1] as EventRow;
      next = encodeCursor(last.ts, last.rowid);
    }
    return { data: rows.map((r) => this.toStoredEvent(orgId, r)), next_cursor: next };
  }

  /** Which of the values any of the org's events names (an address or a sensor-reported
   * observable): one statement per chunk of values instead of a query per value. */
  named(orgId: string, values: readonly string[]): Set<string> {
    const out = new Set<string>();
    const orgKey = this.orgKeys.find(orgId);
    const uniq = [...new Set(values)];
    if (orgKey === null || uniq.length === 0) return out;
    this.catchUp();
    for (let i = 0; i < uniq.length; i += 500) {
      const chunk = uniq.slice(i, i + 500);
      const rows = this.stmt(
        `SELECT DISTINCT value FROM event_key_sets WHERE org_key = ? AND kind IN (${KIND_SRC}, ${KIND_DST}, ${KIND_OBSERVABLE})
         AND value IN (${chunk.map(() => '?').join(', ')})`,
      ).all(orgKey, ...chunk) as Array<{ value: string }>;
      for (const r of rows) out.add(r.value);
    }
    return out;
  }

  /** Every org's events in the order they were stored, after a cursor from an earlier call.
   * With a filter, `limit` is a span of rowids read, and only the events in it that show one of
   * the filter's conditions are made objects: the rest are passed over inside SQLite. */
  tail(after: string | null, limit: number, filter?: TailFilter): TailPage {
    const from = after === null ? 0 : rowidOf(after);
    if (from === null && after !== null) throw new Error(`tail cursor ${JSON.stringify(after)} is not an event id`);
    const n = Math.max(1, Math.min(limit, 10 * MAX_LIMIT));
    if (filter === undefined) {
      const rows = this.tailStmt.all(from ?? 0, n);
      const events = rows.map((a) => this.tailEvent(a));
      return { events, cursor: events.length > 0 ? events[events.length - 1]!.id : after, more: rows.length === n };
    }
    // Up to the highest rowid committed now: a commit of another connection after this read
    // gets rowids above it, so the cursor never passes an event not yet visible.
    const max = this.maxRowidStmt.get() ?? 0;
    const upto = Math.min((from ?? 0) + n, max);
    if (upto <= (from ?? 0)) return { events: [], cursor: after, more: false };
    const { sql, params } = tailFilterSql(filter);
    const events = this.eventStmt(sql).all(from ?? 0, upto, ...params).map((a) => this.tailEvent(a));
    return { events, cursor: eventApiId(upto), more: upto < max };
  }

  async get(orgId: string, id: string): Promise<StoredEvent | null> {
    const rowid = rowidOf(id);
    const orgKey = this.orgKeys.find(orgId);
    if (rowid === null || orgKey === null) return null;
    const a = this.getStmt.get(rowid, orgKey);
    return a ? this.toStoredEvent(orgId, eventRowOf(a)) : null;
  }

  /** Newest last_seen first. since/until apply to last_seen; observable matches src or dst. */
  async unique(orgId: string, q: EventQuery): Promise<Page<UniqueEvent>> {
    const limit = pageLimit(q.limit);
    const cursor = q.cursor ? decodeCursor(q.cursor, 'string') : null;
    const orgKey = this.orgKeys.find(orgId);
    if (orgKey === null) return { data: [], next_cursor: null };
    this.catchUp();
    const w: Where = { sql: ['org_key = ?'], params: [orgKey] };
    if (q.since !== undefined) {
      w.sql.push('last_seen >= ?');
      w.params.push(toMs(q.since, 'since'));
    }
    if (q.until !== undefined) {
      w.sql.push('last_seen < ?');
      w.params.push(toMs(q.until, 'until'));
    }
    if (q.type !== undefined) {
      w.sql.push('type = ?');
      w.params.push(q.type);
    }
    if (q.sid !== undefined) {
      w.sql.push('sid = ?');
      w.params.push(q.sid);
    }
    if (q.observable !== undefined) {
      w.sql.push('(src_ip = ? OR dst_ip = ?)');
      w.params.push(q.observable, q.observable);
    }
    if (q.device !== undefined) {
      w.sql.push('EXISTS (SELECT 1 FROM json_each(devices) WHERE value = ?)');
      w.params.push(q.device);
    }
    if (q.q !== undefined && q.q !== '') {
      w.sql.push("message LIKE ? ESCAPE '\\'");
      w.params.push(containsPattern(q.q));
    }
    if (cursor) {
      w.sql.push('(last_seen, key) < (?, ?)');
      w.params.push(cursor[0], cursor[1]);
    }
    const sql =
      'SELECT key, type, src_ip, dst_ip, gid, sid, message, priority, count, first_seen, last_seen, devices ' +
      `FROM unique_events WHERE ${w.sql.join(' AND ')} ORDER BY last_seen DESC, key DESC LIMIT ?`;
    const rows = this.stmt(sql).all(...w.params, limit + 1) as UniqueRow[];
    let next: string | null = null;
    if (rows.length > limit) {
      rows.length = limit;
      const last = rows[limit - 1] as UniqueRow;
      next = encodeCursor(last.last_seen, last.key);
    }
    return { data: rows.map((r) => toUniqueEvent(orgId, r)), next_cursor: next };
  }

  /** Non-empty buckets, oldest first; a bucket starts at a multiple of the interval. */
  async histogram(orgId: string, q: EventQuery & { intervalSeconds: number }): Promise<HistogramBucket[]> {
    const width = Math.round(q.intervalSeconds * 1000);
    if (!Number.isFinite(width) || width < 1) throw new RangeError('invalid histogram interval');
    const plan = this.plan(orgId, q);
    if (plan === null) return [];
    if (plan.lookups === null && plan.rows.sql.length === 0 && width % MINUTE === 0) return minuteHistogram({
      orgKey: plan.orgKey, since: plan.since, until: plan.until,
      eventsWhere: (from, to) => this.directWhere({ ...plan, since: from, until: to }, null),
      all: (sql, params) => this.stmt(sql).all(...params) as { bucket: number; n: number }[],
    }, width);
    let from: string;
    const params: Bind[] = [width, width, width];
    if (plan.lookups === null) {
      const w = this.directWhere(plan, null);
      from = `events WHERE ${w.sql.join(' AND ')}`;
      params.push(...w.params);
    } else {
      // UNION: an event matching two ranges (src and dst the same address) counts once.
      const parts = plan.lookups.map((l) => this.lookupSql(plan, l, null, null, null));
      from = `(${parts.map((b) => b.sql[0]).join(' UNION ')})`;
      for (const b of parts) params.push(...b.params);
    }
    // Floors to the bucket also for times before 1970 (% truncates toward zero).
    const sql = `SELECT ts - (((ts % ?) + ?) % ?) AS bucket, count(*) AS n FROM ${from} GROUP BY bucket ORDER BY bucket`;
    const rows = this.stmt(sql).all(...params) as { bucket: number; n: number }[];
    return rows.map((r) => ({ start: new Date(r.bucket).toISOString(), count: r.n }));
  }

  /** The times of the oldest and newest matching events, for a histogram that fits them. */
  async span(orgId: string, q: EventQuery): Promise<TimeSpan | null> {
    const plan = this.plan(orgId, q);
    if (plan === null) return null;
    let first: number | null;
    let last: number | null;
    if (plan.lookups === null) {
      // Each end alone off the (org_key, ts) index: min() and max() in one SELECT scan the range.
      const w = this.directWhere(plan, null);
      const end = (order: 'ASC' | 'DESC') =>
        (this.stmt(`SELECT ts FROM events WHERE ${w.sql.join(' AND ')} ORDER BY ts ${order} LIMIT 1`).get(...w.params) as { ts: number } | undefined)?.ts ?? null;
      first = end('ASC');
      last = end('DESC');
    } else {
      const parts = plan.lookups.map((l) => this.lookupSql(plan, l, null, null, null));
      const row = this.stmt(`SELECT min(ts) AS first, max(ts) AS last FROM (${parts.map((b) => b.sql[0]).join(' UNION ALL ')})`)
        .get(...parts.flatMap((b) => b.params)) as { first: number | null; last: number | null };
      ({ first, last } = row);
    }
    return first === null || last === null ? null : { first: new Date(first).toISOString(), last: new Date(last).toISOString() };
  }

  async count(orgId?: string): Promise<number> {
    if (orgId === undefined) return this.countAllStmt.get() ?? 0;
    const orgKey = this.orgKeys.find(orgId);
    return orgKey === null ? 0 : (this.countOrgStmt.get(orgKey) ?? 0);
  }
}
