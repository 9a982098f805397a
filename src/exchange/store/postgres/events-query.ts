// The analyst queries of the event store on PostgreSQL: pages of events, single events, unique
// events, histograms, named(), tail() and counts. Same semantics as SQLite's events-query.ts:
// since inclusive, until exclusive, newest first with keyset cursors.
import { storedEventOf, type EventColumns } from '../event-columns.js';
import type pg from 'pg';
import type { StoredEvent } from '../../../events/event.js';
import { toMs } from '../sqlite/events-keys.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../sqlite/events-query.js';
import type { EventQuery, HistogramBucket, Page, TailFilter, TailPage, TimeSpan, UniqueEvent } from '../types.js';
import { InvalidCursorError } from '../types.js';
import { toUniqueEvent, type UniqueRow } from './events-unique.js';

/** tx in a fixed 11 base-36 digits (any JS-safe integer fits), then n: an id says where the
 * event is in tail() order without a lookup, and stays valid after older events are pruned. */
const TX_DIGITS = 11;

export function eventApiId(tx: number, n: number): string {
  return 'ev-' + tx.toString(36).padStart(TX_DIGITS, '0') + n.toString(36);
}

function parseApiId(id: string): [number, number] | null {
  const m = /^ev-([0-9a-z]{11})([0-9a-z]{1,6})$/.exec(id);
  if (!m) return null;
  const tx = parseInt(m[1] as string, 36);
  return Number.isSafeInteger(tx) ? [tx, parseInt(m[2] as string, 36)] : null;
}

/** Keyset cursors: the sort key of the last row of the page, opaque to clients. */
const encodeCursor = (key: (number | string)[]): string => Buffer.from(JSON.stringify(key)).toString('base64url');

function decodeCursor(cursor: string, shape: ('number' | 'string')[]): (number | string)[] {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    v = null;
  }
  const ok =
    Array.isArray(v) &&
    v.length === shape.length &&
    shape.every((t, i) => (t === 'number' ? Number.isSafeInteger(v[i]) : typeof v[i] === 'string'));
  if (!ok) throw new InvalidCursorError();
  return v as (number | string)[];
}

function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isFinite(limit)) throw new RangeError('invalid limit');
  return Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit)));
}

/** ILIKE pattern for "contains `text`", with the wildcards in the text itself escaped. */
const containsPattern = (text: string): string => '%' + text.replace(/[\\%_]/g, (c) => '\\' + c) + '%';

interface EventRow extends EventColumns {
  tx: number;
  n: number;
  org_id: string;
  device_id: string;
}

const COLUMNS =
  'tx, n, org_id, device_id, event_id, type, ts, src_ip, src_port, dst_ip, dst_port, protocol, gid, sid, rev, ' +
  'message, classification, priority, impact, action, app_proto, policy, observables, raw, received_at, tags';

function toStoredEvent(r: EventRow): StoredEvent {
  return storedEventOf({ id: eventApiId(r.tx, r.n), org_id: r.org_id, device_id: r.device_id }, r);
}

/** Rows that show any of the filter's conditions (as SQLite's tailFilterSql), its parameters
 * numbered from $first. */
function tailFilterSql(f: TailFilter, first: number): { sql: string; params: unknown[] } {
  const any: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => `$${first + params.push(v) - 1}`;
  if (f.priorityMax !== null) any.push(`priority <= ${p(f.priorityMax)}`);
  if (f.impactMax !== null) any.push(`(impact >= 1 AND impact <= ${p(f.impactMax)})`);
  if (f.tagged) any.push('tags IS NOT NULL');
  if (f.sids.length > 0) any.push(`sid = ANY(${p(f.sids)}::bigint[])`);
  return { sql: any.length > 0 ? any.join(' OR ') : 'FALSE', params };
}

/** Conditions joined with AND, and their parameters ($1 …). */
class Where {
  readonly sql: string[] = [];
  readonly params: unknown[] = [];

  add(cond: (...p: string[]) => string, ...values: unknown[]): void {
    const refs = values.map((v) => {
      this.params.push(v);
      return `$${this.params.length}`;
    });
    this.sql.push(cond(...refs));
  }

  next(v: unknown): string {
    this.params.push(v);
    return `$${this.params.length}`;
  }

  toString(): string {
    return this.sql.join(' AND ');
  }
}

/** A query's conditions on events. */
function eventWhere(orgId: string, q: EventQuery): Where {
  const w = new Where();
  w.add((o) => `org_id = ${o}`, orgId);
  if (q.since !== undefined) w.add((s) => `ts >= ${s}`, toMs(q.since, 'since'));
  if (q.until !== undefined) w.add((u) => `ts < ${u}`, toMs(q.until, 'until'));
  if (q.device !== undefined) w.add((d) => `device_id = ${d}`, q.device);
  if (q.type !== undefined) w.add((t) => `type = ${t}`, q.type);
  if (q.sid !== undefined) w.add((s) => `sid = ${s}`, q.sid);
  if (q.observable !== undefined) w.add((o) => `keys @> ARRAY[${o}::text]`, q.observable);
  if (q.q !== undefined && q.q !== '') {
    w.add((p) => `(message ILIKE ${p} ESCAPE '\\' OR classification ILIKE ${p} ESCAPE '\\')`, containsPattern(q.q));
  }
  return w;
}

