// The event store on PostgreSQL: commit (events-commit.ts), the queries (events-query.ts),
// unique events (events-unique.ts) and retention by dropping daily partitions
// (partitions.ts, events-prune.ts). Several nodes may share one database.
import type { StoredEvent } from '../../../events/event.js';
import type { CommitItem, CommitResult, EventQuery, EventStore, HistogramBucket, Page, TailFilter, TailPage, TimeSpan, UniqueEvent } from '../types.js';
import { toMs } from '../sqlite/events-keys.js';
import { migrate, type PgDb } from './db.js';
import { commitEvents } from './events-commit.js';
import { dropOldestPartitions, eventBytes } from './events-prune.js';
import { PgEventQueries } from './events-query.js';
import { EVENT_MIGRATIONS } from './events-schema.js';
import { PartitionCache } from './partitions.js';

export class PgEventStore implements EventStore {
  /** Concurrent transactions let PostgreSQL share one WAL flush among them; dedup keys are
   * taken in a fixed order, so they wait for each other rather than deadlock. */
  readonly parallelCommits = 4;
  private readonly partitions: PartitionCache;
  private readonly queries: PgEventQueries;

  constructor(private readonly db: PgDb) {
    this.partitions = new PartitionCache(db.pool);
    this.queries = new PgEventQueries(db.pool);
  }

  async commit(items: CommitItem[]): Promise<CommitResult> {
    if (items.length === 0) return { inserted: [] };
    return { inserted: await commitEvents(this.db.pool, this.partitions, items) };
  }

  async storedIds(deviceId: string, eventIds: readonly string[]): Promise<Set<string>> {
    const r = await this.db.pool.query<{ event_id: string }>(
      'SELECT event_id FROM event_ids WHERE device_id = $1 AND event_id = ANY($2::text[])', [deviceId, eventIds]);
    return new Set(r.rows.map((x) => x.event_id));
  }

  async query(orgId: string, q: EventQuery): Promise<Page<StoredEvent>> {
    return this.queries.query(orgId, q);
  }

  async get(orgId: string, id: string): Promise<StoredEvent | null> {
    return this.queries.get(orgId, id);
  }

  async unique(orgId: string, q: EventQuery): Promise<Page<UniqueEvent>> {
    return this.queries.unique(orgId, q);
  }

  async histogram(orgId: string, q: EventQuery & { intervalSeconds: number }): Promise<HistogramBucket[]> {
    return this.queries.histogram(orgId, q);
  }

  async span(orgId: string, q: EventQuery): Promise<TimeSpan | null> {
    return this.queries.span(orgId, q);
  }

  async count(orgId?: string): Promise<number> {
    return this.queries.count(orgId);
  }

  async named(orgId: string, values: readonly string[]): Promise<Set<string>> {
    return this.queries.named(orgId, values);
  }

  async tail(after: string | null, limit: number, filter?: TailFilter): Promise<TailPage> {
    return this.queries.tail(after, limit, filter);
  }

  /** By whole daily partitions: see events-prune.ts for how that departs from the contract. */
  async pruneOldest(limit: number, before?: string): Promise<number> {
    if (!(Math.floor(limit) > 0)) return 0;
    const n = await dropOldestPartitions(this.db.pool, before === undefined ? null : toMs(before, 'before'));
    this.partitions.forget();
    return n;
  }

  async sizeBytes(): Promise<number> {
    return eventBytes(this.db.pool);
  }
}

export async function openPgEventStore(db: PgDb): Promise<PgEventStore> {
  await migrate(db, 'events', EVENT_MIGRATIONS);
  return new PgEventStore(db);
}
