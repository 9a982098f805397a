// The indexer: keeps event_key_sets and unique_events (see schema.ts for why they are not kept
// inline by commit). It takes the events past a watermark (event_index_state.indexed_upto) in
// large chunks, sorted, in one transaction: in the background once INDEX_CHUNK events wait or
// a second after the last commit, and synchronously before any read that needs them
// (catchUp), so no read ever sees them behind. The rows this connection committed come from
// memory (committed()) rather than being read back: reading them cost more than indexing them.
import type { Statement } from 'better-sqlite3';
import type { EventObservables } from '../../../events/event.js';
import type { Db } from './db.js';
import type { Bind } from './events-keys.js';
import { KeySetChunk, prepareKeySetInsert } from './events-keysets.js';
import { prepareUniqueUpsert, UniqueGroups, type UniqueSource } from './events-unique.js';
import type { KeyMap } from './keys.js';

/** The indexer runs in the background once this many events wait for it (or a second after
 * the last commit). Larger chunks write each hot index page fewer times. */
export const INDEX_CHUNK = 20_000;
const INDEX_IDLE_MS = 1000;
/** Committed rows kept for the indexer at most; past that (the indexer failing), it reads. */
const RECENT_MAX = INDEX_CHUNK * 4;

/** An event row as the indexer reads it: what unique-event grouping needs, and the keys. */
export interface PendingRow extends UniqueSource {
  rowid: number;
  device_key: number;
  observables: string | null;
}

export class EventIndexer {
  private readonly pendingStmt: Statement<[number, number], PendingRow>;
  private readonly insertSetStmt: Statement<Bind[]>;
  private readonly uniqueStmt: Statement<Bind[]>;
  private readonly setUptoStmt: Statement<[number]>;
  private readonly getUptoStmt: Statement<[], number>;
  private readonly maxRowidStmt: Statement<[], number | null>;
  private readonly indexTx: (max: number) => number;
  /** events.rowid up to which event_key_sets and unique_events are complete. */
  private indexedUpto: number;
  /** The highest events.rowid committed (as far as this connection knows). */
  maxRowid: number;
  /** Rows this connection committed and the indexer has not taken yet, in rowid order. */
  private recent: PendingRow[] = [];
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
    this.insertSetStmt = prepareKeySetInsert(db);
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

  /** After a commit: the rows it stored, for the indexer to take without reading them back. */
  committed(rows: readonly PendingRow[]): void {
    if (this.recent.length + rows.length > RECENT_MAX) {
      this.recent = [];
      return;
    }
    for (const r of rows) this.recent.push(r);
  }

  /**
   * Up to `max` rows past the watermark `from`: from memory when the rows kept there are
   * exactly the next ones (rowids are unique, so a consecutive run from from + 1 leaves no
   * room for a row of another connection), else read.
   */
  private pending(from: number, max: number): PendingRow[] {
    let done = 0;
    while (done < this.recent.length && (this.recent[done] as PendingRow).rowid <= from) done++;
    if (done > 0) this.recent.splice(0, done);
    let n = 0;
    while (n < this.recent.length && n < max && (this.recent[n] as PendingRow).rowid === from + 1 + n) n++;
    return n > 0 ? this.recent.splice(0, n) : this.pendingStmt.all(from, max);
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

  /** Brings event_key_sets and unique_events up to the last committed event. Both ends are read
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
    const rows = this.pending(from, max);
    if (rows.length === 0) return from;
    const keys = new KeySetChunk();
    const groups = new UniqueGroups();
    for (const r of rows) {
      const obs = r.observables === null ? null : (JSON.parse(r.observables) as EventObservables);
      keys.add(r.org_key, r.rowid, r.ts, r.src_ip, r.dst_ip, r.sid, obs);
      groups.add(r, obs, this.deviceKeys.idOf(r.device_key));
    }
    keys.write(this.insertSetStmt);
    groups.write(this.uniqueStmt);
    const upto = (rows[rows.length - 1] as PendingRow).rowid;
    this.setUptoStmt.run(upto);
    return upto;
  }
}
