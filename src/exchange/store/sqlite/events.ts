// The event store on one SQLite connection: commit (events-commit.ts), the indexer that keeps
// event_key_sets and unique_events (events-indexer.ts), the queries (events-query.ts) and
// retention (events-prune.ts).
import { statSync } from 'node:fs';
import type { Statement } from 'better-sqlite3';
import type { StoredEvent } from '../../../events/event.js';
import type {
  CommitItem,
  CommitResult,
  EventQuery,
  EventStore,
  HistogramBucket,
  Page,
  TailFilter,
  TailPage,
  TimeSpan,
  UniqueEvent,
} from '../types.js';
import type { Db } from './db.js';
import { EventInserter, itemRows, type RowSource } from './events-commit.js';
import { EventIndexer, type PendingRow } from './events-indexer.js';
import { toMs } from './events-keys.js';
import { EventPruner } from './events-prune.js';
import { EventQueries } from './events-query.js';
import { KeyMap } from './keys.js';

export { DEFAULT_LIMIT, MAX_LIMIT } from './events-query.js';
export { eventApiId } from './events-rows.js';
export { INDEX_CHUNK } from './events-indexer.js';

/** Later than any event time (8.64e15 ms is the end of the Date range). */
const END_OF_TIME = Number.MAX_SAFE_INTEGER;

export function pruneBefore(before: string | undefined): number {
  return before === undefined ? END_OF_TIME : toMs(before, 'before');
}

export class SqliteEventStore implements EventStore {
  private readonly db: Db;
  private readonly orgKeys: KeyMap;
  private readonly deviceKeys: KeyMap;
  private readonly inserter: EventInserter;
  private readonly indexer: EventIndexer;
  private readonly queries: EventQueries;
  private readonly pruner: EventPruner;
  private readonly commitTx: (rows: RowSource, inserted: Uint8Array, stored: PendingRow[]) => number;
  private readonly pageSizeStmt: Statement<[], number>;
  private readonly pageCountStmt: Statement<[], number>;
  private readonly freePagesStmt: Statement<[], number>;

  constructor(db: Db) {
    this.db = db;
    this.orgKeys = new KeyMap(db, 'event_orgs');
    this.deviceKeys = new KeyMap(db, 'event_devices');
    this.inserter = new EventInserter(db, this.orgKeys, this.deviceKeys);
    this.indexer = new EventIndexer(db, this.deviceKeys);
    this.queries = new EventQueries(db, this.orgKeys, this.deviceKeys, () => this.indexer.catchUp());
    this.pruner = new EventPruner(db);
    // IMMEDIATE: a key lookup may read before the first insert writes, and another
    // connection on the file may commit in between.
    this.commitTx = db.transaction((rows: RowSource, inserted: Uint8Array, stored: PendingRow[]) =>
      this.inserter.insert(rows, inserted, this.indexer.maxRowid, stored),
    ).immediate;
    this.pageSizeStmt = db.prepare<[], number>('PRAGMA page_size').pluck();
    this.pageCountStmt = db.prepare<[], number>('PRAGMA page_count').pluck();
    this.freePagesStmt = db.prepare<[], number>('PRAGMA freelist_count').pluck();
  }

  /** Stops the background indexer (what it has not done yet, the next open does). */
  stop(): void {
    this.indexer.stop();
  }

  // ---- ingest ---------------------------------------------------------------------------

  async commit(items: CommitItem[]): Promise<CommitResult> {
    if (items.length === 0) return { inserted: [] };
    const flags = this.commitRows(itemRows(items));
    const inserted = new Array<boolean>(flags.length);
    for (let i = 0; i < flags.length; i++) inserted[i] = flags[i] === 1;
    return { inserted };
  }

  /** Stores the rows in one durable transaction; per row, 1 when stored now and 0 when its
   * event_id was already stored. */
  commitRows(rows: RowSource): Uint8Array {
    const inserted = new Uint8Array(rows.count);
    const stored: PendingRow[] = [];
    let max: number;
    try {
      max = this.commitTx(rows, inserted, stored);
    } catch (err) {
      // Keys assigned inside the rolled-back transaction are gone; so must their cache be.
      this.orgKeys.forget();
      this.deviceKeys.forget();
      throw err;
    }
    this.indexer.maxRowid = max;
    this.indexer.committed(stored);
    this.indexer.schedule();
    return inserted;
  }

  // ---- queries --------------------------------------------------------------------------

  /** Newest first; since is inclusive and until exclusive, here and in unique() and histogram(). */
  async query(orgId: string, q: EventQuery): Promise<Page<StoredEvent>> {
    return this.queries.query(orgId, q);
  }

  async get(orgId: string, id: string): Promise<StoredEvent | null> {
    return this.queries.get(orgId, id);
  }

  /** Newest last_seen first. since/until apply to last_seen; observable matches src or dst. */
  async unique(orgId: string, q: EventQuery): Promise<Page<UniqueEvent>> {
    return this.queries.unique(orgId, q);
  }

  /** Non-empty buckets, oldest first; a bucket starts at a multiple of the interval. */
  async histogram(orgId: string, q: EventQuery & { intervalSeconds: number }): Promise<HistogramBucket[]> {
    return this.queries.histogram(orgId, q);
  }

  async span(orgId: string, q: EventQuery): Promise<TimeSpan | null> {
    return this.queries.span(orgId, q);
  }

  async named(orgId: string, values: readonly string[]): Promise<Set<string>> {
    return this.queries.named(orgId, values);
  }

  async tail(after: string | null, limit: number, filter?: TailFilter): Promise<TailPage> {
    return this.queries.tail(after, limit, filter);
  }

  async count(orgId?: string): Promise<number> {
    return this.queries.count(orgId);
  }

  // ---- retention ------------------------------------------------------------------------

  async pruneOldest(limit: number, before?: string): Promise<number> {
    return this.pruneSync(limit, pruneBefore(before));
  }

  pruneSync(limit: number, before: number): number {
    const n = Math.floor(limit);
    if (!(n > 0)) return 0;
    this.indexer.catchUp();
    return this.pruner.prune(n, before);
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
