// The event store: the ingest hot path (commit) and the analyst queries.
//
// commit() inserts the rows and nothing else that lands at random places in a b-tree: the
// dedup key and (org_key, ts) are its only indexes. The lookups by address, sid and
// observable (event_keys) and the unique-event counters (unique_events) are kept by the
// indexer, which takes the events past a watermark in large chunks, sorted, in one
// transaction: in the background once INDEX_CHUNK events wait or a second after the last
// commit, and synchronously before any read that needs them, so no read ever sees them
// behind. See schema.ts for why, with measurements.
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
import { KeyMap } from './keys.js';

type Bind = string | number | null;

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
/** Later than any event time (8.64e15 ms is the end of the Date range). */
const END_OF_TIME = Number.MAX_SAFE_INTEGER;

// ---- ids, cursors, arguments ----------------------------------------------------------

/** The API id of an event: derived from its rowid, which AUTOINCREMENT never reuses. */
export function eventApiId(rowid: number): string {
  return 'ev-' + rowid.toString(36);
}

function rowidOf(id: string): number | null {
  if (!/^ev-[0-9a-z]{1,10}$/.test(id)) return null;
  const n = parseInt(id.slice(3), 36);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

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
    throw new RangeError('invalid cursor');
  }
  return v as [number, B extends 'number' ? number : string];
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
    if (!Array.isArray(list)) continue;
    for (const v of list) if (typeof v === 'string' && v !== '' && !out.includes(v)) out.push(v);
  }
  return out;
}

// ---- unique events --------------------------------------------------------------------

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

/** What makes two events "the same" in the unique-events view, per type; '' for none. */
function uniqueIdentity(
  r: Pick<PendingRow, 'type' | 'src_ip' | 'dst_ip' | 'gid' | 'sid' | 'message'>,
  o: EventObservables | null,
): string {
  switch (r.type) {
    case 'intrusion':
      // Addresses and numbers only, so a plain join cannot be ambiguous (and is cheaper).
      return `intrusion ${r.src_ip ?? '-'} ${r.dst_ip ?? '-'} ${r.gid ?? '-'} ${r.sid ?? '-'}`;
    case 'connection':
      return JSON.stringify([r.type, r.src_ip, r.dst_ip, r.message ?? '']);
    case 'file':
    case 'malware': {
      const what = o?.sha256?.[0] ?? o?.sha1?.[0] ?? o?.md5?.[0] ?? o?.file_name?.[0] ?? r.message ?? '';
      return JSON.stringify([r.type, r.src_ip, r.dst_ip, what]);
    }
    default:
      return '';
  }
}

/** A fixed-length key for the group: 128 bits of SHA-256 over the identity, base64url. */
function uniqueKey(identity: string): string {
  return createHash('sha256').update(identity).digest('base64url').slice(0, 22);
}

// ---- rows -----------------------------------------------------------------------------

