// The ingest path on PostgreSQL: a batch of events in one transaction. The dedup rows go in
// first (event_ids, ON CONFLICT DO NOTHING): only the events whose key was new are inserted,
// with their per-day counts and unique-event counters, all as multi-row statements over
// arrays. Rows every commit may share (dedup keys, counters) are written in a fixed order, so
// two nodes committing the same events wait for each other instead of deadlocking; the second
// finds the keys taken and stores nothing twice.
import type pg from 'pg';
import type { EventObservables, EventType } from '../../../events/event.js';
import type { CommitItem } from '../types.js';
import { eventKeys, KIND_SID, toMs } from '../sqlite/events-keys.js';
import { dayOf, type PartitionCache } from './partitions.js';
import { UniqueGroups } from './events-unique.js';
import { noNul } from './text.js';

/** The events columns a commit writes, in the order of a row's values, with their types
 * (exported for the benchmark's COPY ceiling, which writes the same rows). */
export const COLUMNS: readonly [string, string][] = [
  ['n', 'int'],
  ['org_id', 'text'],
  ['device_id', 'text'],
  ['event_id', 'text'],
  ['type', 'text'],
  ['ts', 'bigint'],
  ['src_ip', 'text'],
  ['src_port', 'int'],
  ['dst_ip', 'text'],
  ['dst_port', 'int'],
  ['protocol', 'text'],
  ['gid', 'bigint'],
  ['sid', 'bigint'],
  ['rev', 'bigint'],
  ['message', 'text'],
  ['classification', 'text'],
  ['priority', 'int'],
  ['impact', 'int'],
  ['action', 'text'],
  ['app_proto', 'text'],
  ['policy', 'text'],
  ['observables', 'text'],
  ['raw', 'text'],
  ['tags', 'text'],
  ['keys', 'text[]'],
];

// The rows travel as one JSON array of arrays: JSON.stringify is native and fast, where
// node-pg's text-array literals cost ~80 µs an event in escaping. jsonb parses it once.
const INSERT_EVENTS =
  `INSERT INTO events (tx, received_at, ${COLUMNS.map(([c]) => c).join(', ')})
   SELECT pg_current_xact_id()::text::bigint, $2::bigint, ` +
  COLUMNS.map(([c, t], i) => (c === 'keys' ? `ARRAY(SELECT jsonb_array_elements_text(r->${i}))` : t === 'text' ? `r->>${i}` : `(r->>${i})::${t}`)).join(', ') +
  ` FROM jsonb_array_elements($1::jsonb) AS r`;

export type Value = string | number | null | string[];

/** An item as column values (COLUMNS order). */
export function rowOf(item: CommitItem, n: number): Value[] {
  const e = item.event;
  const sig = e.signature;
  const src = e.src_ip ?? null;
  const dst = e.dst_ip ?? null;
  const obs = e.observables ?? null;
  // The values the `observable` filter matches: addresses and sensor-reported observables,
  // as SQLite's lookup index holds them (sid has its own column and index).
  const keys: string[] = [];
  eventKeys(src, dst, null, obs, (kind, v) => {
    if (kind !== KIND_SID && !keys.includes(String(v))) keys.push(String(v));
  });
  return [
    n,
    item.org_id,
    item.device_id,
    e.event_id,
    e.type,
    toMs(e.time, 'event'),
    src,
    e.src_port ?? null,
    dst,
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
    item.raw_json ?? (e.raw === undefined ? null : JSON.stringify(e.raw)),
    e.tags !== undefined && e.tags.length > 0 ? JSON.stringify(e.tags) : null,
    keys.map(noNul),
  ].map(noNul);
}

const TS = 5;
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const dedupKey = (device: string, eventId: string): string => device + '\n' + eventId;

/** PostgreSQL's "no partition of relation found for row": another node dropped a partition
 * between this node making sure of it and inserting. */
const NO_PARTITION = '23514';

export async function commitEvents(pool: pg.Pool, partitions: PartitionCache, items: readonly CommitItem[]): Promise<boolean[]> {
  const rows = items.map(rowOf);
  // Within the batch the first of a key is the one stored; the rest are duplicates.
  const firstOf = new Map<string, number>();
  rows.forEach((r, i) => {
    const k = dedupKey(r[2] as string, r[3] as string);
    if (!firstOf.has(k)) firstOf.set(k, i);
  });
  for (let attempt = 1; ; attempt++) {
    await partitions.ensure(new Set(rows.map((r) => dayOf(r[TS] as number))));
    try {
      return await commitOnce(pool, items.length, rows, firstOf);
    } catch (err) {
      if ((err as { code?: string }).code !== NO_PARTITION || attempt >= 3) throw err;
      partitions.forget();
    }
  }
}

async function commitOnce(pool: pg.Pool, count: number, rows: Value[][], firstOf: Map<string, number>): Promise<boolean[]> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const keys = [...firstOf.keys()].sort(cmp);
    const candidates = keys.map((k) => rows[firstOf.get(k) as number] as Value[]);
    const fresh = await c.query<{ device_id: string; event_id: string }>(
      `INSERT INTO event_ids (device_id, event_id, ts)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
       ON CONFLICT DO NOTHING RETURNING device_id, event_id`,
      [candidates.map((r) => r[2]), candidates.map((r) => r[3]), candidates.map((r) => r[TS])],
    );
    const inserted = new Array<boolean>(count).fill(false);
    for (const r of fresh.rows) inserted[firstOf.get(dedupKey(r.device_id, r.event_id)) as number] = true;
    const stored = rows.filter((_, i) => inserted[i]);
    if (stored.length > 0) {
      await c.query(INSERT_EVENTS, [JSON.stringify(stored), Date.now()]);
      await addCounts(c, stored);
      const groups = new UniqueGroups();
      for (const r of stored) {
        groups.add({
          org_id: r[1] as string,
          device_id: r[2] as string,
          type: r[4] as EventType,
          ts: r[TS] as number,
          src_ip: r[6] as string | null,
          dst_ip: r[8] as string | null,
          gid: r[11] as number | null,
          sid: r[12] as number | null,
          message: r[14] as string | null,
          priority: r[16] as number | null,
          observables: r[21] === null ? null : (JSON.parse(r[21] as string) as EventObservables),
        });
      }
      await groups.write(c);
    }
    // Durable when this resolves: synchronous_commit is left at its default (on).
    await c.query('COMMIT');
    return inserted;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/** Adds the stored events to event_counts, per (org, day), in key order. */
async function addCounts(c: pg.PoolClient, stored: Value[][]): Promise<void> {
  const counts = new Map<string, { org: string; day: number; n: number }>();
  for (const r of stored) {
    const org = r[1] as string;
    const day = dayOf(r[TS] as number);
    const k = `${org}\n${day}`;
    const e = counts.get(k);
    if (e) e.n++;
    else counts.set(k, { org, day, n: 1 });
  }
  const cs = [...counts.values()].sort((a, b) => cmp(a.org, b.org) || a.day - b.day);
  await c.query(
    `INSERT INTO event_counts (org_id, day, n) SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[])
     ON CONFLICT (org_id, day) DO UPDATE SET n = event_counts.n + excluded.n`,
    [cs.map((x) => x.org), cs.map((x) => x.day), cs.map((x) => x.n)],
  );
}
