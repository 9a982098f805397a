// The daily partitions of events: which exist, making the ones a commit needs, dropping old
// ones. Partition names are built from the day's date only, never from input text.
import type pg from 'pg';

export const DAY_MS = 86_400_000;

export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);

/** events_20250301; years outside 0-9999 keep their digits, with an n for negative ones. */
export function partitionName(day: number): string {
  const iso = new Date(day * DAY_MS).toISOString();
  const date = iso.slice(0, iso.indexOf('T'));
  return `events_${date.startsWith('-') ? 'n' : ''}${date.replace(/\D/g, '')}`;
}

export interface Partition {
  name: string;
  day: number;
}

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** The partitions of events in the current schema, oldest first, read off their bounds. */
export async function listPartitions(q: Queryable): Promise<Partition[]> {
  const r = await q.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'events'::regclass`,
  );
  const out: Partition[] = [];
  for (const row of r.rows) {
    const from = /FROM \('(-?\d+)'\)/.exec(row.bound);
    if (from) out.push({ name: row.name, day: dayOf(Number(from[1])) });
  }
  return out.sort((a, b) => a.day - b.day);
}

/** Makes the day's partition unless it exists. Two nodes may race to make it: the loser's
 * duplicate error means it is there. Outside the commit's transaction, so that the lock on
 * events it takes is held only for this. */
export async function createPartition(pool: pg.Pool, day: number): Promise<void> {
  const from = day * DAY_MS;
  // DDL takes no parameters: the name and bounds are made from the day number alone.
  try {
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF events FOR VALUES FROM (${from}) TO (${from + DAY_MS})`,
    );
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== '23505' && code !== '42P07') throw err;
  }
}

/** The days known to have a partition, so a commit asks PostgreSQL only for a new day. */
export class PartitionCache {
  private known: Set<number> | null = null;

  constructor(private readonly pool: pg.Pool) {}

  async ensure(days: Iterable<number>): Promise<void> {
    // A set of this call's own: a forget() while it awaits (another commit found a partition
    // gone) drops the cache for the next call, not the set this one is filling.
    let known = this.known;
    if (known === null) {
      known = new Set((await listPartitions(this.pool)).map((p) => p.day));
      this.known ??= known;
    }
    for (const day of days) {
      if (known.has(day)) continue;
      await createPartition(this.pool, day);
      known.add(day);
    }
  }

  /** After another node dropped a partition this one thought was there. */
  forget(): void {
    this.known = null;
  }
}