interface EventRow {
  rowid: number;
  device_key: number;
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
  'rowid, device_key, event_id, type, ts, src_ip, src_port, dst_ip, dst_port, protocol, gid, sid, rev, ' +
  'message, classification, priority, impact, action, app_proto, policy, observables, raw, received_at, tags';

interface OldRow {
  rowid: number;
  ts: number;
  src_ip: string | null;
  dst_ip: string | null;
  sid: number | null;
  observables: string | null;
}

interface UniqueRow {
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

function toUniqueEvent(orgId: string, r: UniqueRow): UniqueEvent {
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

// ---- query building -------------------------------------------------------------------

interface Where {
  sql: string[];
  params: Bind[];
}

interface Lookup {
  kind: number;
  value: string | number;
}

interface Plan {
  orgKey: number;
  since: number | null;
  until: number | null;
  /** The event_keys ranges to read, or null to read events by (org_key, ts). */
  lookups: Lookup[] | null;
  /** What is left to check on the event row. */
  rows: Where;
}

// ---- the indexer's rows ---------------------------------------------------------------

/** event_keys.kind */
const KIND_SRC = 1;
const KIND_DST = 2;
const KIND_SID = 3;
const KIND_OBSERVABLE = 4;

/** The indexer runs in the background once this many events wait for it (or a second after
 * the last commit). Larger chunks write each hot index page fewer times. */
export const INDEX_CHUNK = 20_000;
const INDEX_IDLE_MS = 1000;

interface PendingRow {
  rowid: number;
  org_key: number;
  device_key: number;
  type: EventType;
  ts: number;
  src_ip: string | null;
  dst_ip: string | null;
  gid: number | null;
  sid: number | null;
  message: string | null;
  priority: number | null;
  observables: string | null;
}

type KeyEntry = [orgKey: number, kind: number, value: string | number, ts: number, rowid: number];

function compareKeys(a: KeyEntry, b: KeyEntry): number {
  return (
    a[0] - b[0] ||
    a[1] - b[1] ||
    (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0) ||
    a[3] - b[3] ||
    a[4] - b[4]
  );
}

/** The event_keys rows of one event. */
function keyEntries(
  orgKey: number,
  rowid: number,
  ts: number,
  src: string | null,
  dst: string | null,
  sid: number | null,
  obs: EventObservables | null,
  out: KeyEntry[],
): void {
  if (src !== null) out.push([orgKey, KIND_SRC, src, ts, rowid]);
  if (dst !== null) out.push([orgKey, KIND_DST, dst, ts, rowid]);
  if (sid !== null) out.push([orgKey, KIND_SID, sid, ts, rowid]);
  if (obs !== null) for (const v of observableValues(obs)) out.push([orgKey, KIND_OBSERVABLE, v, ts, rowid]);
}

// ---- the store ------------------------------------------------------------------------

export class SqliteEventStore implements EventStore {
  private readonly db: Db;
  private readonly orgKeys: KeyMap;
  private readonly deviceKeys: KeyMap;
  private readonly insertStmt: Statement<Bind[]>;
  private readonly countUpStmt: Statement<[number, number]>;
  private readonly pendingStmt: Statement<[number, number], PendingRow>;
  private readonly insertKeyStmt: Statement<[number, number, string | number, number, number]>;
  private readonly uniqueStmt: Statement<Bind[]>;
  private readonly setUptoStmt: Statement<[number]>;
  private readonly getUptoStmt: Statement<[], number>;
  private readonly maxRowidStmt: Statement<[], number | null>;
  private readonly getStmt: Statement<[number, number], EventRow>;
  private readonly countOrgStmt: Statement<[number], number>;
  private readonly countAllStmt: Statement<[], number>;
  private readonly orgsStmt: Statement<[], number>;
  private readonly oldestStmt: Statement<[number, number, number], OldRow>;
  private readonly deleteEventStmt: Statement<[number]>;
  private readonly deleteKeyStmt: Statement<[number, number, string | number, number, number]>;
  private readonly countDownStmt: Statement<[number, number]>;
  private readonly pageSizeStmt: Statement<[], number>;
  private readonly pageCountStmt: Statement<[], number>;
  private readonly freePagesStmt: Statement<[], number>;
  /** Query statements by SQL text: the filter combinations are few, so all get reused. */
  private readonly cache = new Map<string, Statement<Bind[]>>();
  private readonly commitTx: (items: CommitItem[]) => boolean[];
  private readonly indexTx: (max: number) => number;
  private readonly pruneTx: (limit: number, before: number) => number;
  /** events.rowid up to which event_keys and unique_events are complete. */
  private indexedUpto: number;
  /** The highest events.rowid committed. */
  private maxRowid: number;
  /** maxRowid as the running commit transaction leaves it; taken over once it commits. */
  private pendingMax = 0;
  private indexTimer: ReturnType<typeof setTimeout> | null = null;
  private indexSoon = false;
  private stopped = false;

  constructor(db: Db) {
    this.db = db;
    this.orgKeys = new KeyMap(db, 'event_orgs');
    this.deviceKeys = new KeyMap(db, 'event_devices');
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
    this.pendingStmt = db.prepare(
      `SELECT rowid, org_key, device_key, type, ts, src_ip, dst_ip, gid, sid, message, priority, observables
         FROM events WHERE rowid > ? ORDER BY rowid LIMIT ?`,
    );
    this.insertKeyStmt = db.prepare(
      'INSERT OR IGNORE INTO event_keys (org_key, kind, value, ts, event_rowid) VALUES (?, ?, ?, ?, ?)',
    );
    // SET expressions see the row as it was: message and priority follow the latest event
    // by event time; devices becomes the union of both sets (equal is the common case).
    this.uniqueStmt = db.prepare<Bind[]>(
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
    this.setUptoStmt = db.prepare('UPDATE event_index_state SET indexed_upto = ? WHERE id = 1');
    this.getUptoStmt = db.prepare<[], number>('SELECT indexed_upto FROM event_index_state WHERE id = 1').pluck();
    this.maxRowidStmt = db.prepare<[], number | null>('SELECT max(rowid) FROM events').pluck();
    this.getStmt = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE rowid = ? AND org_key = ?`);
    this.countOrgStmt = db.prepare<[number], number>('SELECT n FROM event_counts WHERE org_key = ?').pluck();
    this.countAllStmt = db.prepare<[], number>('SELECT coalesce(sum(n), 0) FROM event_counts').pluck();
    this.orgsStmt = db.prepare<[], number>('SELECT org_key FROM event_counts WHERE n > 0').pluck();
    this.oldestStmt = db.prepare(
      `SELECT rowid, ts, src_ip, dst_ip, sid, observables FROM events
        WHERE org_key = ? AND ts < ? ORDER BY ts, rowid LIMIT ?`,
    );
    this.deleteEventStmt = db.prepare('DELETE FROM events WHERE rowid = ?');
    this.deleteKeyStmt = db.prepare(
      'DELETE FROM event_keys WHERE org_key = ? AND kind = ? AND value = ? AND ts = ? AND event_rowid = ?',
    );
    this.countDownStmt = db.prepare('UPDATE event_counts SET n = n - ? WHERE org_key = ?');
    this.pageSizeStmt = db.prepare<[], number>('PRAGMA page_size').pluck();
    this.pageCountStmt = db.prepare<[], number>('PRAGMA page_count').pluck();
    this.freePagesStmt = db.prepare<[], number>('PRAGMA freelist_count').pluck();
    this.commitTx = db.transaction((items: CommitItem[]) => this.commitInTx(items));
    this.indexTx = db.transaction((max: number) => this.indexInTx(max));
    this.pruneTx = db.transaction((limit: number, before: number) => this.pruneInTx(limit, before));
    this.indexedUpto = this.getUptoStmt.get() ?? 0;
    this.maxRowid = this.maxRowidStmt.get() ?? 0;
  }

  /** Stops the background indexer (what it has not done yet, the next open does). */
  stop(): void {
    this.stopped = true;
    if (this.indexTimer !== null) clearTimeout(this.indexTimer);
    this.indexTimer = null;
  }

  // ---- ingest ---------------------------------------------------------------------------

  async commit(items: CommitItem[]): Promise<CommitResult> {
    if (items.length === 0) return { inserted: [] };
    let inserted: boolean[];
    try {
      inserted = this.commitTx(items);
    } catch (err) {
      // Keys assigned inside the rolled-back transaction are gone; so must their cache be.
      this.orgKeys.forget();
      this.deviceKeys.forget();
      throw err;
    }
    this.maxRowid = this.pendingMax;
    this.scheduleIndexing();
    return { inserted };
  }

  private commitInTx(items: CommitItem[]): boolean[] {
    const receivedAt = Date.now();
    const inserted = new Array<boolean>(items.length);
    const counts = new Map<number, number>();
    let lastOrg = '';
    let orgKey = 0;
    let lastDevice = '';
    let deviceKey = 0;
    let maxRowid = this.maxRowid;
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as CommitItem;
      const e = item.event;
      // A batch mostly comes from one device of one org: skip the map lookups then.
      if (item.org_id !== lastOrg) {
        orgKey = this.orgKeys.ensure(item.org_id);
        lastOrg = item.org_id;
      }
      if (item.device_id !== lastDevice) {
        deviceKey = this.deviceKeys.ensure(item.device_id);
        lastDevice = item.device_id;
      }
      const sig = e.signature;
      const res = this.insertStmt.run(
        orgKey,
        deviceKey,
        e.event_id,
        e.type,
        toMs(e.time, 'event'),
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
        e.observables ? JSON.stringify(e.observables) : null,
        e.raw === undefined ? null : JSON.stringify(e.raw),
        receivedAt,
        null,
      );
      inserted[i] = res.changes === 1;
      if (res.changes === 1) {
        maxRowid = Number(res.lastInsertRowid);
        counts.set(orgKey, (counts.get(orgKey) ?? 0) + 1);
      }
    }
    for (const [org, n] of counts) this.countUpStmt.run(org, n);
    this.pendingMax = maxRowid;
    return inserted;
  }

  // ---- the indexer ----------------------------------------------------------------------

  /** After a commit: index in the background once a chunk is waiting, or when ingest pauses. */
  private scheduleIndexing(): void {
    if (this.stopped || this.maxRowid <= this.indexedUpto) return;
    if (this.maxRowid - this.indexedUpto >= INDEX_CHUNK) {
      if (this.indexSoon) return;
      this.indexSoon = true;
      // After the caller's ack has gone out, not before.
      setImmediate(() => {
        this.indexSoon = false;
        this.indexInBackground();
      });
    } else if (this.indexTimer === null) {
      this.indexTimer = setTimeout(() => {
        this.indexTimer = null;
        this.indexInBackground();
      }, INDEX_IDLE_MS);
      this.indexTimer.unref();
    }
  }

  private indexInBackground(): void {
    if (this.stopped || !this.db.open) return;
    try {
      this.catchUp();
    } catch {
      // Left for the next commit or read to retry; a read reports the error itself.
    }
  }

  /** Brings event_keys and unique_events up to the last committed event. Both ends are read
   * from the database, not memory, so this is right even beside another process on the file. */
  private catchUp(): void {
    this.maxRowid = this.maxRowidStmt.get() ?? 0;
    this.indexedUpto = this.getUptoStmt.get() ?? 0;
    while (this.indexedUpto < this.maxRowid) {
      const upto = this.indexTx(INDEX_CHUNK * 2);
      if (upto === this.indexedUpto) break;
      this.indexedUpto = upto;
    }
  }

  /** Indexes up to `max` events past the watermark; returns the new watermark. */
  private indexInTx(max: number): number {
    // The watermark is read inside the write transaction, not taken from memory, so that no
    // event is ever counted twice into unique_events, even if another process (the CLI on
    // the same file) indexed in between.
    const from = this.getUptoStmt.get() ?? 0;
    const rows = this.pendingStmt.all(from, max);
    if (rows.length === 0) return from;
    const keys: KeyEntry[] = [];
    const groups = new Map<string, UniqueGroup>();
    for (const r of rows) {
      const obs = r.observables === null ? null : (JSON.parse(r.observables) as EventObservables);
      keyEntries(r.org_key, r.rowid, r.ts, r.src_ip, r.dst_ip, r.sid, obs, keys);
      const identity = uniqueIdentity(r, obs);
      if (identity === '') continue;
      const device = this.deviceKeys.idOf(r.device_key);
      const gkey = r.org_key + '\n' + identity;
      const g = groups.get(gkey);
      if (g === undefined) {
        groups.set(gkey, {
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
    // In key order: each b-tree page is then visited once, in sequence.
    keys.sort(compareKeys);
    for (const k of keys) this.insertKeyStmt.run(k[0], k[1], k[2], k[3], k[4]);
    const uniques = [...groups.values()].map((g) => ({ g, key: uniqueKey(g.identity) }));
    uniques.sort((a, b) => a.g.orgKey - b.g.orgKey || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const { g, key } of uniques) {
      this.uniqueStmt.run(
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
    const upto = (rows[rows.length - 1] as PendingRow).rowid;
    this.setUptoStmt.run(upto);
    return upto;
  }

  // ---- queries --------------------------------------------------------------------------

  private stmt(sql: string): Statement<Bind[]> {
    let s = this.cache.get(sql);
    if (s === undefined) {
      s = this.db.prepare<Bind[]>(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  private toStoredEvent(orgId: string, r: EventRow): StoredEvent {
    const e: StoredEvent = {
      id: eventApiId(r.rowid),
      event_id: r.event_id,
      org_id: orgId,
      device_id: this.deviceKeys.idOf(r.device_key),
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

  /**
   * The conditions of a query on the event row itself, beyond org and time: device, type, q,
   * and sid unless an event_keys lookup already does it. Null when nothing can match.
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
   * or sid, else off the event_keys ranges that match (src, dst and observable for
   * `observable`; sid for `sid`), with what is left checked on the event row.
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

  /** One event_keys range as a SELECT of (rowid, ts), newest first. */
  private lookupSql(plan: Plan, l: Lookup, cursor: [number, number] | null, limit: number | null): Where {
    const w: Where = { sql: ['k.org_key = ?', 'k.kind = ?', 'k.value = ?'], params: [plan.orgKey, l.kind, l.value] };
    if (plan.since !== null) {
      w.sql.push('k.ts >= ?');
      w.params.push(plan.since);
    }
    if (plan.until !== null) {
      w.sql.push('k.ts < ?');
      w.params.push(plan.until);
    }
    if (cursor) {
      w.sql.push('(k.ts, k.event_rowid) < (?, ?)');
      w.params.push(cursor[0], cursor[1]);
    }
    w.sql.push(...plan.rows.sql);
    w.params.push(...plan.rows.params);
    // Only join the event row when a condition needs it: otherwise the lookup reads nothing
    // but event_keys.
    const from = plan.rows.sql.length > 0 ? 'event_keys k JOIN events e ON e.rowid = k.event_rowid' : 'event_keys k';
    let sql = `SELECT k.event_rowid AS rowid, k.ts AS ts FROM ${from} WHERE ${w.sql.join(' AND ')}`;
    if (limit !== null) {
      sql = `SELECT rowid, ts FROM (${sql} ORDER BY k.ts DESC, k.event_rowid DESC LIMIT ?)`;
      w.params.push(limit);
    }
    return { sql: [sql], params: w.params };
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
    const order = 'ORDER BY ts DESC, rowid DESC LIMIT ?';
    let sql: string;
    const params: Bind[] = [];
    if (plan.lookups === null) {
      const w = this.directWhere(plan, cursor);
      sql = `SELECT ${EVENT_COLUMNS} FROM events WHERE ${w.sql.join(' AND ')} ${order}`;
      params.push(...w.params);
    } else {
      // Each range newest first, stopping after a page, then merged: an OR of the ranges
      // would have SQLite collect and sort every match for every page.
      const branches: string[] = [];
      for (const l of plan.lookups) {
        const b = this.lookupSql(plan, l, cursor, limit + 1);
        branches.push(`SELECT rowid FROM (${b.sql[0]})`);
        params.push(...b.params);
      }
      sql = `SELECT ${EVENT_COLUMNS} FROM events WHERE rowid IN (${branches.join(' UNION ')}) ${order}`;
    }
    params.push(limit + 1);
    const rows = this.stmt(sql).all(...params) as EventRow[];
    let next: string | null = null;
    if (rows.length > limit) {
      rows.length = limit;
      const last = rows[limit - 1] as EventRow;
      next = encodeCursor(last.ts, last.rowid);
    }
    return { data: rows.map((r) => this.toStoredEvent(orgId, r)), next_cursor: next };
  }

  async get(orgId: string, id: string): Promise<StoredEvent | null> {
    const rowid = rowidOf(id);
    const orgKey = this.orgKeys.find(orgId);
    if (rowid === null || orgKey === null) return null;
    const r = this.getStmt.get(rowid, orgKey);
    return r ? this.toStoredEvent(orgId, r) : null;
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
    let from: string;
    const params: Bind[] = [width, width, width];
    if (plan.lookups === null) {
      const w = this.directWhere(plan, null);
      from = `events WHERE ${w.sql.join(' AND ')}`;
      params.push(...w.params);
    } else {
      // UNION: an event matching two ranges (src and dst the same address) counts once.
      const parts = plan.lookups.map((l) => this.lookupSql(plan, l, null, null));
      from = `(${parts.map((b) => b.sql[0]).join(' UNION ')})`;
      for (const b of parts) params.push(...b.params);
    }
    // Floors to the bucket also for times before 1970 (% truncates toward zero).
    const sql = `SELECT ts - (((ts % ?) + ?) % ?) AS bucket, count(*) AS n FROM ${from} GROUP BY bucket ORDER BY bucket`;
    const rows = this.stmt(sql).all(...params) as { bucket: number; n: number }[];
    return rows.map((r) => ({ start: new Date(r.bucket).toISOString(), count: r.n }));
  }

  async count(orgId?: string): Promise<number> {
    if (orgId === undefined) return this.countAllStmt.get() ?? 0;
    const orgKey = this.orgKeys.find(orgId);
    return orgKey === null ? 0 : (this.countOrgStmt.get(orgKey) ?? 0);
  }

  // ---- retention ------------------------------------------------------------------------

  async pruneOldest(limit: number, before?: string): Promise<number> {
    const n = Math.floor(limit);
    if (!(n > 0)) return 0;
    const beforeMs = before === undefined ? END_OF_TIME : toMs(before, 'before');
    // Everything pruned must have been counted in unique_events and have its event_keys,
    // which the delete below removes.
    this.catchUp();
    return this.pruneTx(n, beforeMs);
  }

  private pruneInTx(limit: number, before: number): number {
    // The oldest across orgs without an index on ts alone (one more for ingest to keep up):
    // the oldest `limit` of each org off (org_key, ts), then the oldest of those.
    const candidates: (OldRow & { orgKey: number })[] = [];
    for (const orgKey of this.orgsStmt.all()) {
      for (const r of this.oldestStmt.all(orgKey, before, limit)) candidates.push({ ...r, orgKey });
    }
    candidates.sort((a, b) => a.ts - b.ts || a.rowid - b.rowid);
    if (candidates.length > limit) candidates.length = limit;
    const perOrg = new Map<number, number>();
    const keys: KeyEntry[] = [];
    for (const c of candidates) {
      this.deleteEventStmt.run(c.rowid);
      const obs = c.observables === null ? null : (JSON.parse(c.observables) as EventObservables);
      keyEntries(c.orgKey, c.rowid, c.ts, c.src_ip, c.dst_ip, c.sid, obs, keys);
      perOrg.set(c.orgKey, (perOrg.get(c.orgKey) ?? 0) + 1);
    }
    keys.sort(compareKeys);
    for (const k of keys) this.deleteKeyStmt.run(k[0], k[1], k[2], k[3], k[4]);
    for (const [orgKey, k] of perOrg) this.countDownStmt.run(k, orgKey);
    return candidates.length;
  }

  async sizeBytes(): Promise<number> {
    // Pages on the freelist are left out: pruning frees pages for reuse but never shrinks the
    // file, so counting them would keep a size-based retention loop pruning forever.
    const pages = (this.pageCountStmt.get() ?? 0) - (this.freePagesStmt.get() ?? 0);
    let wal = 0;
    if (!this.db.memory) {
      try {
        wal = statSync(this.db.name + '-wal').size;
      } catch {
        wal = 0;
      }
    }
    return pages * (this.pageSizeStmt.get() ?? 0) + wal;
  }
}
