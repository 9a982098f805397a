// The indexer: keeps event_keys and unique_events (see schema.ts for why they are not kept
// inline by commit). It takes the events past a watermark (event_index_state.indexed_upto) in
// large chunks, sorted, in one transaction: in the background once INDEX_CHUNK events wait or
// a second after the last commit, and synchronously before any read that needs them
// (catchUp), so no read ever sees them behind.
import type { Statement } from 'better-sqlite3';
import type { EventObservables } from '../../../events/event.js';
import type { Db } from './db.js';
import { compareKeys, keyEntries, type Bind, type KeyEntry } from './events-keys.js';
import { prepareUniqueUpsert, UniqueGroups, type UniqueSource } from './events-unique.js';
import type { KeyMap } from './keys.js';

/** The indexer runs in the background once this many events wait for it (or a second after
 * the last commit). Larger chunks write each hot index page fewer times. */
export const INDEX_CHUNK = 20_000;
const INDEX_IDLE_MS = 1000;

/** An event row as the indexer reads it: what unique-event grouping needs, and the keys. */
interface PendingRow extends UniqueSource {
  rowid: number;
  device_key: number;
  observables: string | null;
}

export class EventIndexer {
  private readonly pendingStmt: Statement<[number, number], PendingRow>;
  private readonly insertKeyStmt: Statement<[number, number, string | number, number, number]>;
  private readonly uniqueStmt: Statement<Bind[]>;
  private readonly setUptoStmt: Statement<[number]>;
  private readonly getUptoStmt: Statement<[], number>;
  private readonly maxRowidStmt: Statement<[], number | null>;
  private readonly indexTx: (max: number) => number;
  /** events.rowid up to which event_keys and unique_events are complete. */
  private indexedUpto: number;
  /** The highest events.rowid committed (as far as this connection knows). */
  maxRowid: number;
  private indexTimer: ReturnType<typeof setTimeout> | null = null;
  private indexSoon = false;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly deviceKeys: KeyMap,
  ) {
    this.pendingStmt = db.prepare(
      `SELECT rowid, org_key, device_key, type, ts, src_ip, dst_ip, gid, sid, message, priority, observables
         FROM events WHERE rowid > ? ORDER BY rowid LIMIT ?`,
    );
    this.insertKeyStmt = db.prepare(
      'INSERT OR IGNORE INTO event_keys (org_key, kind, value, ts, event_rowid) VALUES (?, ?, ?, ?, ?)',
    );
    this.uniqueStmt = prepareUniqueUpsert(db);
    this.setUptoStmt = db.prepare('UPDATE event_index_state SET indexed_upto = ? WHERE id = 1');
    this.getUptoStmt = db.prepare<[], number>('SELECT indexed_upto FROM event_index_state WHERE id = 1').pluck();
    this.maxRowidStmt = db.prepare<[], number | null>('SELECT max(rowid) FROM events').pluck();
    // IMMEDIATE: it reads the watermark, then writes; another connection on the file (the
    // writer thread, the CLI) may commit in between, and a deferred transaction would then
    // fail with SQLITE_BUSY rather than wait for the lock.
    this.indexTx = db.transaction((max: number) => this.indexInTx(max)).immediate;
    this.indexedUpto = this.getUptoStmt.get() ?? 0;
    this.maxRowid = this.maxRowidStmt.get() ?? 0;
  }

  /** Stops the background indexing (what it has not done yet, the next open does). */
  stop(): void {
    this.stopped = true;
    if (this.indexTimer !== null) clearTimeout(this.indexTimer);
    this.indexTimer = null;
  }

  /** After a commit: index in the background once a chunk is waiting, or when ingest pauses. */
  schedule(): void {
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
   * from the database, not memory, so this is right even beside another connection. */
  catchUp(): void {
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
    // event is ever counted twice into unique_events, even if another connection indexed in
    // between.
    const from = this.getUptoStmt.get() ?? 0;
    const rows = this.pendingStmt.all(from, max);
    if (rows.length === 0) return from;
    const keys: KeyEntry[] = [];
    const groups = new UniqueGroups();
    for (const r of rows) {
      const obs = r.observables === null ? null : (JSON.parse(r.observables) as EventObservables);
      keyEntries(r.org_key, r.rowid, r.ts, r.src_ip, r.dst_ip, r.sid, obs, keys);
      groups.add(r, obs, this.deviceKeys.idOf(r.device_key));
    }
    // In key order: each b-tree page is then visited once, in sequence.
    keys.sort(compareKeys);
    for (const k of keys) this.insertKeyStmt.run(k[0], k[1], k[2], k[3], k[4]);
    groups.write(this.uniqueStmt);
    const upto = (rows[rows.length - 1] as PendingRow).rowid;
    this.setUptoStmt.run(upto);
    return upto;
  }
}
