// The event store: the ingest hot path (commit) and the analyst queries.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import type { Statement } from 'better-sqlite3';
import type { EventObservables, EventType, Signature, StoredEvent } from '../../../events/event.js';
import type {
  CommitItem,
  CommitResult,
  EventQuery,
  EventStore,
  HistogramBucket,
  Page,
  UniqueEvent,
} from '../types.js';
import type { Db } from './db.js';

type Bind = string | number | null;

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
/** Later than any event time (8.64e15 ms is the end of the Date range). */
const END_OF_TIME = Number.MAX_SAFE_INTEGER;

// ---- ids and cursors ------------------------------------------------------------------

/** The API id of an event: derived from its rowid, which AUTOINCREMENT never reuses. */
export function eventApiId(rowid: number): string {
  return 'ev-' + rowid.toString(36);
}

function rowidOf(id: string): number | null {
  if (!/^ev-[0-9a-z]{1,10}$/.test(id)) return null;
  const n = parseInt(id.slice(3), 36);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

function encodeCursor(a: number, b: number): string {
  return Buffer.from(`${a}:${b}`).toString('base64url');
}

function decodeCursor(cursor: string): [number, number] {
  const m = /^(-?\d{1,16}):(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString());
  const a = m ? Number(m[1]) : NaN;
  const b = m ? Number(m[2]) : NaN;
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) throw new RangeError('invalid cursor');
  return [a, b];
}

