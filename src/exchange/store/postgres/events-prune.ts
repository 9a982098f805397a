// Retention on PostgreSQL: drops whole daily partitions, oldest first, rather than deleting
// rows. A DROP frees the space at once (a DELETE leaves dead rows until vacuum, so size-based
// retention would keep pruning), and costs the same for a million events as for one.
//
// Against the contract of EventStore.pruneOldest, which SQLite keeps to the event:
// - Only a partition whose whole day is older than `before` goes, so events up to a day past
//   the age limit stay until their day is wholly past it.
// - `limit` is not a bound: a partition goes whole, however many events it holds. One
//   non-empty partition per call keeps the step small in time (a DROP and a few row deletes),
//   which is what the limit is for.
// - A replay of an event older than the oldest partition left is stored again: its dedup
//   row went with its partition (event_ids is not partitioned, so it is cleared by range).
import type pg from 'pg';
import { DAY_MS, listPartitions } from './partitions.js';

/** lock_timeout's SQLSTATE. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Drops the oldest partitions wholly older than `before` (any, when null): empty ones, and
 * then one with events. Returns how many events went.
 */
export async function dropOldestPartitions(pool: pg.Pool, before: number | null): Promise<number> {
  const c = await pool.connect();
  let dropped: { from: number; to: number }[] = [];
  let events = 0;
  try {
    await c.query('BEGIN');
    // Dropping a partition locks events itself; rather than make every query and commit queue
    // behind a long-running read, give up and let the next round try again.
    await c.query("SET LOCAL lock_timeout = '2s'");
    // Two nodes pruning at once would drop the same partition.
    await c.query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':events:prune'))");
    for (const p of await listPartitions(c)) {
      const from = p.day * DAY_MS;
      const to = from + DAY_MS;
      if (before !== null && to > before) break;
      await c.query(`DROP TABLE ${p.name}`);
      const gone = await c.query<{ n: number }>('DELETE FROM event_counts WHERE day = $1 RETURNING n', [p.day]);
      dropped.push({ from, to });
      events = gone.rows.reduce((sum, r) => sum + r.n, 0);
      if (events > 0) break;
    }
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    if ((err as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw err;
    dropped = [];
    events = 0;
  } finally {
    c.release();
  }
  // After the drop has committed, so that events stays locked only briefly. A crash in
  // between leaves the day's dedup rows behind: a replay of those events is then taken for a
  // duplicate, as it would have been before the prune.
  for (const d of dropped) await pool.query('DELETE FROM event_ids WHERE ts >= $1 AND ts < $2', [d.from, d.to]);
  return events;
}

/** Bytes of the event tables, their indexes and TOAST: what retention by size measures. */
export async function eventBytes(pool: pg.Pool): Promise<number> {
  const r = await pool.query<{ n: number }>(
    `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS n
       FROM pg_class c
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
        AND (c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'events'::regclass)
             OR c.relname IN ('event_ids', 'event_counts', 'unique_events'))`,
  );
  return r.rows[0]?.n ?? 0;
}