export class PgEventQueries {
  constructor(private readonly pool: pg.Pool) {}

  async query(orgId: string, q: EventQuery): Promise<Page<StoredEvent>> {
    const limit = pageLimit(q.limit);
    const w = eventWhere(orgId, q);
    if (q.cursor) {
      const [ts, tx, n] = decodeCursor(q.cursor, ['number', 'number', 'number']);
      w.add((a, b, c) => `(ts, tx, n) < (${a}, ${b}, ${c})`, ts, tx, n);
    }
    const r = await this.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE ${w} ORDER BY ts DESC, tx DESC, n DESC LIMIT ${w.next(limit + 1)}`,
      w.params,
    );
    let next: string | null = null;
    if (r.rows.length > limit) {
      r.rows.length = limit;
      const last = r.rows[limit - 1] as EventRow;
      next = encodeCursor([last.ts, last.tx, last.n]);
    }
    return { data: r.rows.map(toStoredEvent), next_cursor: next };
  }

  async get(orgId: string, id: string): Promise<StoredEvent | null> {
    const key = parseApiId(id);
    if (key === null) return null;
    const r = await this.pool.query<EventRow>(`SELECT ${COLUMNS} FROM events WHERE tx = $1 AND n = $2 AND org_id = $3`, [...key, orgId]);
    return r.rows[0] ? toStoredEvent(r.rows[0]) : null;
  }

  /** Newest last_seen first. since/until apply to last_seen; observable matches src or dst. */
  async unique(orgId: string, q: EventQuery): Promise<Page<UniqueEvent>> {
    const limit = pageLimit(q.limit);
    const w = new Where();
    w.add((o) => `org_id = ${o}`, orgId);
    if (q.since !== undefined) w.add((s) => `last_seen >= ${s}`, toMs(q.since, 'since'));
    if (q.until !== undefined) w.add((u) => `last_seen < ${u}`, toMs(q.until, 'until'));
    if (q.type !== undefined) w.add((t) => `type = ${t}`, q.type);
    if (q.sid !== undefined) w.add((s) => `sid = ${s}`, q.sid);
    if (q.observable !== undefined) w.add((o) => `(src_ip = ${o} OR dst_ip = ${o})`, q.observable);
    if (q.device !== undefined) w.add((d) => `${d} = ANY(devices)`, q.device);
    if (q.q !== undefined && q.q !== '') w.add((p) => `message ILIKE ${p} ESCAPE '\\'`, containsPattern(q.q));
    if (q.cursor) {
      const [last, key] = decodeCursor(q.cursor, ['number', 'string']);
      w.add((a, b) => `(last_seen, key) < (${a}, ${b})`, last, key);
    }
    const r = await this.pool.query<UniqueRow>(
      `SELECT key, type, src_ip, dst_ip, gid, sid, message, priority, count, first_seen, last_seen, devices
         FROM unique_events WHERE ${w} ORDER BY last_seen DESC, key DESC LIMIT ${w.next(limit + 1)}`,
      w.params,
    );
    let next: string | null = null;
    if (r.rows.length > limit) {
      r.rows.length = limit;
      const last = r.rows[limit - 1] as UniqueRow;
      next = encodeCursor([last.last_seen, last.key]);
    }
    return { data: r.rows.map((u) => toUniqueEvent(orgId, u)), next_cursor: next };
  }

  /** Non-empty buckets, oldest first; a bucket starts at a multiple of the interval. */
  async histogram(orgId: string, q: EventQuery & { intervalSeconds: number }): Promise<HistogramBucket[]> {
    const width = Math.round(q.intervalSeconds * 1000);
    if (!Number.isFinite(width) || width < 1) throw new RangeError('invalid histogram interval');
    const w = eventWhere(orgId, q);
    const iw = w.next(width);
    // Floors to the bucket also for times before 1970 (% truncates toward zero).
    const r = await this.pool.query<{ bucket: number; n: number }>(
      `SELECT ts - (((ts % ${iw}) + ${iw}) % ${iw}) AS bucket, count(*) AS n FROM events WHERE ${w} GROUP BY bucket ORDER BY bucket`,
      w.params,
    );
    return r.rows.map((b) => ({ start: new Date(b.bucket).toISOString(), count: b.n }));
  }

  /** The times of the oldest and newest matching events, for a histogram that fits them. */
  async span(orgId: string, q: EventQuery): Promise<TimeSpan | null> {
    const w = eventWhere(orgId, q);
    const r = await this.pool.query<{ first: number | null; last: number | null }>(`SELECT min(ts) AS first, max(ts) AS last FROM events WHERE ${w}`, w.params);
    const row = r.rows[0];
    return !row || row.first === null || row.last === null ? null : { first: new Date(row.first).toISOString(), last: new Date(row.last).toISOString() };
  }

  /** Which of the values any of the org's events names: one statement, an index probe each. */
  async named(orgId: string, values: readonly string[]): Promise<Set<string>> {
    const uniq = [...new Set(values)];
    if (uniq.length === 0) return new Set();
    const r = await this.pool.query<{ v: string }>(
      `SELECT v FROM unnest($2::text[]) AS v
        WHERE EXISTS (SELECT 1 FROM events WHERE org_id = $1 AND keys @> ARRAY[v])`,
      [orgId, uniq],
    );
    return new Set(r.rows.map((x) => x.v));
  }

  /**
   * Every org's events in (tx, n) order after a cursor from an earlier call. Only events of
   * transactions older than the bound (see tailBound), read in a later snapshot: every
   * commit below it has ended, so no event can later appear before the cursor.
   */
  async tail(after: string | null, limit: number, filter?: TailFilter): Promise<TailPage> {
    const from = after === null ? [0, -1] : parseApiId(after);
    if (from === null) throw new Error(`tail cursor ${JSON.stringify(after)} is not an event id`);
    const bound = await this.tailBound();
    const n = Math.max(1, Math.min(limit, 10 * MAX_LIMIT));
    // Without raw: consumers reading every event decide on the fields (as in SQLite).
    const cols = COLUMNS.replace(', raw,', ', NULL AS raw,');
    if (filter === undefined) {
      const r = await this.pool.query<EventRow>(
        `SELECT ${cols} FROM events WHERE (tx, n) > ($1, $2) AND tx < $3 ORDER BY tx, n LIMIT $4`,
        [from[0], from[1], bound, n],
      );
      const events = r.rows.map(toStoredEvent);
      return { events, cursor: events.length > 0 ? (events[events.length - 1] as StoredEvent).id : after, more: events.length === n };
    }
    // The next n events' span, as unfiltered; of it, only the rows the filter admits are read
    // whole. The cursor moves to the span's end either way, so nothing is read twice. No row
    // when the span is empty; one with NULL columns when nothing in it matched.
    const cond = tailFilterSql(filter, 5);
    const r = await this.pool.query<EventRow & { edge_tx: number; edge_n: number; seen: number }>(
      `WITH span AS (SELECT tx, n FROM events WHERE (tx, n) > ($1, $2) AND tx < $3 ORDER BY tx, n LIMIT $4),
            edge AS (SELECT tx, n, (SELECT count(*) FROM span)::int AS seen FROM span ORDER BY tx DESC, n DESC LIMIT 1)
       SELECT edge.tx AS edge_tx, edge.n AS edge_n, edge.seen, e.*
         FROM edge LEFT JOIN LATERAL (
           SELECT ${cols} FROM events
            WHERE (tx, n) > ($1, $2) AND (tx, n) <= (edge.tx, edge.n) AND (${cond.sql})
            ORDER BY tx, n) e ON TRUE
        ORDER BY e.tx, e.n`,
      [from[0], from[1], bound, n, ...cond.params],
    );
    const edge = r.rows[0];
    if (edge === undefined) return { events: [], cursor: after, more: false };
    const events = edge.tx === null ? [] : r.rows.map(toStoredEvent);
    return { events, cursor: eventApiId(Number(edge.edge_tx), edge.edge_n), more: edge.seen === n };
  }

  /**
   * The oldest transaction that may still add events: the oldest one running that writes to
   * this schema's event_ids (a commit's first write, so it holds that lock from before it had
   * an id), else the next id to be given. Scoped to this schema, so another deployment's or a
   * person's long transaction elsewhere on the server does not hold tail() back.
   *
   * Why it is safe, read in a statement of its own before the events: a commit whose id is
   * below the bound had its id before this statement began. If it still runs when the events
   * are read, it ran through this statement too, was in the snapshot's list of running ones
   * and held its lock on event_ids when pg_locks was read, so the bound is at most its id.
   */
  private async tailBound(): Promise<number> {
    const r = await this.pool.query<{ bound: number }>(
      `WITH s AS (SELECT pg_current_snapshot() AS snap),
            writing AS (
              SELECT x.transactionid::text::bigint AS xid32
                FROM pg_locks rel JOIN pg_locks x
                  ON x.virtualtransaction = rel.virtualtransaction AND x.locktype = 'transactionid' AND x.mode = 'ExclusiveLock' AND x.granted
               WHERE rel.locktype = 'relation' AND rel.relation = 'event_ids'::regclass
                 AND rel.database = (SELECT oid FROM pg_database WHERE datname = current_database()))
       SELECT least(
                pg_snapshot_xmax(snap)::text::bigint,
                (SELECT min(t::text::bigint) FROM pg_snapshot_xip(snap) AS t
                  WHERE t::text::bigint % 4294967296 IN (SELECT xid32 FROM writing))) AS bound
         FROM s`,
    );
    return r.rows[0]!.bound;
  }

  async count(orgId?: string): Promise<number> {
    const r =
      orgId === undefined
        ? await this.pool.query<{ n: number }>('SELECT coalesce(sum(n), 0)::bigint AS n FROM event_counts')
        : await this.pool.query<{ n: number }>('SELECT coalesce(sum(n), 0)::bigint AS n FROM event_counts WHERE org_id = $1', [orgId]);
    return r.rows[0]?.n ?? 0;
  }
}