function toMs(iso: string, what: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new RangeError(`invalid ${what} time: ${JSON.stringify(iso)}`);
  return ms;
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

// ---- observables ----------------------------------------------------------------------

const OBSERVABLE_KINDS = ['domain', 'url', 'md5', 'sha1', 'sha256', 'user', 'file_name', 'email'] as const;

/** The distinct values the sensor reported, for event_observables. */
function observableValues(o: EventObservables): string[] {
  const out: string[] = [];
  for (const kind of OBSERVABLE_KINDS) {
    const list = o[kind];
    if (!list) continue;
    for (const v of list) if (typeof v === 'string' && v !== '' && !out.includes(v)) out.push(v);
  }
  return out;
}

// ---- unique events --------------------------------------------------------------------

interface UniqueAgg {
  org: string;
  type: EventType;
  src: string | null;
  dst: string | null;
  gid: number | null;
  sid: number | null;
  /** The group's identity, before hashing into the stored key. */
  identity: string;
  message: string | null;
  priority: number | null;
  latest: number;
  count: number;
  first: number;
  devices: string[];
}

/** What makes two events "the same" for the unique-events view, per type. */
function uniqueIdentity(item: CommitItem): { identity: string; gid: number | null; sid: number | null } {
  const e = item.event;
  const src = e.src_ip ?? null;
  const dst = e.dst_ip ?? null;
  const sig = e.signature;
  switch (e.type) {
    case 'intrusion': {
      const gid = sig?.gid ?? null;
      const sid = sig?.sid ?? null;
      return { identity: JSON.stringify([e.type, src, dst, gid, sid]), gid, sid };
    }
    case 'connection':
      return { identity: JSON.stringify([e.type, src, dst, sig?.message ?? '']), gid: null, sid: null };
    case 'file':
    case 'malware': {
      const o = e.observables;
      const what = o?.sha256?.[0] ?? o?.sha1?.[0] ?? o?.md5?.[0] ?? o?.file_name?.[0] ?? sig?.message ?? '';
      return { identity: JSON.stringify([e.type, src, dst, what]), gid: null, sid: null };
    }
    default:
      // Types this store does not know get no unique row (the event is still stored).
      return { identity: '', gid: null, sid: null };
  }
}

/** A fixed-length key for the group: 128 bits of SHA-256 over the identity, base64url. */
function uniqueKey(identity: string): string {
  return createHash('sha256').update(identity).digest('base64url').slice(0, 22);
}

// ---- rows -----------------------------------------------------------------------------

interface EventRow {
  rowid: number;
  org_id: string;
  device_id: string;
  event_id: string;
  type: EventType;
  ts: number;
  src_ip: string | null;
  src_port: number | null;
  dst_ip: string | null;
  dst_port: number | null;
  protocol: string | null;
  gid: number | null;
  sid: number | null;
  rev: number | null;
  message: string | null;
  classification: string | null;
  priority: number | null;
  impact: number | null;
  action: StoredEvent['action'] | null;
  app_proto: string | null;
  policy: string | null;
  observables: string | null;
  raw: string | null;
  received_at: number;
  tags: string | null;
}

const EVENT_COLUMNS =
  'rowid, org_id, device_id, event_id, type, ts, src_ip, src_port, dst_ip, dst_port, protocol, gid, sid, rev, ' +
  'message, classification, priority, impact, action, app_proto, policy, observables, raw, received_at, tags';

function toStoredEvent(r: EventRow): StoredEvent {
  const e: StoredEvent = {
    id: eventApiId(r.rowid),
    event_id: r.event_id,
    org_id: r.org_id,
    device_id: r.device_id,
    type: r.type,
    time: new Date(r.ts).toISOString(),
    received_at: new Date(r.received_at).toISOString(),
  };
  if (r.src_ip !== null) e.src_ip = r.src_ip;
  if (r.src_port !== null) e.src_port = r.src_port;
  if (r.dst_ip !== null) e.dst_ip = r.dst_ip;
  if (r.dst_port !== null) e.dst_port = r.dst_port;
  if (r.protocol !== null) e.protocol = r.protocol;
  if (r.gid !== null && r.sid !== null) {
    const s: Signature = { gid: r.gid, sid: r.sid };
    if (r.rev !== null) s.rev = r.rev;
    if (r.message !== null) s.message = r.message;
    if (r.classification !== null) s.classification = r.classification;
    if (r.priority !== null) s.priority = r.priority;
    e.signature = s;
  }
  if (r.impact !== null) e.impact = r.impact;
  if (r.action !== null) e.action = r.action;
  if (r.app_proto !== null) e.app_proto = r.app_proto;
  if (r.policy !== null) e.policy = r.policy;
  if (r.observables !== null) e.observables = JSON.parse(r.observables) as EventObservables;
  if (r.raw !== null) e.raw = JSON.parse(r.raw) as unknown;
  if (r.tags !== null) e.tags = JSON.parse(r.tags) as string[];
  return e;
}

interface UniqueRow {
  id: number;
  org_id: string;
  key: string;
  type: EventType;
  src_ip: string | null;
  dst_ip: string | null;
  gid: number | null;
  sid: number | null;
  message: string | null;
  priority: number | null;
  count: number;
  first_seen: number;
  last_seen: number;
  devices: string;
}

function toUniqueEvent(r: UniqueRow): UniqueEvent {
  return {
    key: r.key,
    org_id: r.org_id,
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

// ---- query building -------------------------------------------------------------------

interface Where {
  sql: string[];
  params: Bind[];
}

/**
 * The filters of an event query other than `observable` and the cursor, as conditions on
 * `events` under the alias `p` ("e." is taken by the join in the observable branch).
 */
function eventFilters(orgId: string, q: EventQuery, p: string): Where {
  const w: Where = { sql: [`${p}org_id = ?`], params: [orgId] };
  if (q.since !== undefined) {
    w.sql.push(`${p}ts >= ?`);
    w.params.push(toMs(q.since, 'since'));
  }
  if (q.until !== undefined) {
    w.sql.push(`${p}ts < ?`);
    w.params.push(toMs(q.until, 'until'));
  }
  if (q.device !== undefined) {
    w.sql.push(`${p}device_id = ?`);
    w.params.push(q.device);
  }
  if (q.type !== undefined) {
    w.sql.push(`${p}type = ?`);
    w.params.push(q.type);
  }
  if (q.sid !== undefined) {
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

// ---- the store ------------------------------------------------------------------------

export class SqliteEventStore implements EventStore {
  private readonly db: Db;
  private readonly file: string;
  private readonly insertStmt: Statement<Bind[]>;
  private readonly insertObsStmt: Statement<[string, string, number, number]>;
  private readonly countUpStmt: Statement<[string, number]>;
  private readonly uniqueStmt: Statement<Bind[]>;
  private readonly getStmt: Statement<[number, string], EventRow>;
  private readonly countOrgStmt: Statement<[string], number>;
  private readonly countAllStmt: Statement<[], number>;
  private readonly orgsStmt: Statement<[], string>;
  private readonly oldestStmt: Statement<[string, number, number], { rowid: number; ts: number; observables: string | null }>;
  private readonly deleteEventStmt: Statement<[number]>;
  private readonly deleteObsStmt: Statement<[string, string, number, number]>;
  private readonly countDownStmt: Statement<[number, string]>;
  private readonly pageSizeStmt: Statement<[], number>;
  private readonly pageCountStmt: Statement<[], number>;
  private readonly freePagesStmt: Statement<[], number>;
  /** Query statements by SQL text: the filter combinations are few, so they are all reused. */
  private readonly cache = new Map<string, Statement<Bind[]>>();
  private readonly commitTx: (items: CommitItem[]) => boolean[];
  private readonly pruneTx: (limit: number, before: number) => number;

  constructor(db: Db) {
    this.db = db;
    this.file = db.name;
    this.insertStmt = db.prepare<Bind[]>(
      `INSERT INTO events (org_id, device_id, event_id, type, ts, src_ip, src_port, dst_ip, dst_port, protocol,
                           gid, sid, rev, message, classification, priority, impact, action, app_proto, policy,
                           observables, raw, received_at, tags)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (device_id, event_id) DO NOTHING`,
    );
    this.insertObsStmt = db.prepare(
      'INSERT OR IGNORE INTO event_observables (org_id, value, ts, event_rowid) VALUES (?, ?, ?, ?)',
    );
    this.countUpStmt = db.prepare(
      'INSERT INTO event_counts (org_id, n) VALUES (?, ?) ON CONFLICT (org_id) DO UPDATE SET n = n + excluded.n',
    );
    // SET expressions see the row as it was: message and priority follow the latest event
    // by event time; devices is the union of both sets (the equal case is the common one).
    this.uniqueStmt = db.prepare<Bind[]>(
      `INSERT INTO unique_events (org_id, key, type, src_ip, dst_ip, gid, sid, message, priority,
                                  count, first_seen, last_seen, devices)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (org_id, key) DO UPDATE SET
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
    this.getStmt = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE rowid = ? AND org_id = ?`);
    this.countOrgStmt = db.prepare<[string], number>('SELECT n FROM event_counts WHERE org_id = ?').pluck();
    this.countAllStmt = db.prepare<[], number>('SELECT coalesce(sum(n), 0) FROM event_counts').pluck();
    this.orgsStmt = db.prepare<[], string>('SELECT org_id FROM event_counts WHERE n > 0').pluck();
    this.oldestStmt = db.prepare(
      'SELECT rowid, ts, observables FROM events WHERE org_id = ? AND ts < ? ORDER BY ts, rowid LIMIT ?',
    );
    this.deleteEventStmt = db.prepare('DELETE FROM events WHERE rowid = ?');
    this.deleteObsStmt = db.prepare(
      'DELETE FROM event_observables WHERE org_id = ? AND value = ? AND ts = ? AND event_rowid = ?',
    );
    this.countDownStmt = db.prepare('UPDATE event_counts SET n = n - ? WHERE org_id = ?');
    this.pageSizeStmt = db.prepare<[], number>('PRAGMA page_size').pluck();
    this.pageCountStmt = db.prepare<[], number>('PRAGMA page_count').pluck();
    this.freePagesStmt = db.prepare<[], number>('PRAGMA freelist_count').pluck();
    this.commitTx = db.transaction((items: CommitItem[]) => this.commitInTx(items));
    this.pruneTx = db.transaction((limit: number, before: number) => this.pruneInTx(limit, before));
  }

  async commit(items: CommitItem[]): Promise<CommitResult> {
    if (items.length === 0) return { inserted: [] };
    return { inserted: this.commitTx(items) };
  }

  private commitInTx(items: CommitItem[]): boolean[] {
    const receivedAt = Date.now();
    const inserted = new Array<boolean>(items.length);
    const counts = new Map<string, number>();
    // Unique-event groups of this batch: one upsert per group, not one per event.
    const groups = new Map<string, UniqueAgg>();
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as CommitItem;
      const e = item.event;
      const ts = toMs(e.time, 'event');
      const sig = e.signature;
      const obs = e.observables;
      const res = this.insertStmt.run(
        item.org_id,
        item.device_id,
        e.event_id,
        e.type,
        ts,
        e.src_ip ?? null,
        e.src_port ?? null,
        e.dst_ip ?? null,
        e.dst_port ?? null,
        e.protocol ?? null,
        sig ? sig.gid : null,
        sig ? sig.sid : null,
        sig?.rev ?? null,
        sig?.message ?? null,
        sig?.classification ?? null,
        sig?.priority ?? null,
        e.impact ?? null,
        e.action ?? null,
        e.app_proto ?? null,
        e.policy ?? null,
        obs ? JSON.stringify(obs) : null,
        e.raw === undefined ? null : JSON.stringify(e.raw),
        receivedAt,
        null,
      );
      if (res.changes !== 1) {
        inserted[i] = false;
        continue;
      }
      inserted[i] = true;
      const rowid = Number(res.lastInsertRowid);
      if (obs) for (const v of observableValues(obs)) this.insertObsStmt.run(item.org_id, v, ts, rowid);
      counts.set(item.org_id, (counts.get(item.org_id) ?? 0) + 1);

      const { identity, gid, sid } = uniqueIdentity(item);
      if (identity === '') continue;
      const gkey = item.org_id + '\n' + identity;
      const g = groups.get(gkey);
      if (g === undefined) {
        groups.set(gkey, {
          org: item.org_id,
          type: e.type,
          src: e.src_ip ?? null,
          dst: e.dst_ip ?? null,
          gid,
          sid,
          identity,
          message: sig?.message ?? null,
          priority: sig?.priority ?? null,
          latest: ts,
          count: 1,
          first: ts,
          devices: [item.device_id],
        });
      } else {
        g.count++;
        if (ts < g.first) g.first = ts;
        if (ts >= g.latest) {
          g.latest = ts;
          g.message = sig?.message ?? null;
          g.priority = sig?.priority ?? null;
        }
        if (!g.devices.includes(item.device_id)) g.devices.push(item.device_id);
      }
    }
    for (const [org, n] of counts) this.countUpStmt.run(org, n);
    for (const g of groups.values()) {
      this.uniqueStmt.run(
        g.org,
        uniqueKey(g.identity),
        g.type,
        g.src,
        g.dst,
        g.gid,
        g.sid,
        g.message,
        g.priority,
        g.count,
        g.first,
        g.latest,
        JSON.stringify(g.devices.sort()),
      );
    }
    return inserted;
  }

  private stmt(sql: string): Statement<Bind[]> {
    let s = this.cache.get(sql);
    if (s === undefined) {
      s = this.db.prepare<Bind[]>(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  async query(orgId: string, q: EventQuery): Promise<Page<StoredEvent>> {
    const limit = pageLimit(q.limit);
    const cursor = q.cursor ? decodeCursor(q.cursor) : null;
    const order = 'ORDER BY ts DESC, rowid DESC LIMIT ?';
    let sql: string;
    let params: Bind[];
    if (q.observable === undefined) {
      const w = eventFilters(orgId, q, '');
      if (cursor) {
        w.sql.push('(ts, rowid) < (?, ?)');
        w.params.push(cursor[0], cursor[1]);
      }
      sql = `SELECT ${EVENT_COLUMNS} FROM events WHERE ${w.sql.join(' AND ')} ${order}`;
      params = [...w.params, limit + 1];
    } else {
      // Three index walks, each newest first and stopping after a page, then merged: an OR
      // over the three would make SQLite collect and sort every match for each page.
      const ob = q.observable;
      const branches: string[] = [];
      params = [];
      for (const col of ['src_ip', 'dst_ip']) {
        const w = eventFilters(orgId, q, '');
        w.sql.push(`${col} = ?`);
        w.params.push(ob);
        if (cursor) {
          w.sql.push('(ts, rowid) < (?, ?)');
          w.params.push(cursor[0], cursor[1]);
        }
        branches.push(`SELECT rowid FROM (SELECT rowid FROM events WHERE ${w.sql.join(' AND ')} ${order})`);
        params.push(...w.params, limit + 1);
      }
      const w = eventFilters(orgId, q, 'e.');
      w.sql.push('o.org_id = ?', 'o.value = ?');
      w.params.push(orgId, ob);
      if (q.since !== undefined) {
        w.sql.push('o.ts >= ?');
        w.params.push(toMs(q.since, 'since'));
      }
      if (q.until !== undefined) {
        w.sql.push('o.ts < ?');
        w.params.push(toMs(q.until, 'until'));
      }
      if (cursor) {
        w.sql.push('(o.ts, o.event_rowid) < (?, ?)');
        w.params.push(cursor[0], cursor[1]);
      }
      branches.push(
        `SELECT rowid FROM (SELECT o.event_rowid AS rowid FROM event_observables o
           JOIN events e ON e.rowid = o.event_rowid
          WHERE ${w.sql.join(' AND ')} ORDER BY o.ts DESC, o.event_rowid DESC LIMIT ?)`,
      );
      params.push(...w.params, limit + 1);
      sql = `SELECT ${EVENT_COLUMNS} FROM events WHERE rowid IN (${branches.join(' UNION ')}) ${order}`;
      params.push(limit + 1);
    }
    const rows = this.stmt(sql).all(...params) as EventRow[];
    let next: string | null = null;
    if (rows.length > limit) {
      rows.length = limit;
      const last = rows[limit - 1] as EventRow;
      next = encodeCursor(last.ts, last.rowid);
    }
    return { data: rows.map(toStoredEvent), next_cursor: next };
  }

  async get(orgId: string, id: string): Promise<StoredEvent | null> {
    const rowid = rowidOf(id);
    if (rowid === null) return null;
    const r = this.getStmt.get(rowid, orgId);
    return r ? toStoredEvent(r) : null;
  }

  async unique(orgId: string, q: EventQuery): Promise<Page<UniqueEvent>> {
    const limit = pageLimit(q.limit);
    const w: Where = { sql: ['org_id = ?'], params: [orgId] };
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
    if (q.cursor) {
      const [last, id] = decodeCursor(q.cursor);
      w.sql.push('(last_seen, id) < (?, ?)');
      w.params.push(last, id);
    }
    const sql = `SELECT * FROM unique_events WHERE ${w.sql.join(' AND ')} ORDER BY last_seen DESC, id DESC LIMIT ?`;
    const rows = this.stmt(sql).all(...w.params, limit + 1) as UniqueRow[];
    let next: string | null = null;
    if (rows.length > limit) {
      rows.length = limit;
      const last = rows[limit - 1] as UniqueRow;
      next = encodeCursor(last.last_seen, last.id);
    }
    return { data: rows.map(toUniqueEvent), next_cursor: next };
  }

  async histogram(orgId: string, q: EventQuery & { intervalSeconds: number }): Promise<HistogramBucket[]> {
    const width = Math.round(q.intervalSeconds * 1000);
    if (!Number.isFinite(width) || width < 1) throw new RangeError('invalid histogram interval');
    const w = eventFilters(orgId, q, '');
    if (q.observable !== undefined) {
      w.sql.push(
        '(src_ip = ? OR dst_ip = ? OR rowid IN (SELECT event_rowid FROM event_observables WHERE org_id = ? AND value = ?))',
      );
      w.params.push(q.observable, q.observable, orgId, q.observable);
    }
    // Floor to the bucket also for times before 1970 (% truncates toward zero).
    const sql =
      `SELECT ts - (((ts % ?) + ?) % ?) AS bucket, count(*) AS n FROM events ` +
      `WHERE ${w.sql.join(' AND ')} GROUP BY bucket ORDER BY bucket`;
    const rows = this.stmt(sql).all(width, width, width, ...w.params) as { bucket: number; n: number }[];
    return rows.map((r) => ({ start: new Date(r.bucket).toISOString(), count: r.n }));
  }

  async count(orgId?: string): Promise<number> {
    return orgId === undefined ? (this.countAllStmt.get() ?? 0) : (this.countOrgStmt.get(orgId) ?? 0);
  }

  async pruneOldest(limit: number, before?: string): Promise<number> {
    const n = Math.floor(limit);
    if (!(n > 0)) return 0;
    return this.pruneTx(n, before === undefined ? END_OF_TIME : toMs(before, 'before'));
  }

  private pruneInTx(limit: number, before: number): number {
    // The oldest across orgs, without an index on ts alone (one more index for ingest to
    // keep): take the oldest `limit` of each org from (org_id, ts), then the oldest of those.
    const candidates: { org: string; rowid: number; ts: number; observables: string | null }[] = [];
    for (const org of this.orgsStmt.all()) {
      for (const r of this.oldestStmt.all(org, before, limit)) candidates.push({ org, ...r });
    }
    candidates.sort((a, b) => a.ts - b.ts || a.rowid - b.rowid);
    if (candidates.length > limit) candidates.length = limit;
    const perOrg = new Map<string, number>();
    for (const c of candidates) {
      this.deleteEventStmt.run(c.rowid);
      if (c.observables !== null) {
        const values = observableValues(JSON.parse(c.observables) as EventObservables);
        for (const v of values) this.deleteObsStmt.run(c.org, v, c.ts, c.rowid);
      }
      perOrg.set(c.org, (perOrg.get(c.org) ?? 0) + 1);
    }
    for (const [org, k] of perOrg) this.countDownStmt.run(k, org);
    return candidates.length;
  }

  async sizeBytes(): Promise<number> {
    // Pages on the freelist are excluded: pruning frees pages for reuse but never shrinks
    // the file, so counting them would make a size-based retention loop prune forever.
    const pages = (this.pageCountStmt.get() ?? 0) - (this.freePagesStmt.get() ?? 0);
    let wal = 0;
    if (!this.db.memory) {
      try {
        wal = statSync(this.file + '-wal').size;
      } catch {
        wal = 0;
      }
    }
    return pages * (this.pageSizeStmt.get() ?? 0) + wal;
  }
}
