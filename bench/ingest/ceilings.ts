// The references bench:ingest runs beside the end-to-end figure: the same events written
// straight into the store the server uses, with nothing in between.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { openSqliteStores } from '../../src/exchange/store/sqlite/index.js';
import { openPg, migrate } from '../../src/exchange/store/postgres/db.js';
import { EVENT_MIGRATIONS } from '../../src/exchange/store/postgres/events-schema.js';
import { COLUMNS, rowOf, type Value } from '../../src/exchange/store/postgres/events-commit.js';
import { createPartition, dayOf } from '../../src/exchange/store/postgres/partitions.js';
import { mapEve } from '../../src/connector/sources/map-eve.js';
import { validateEvent } from '../../src/events/validate.js';
import type { CommitItem } from '../../src/exchange/store/types.js';

function items(lines: string[], orgId: string): CommitItem[] {
  return lines.map((l, i) => {
    const ev = mapEve(JSON.parse(l) as Record<string, unknown>, `bench:${i}`)!;
    const v = validateEvent(ev);
    if (!v.ok) throw new Error(v.reason);
    return { org_id: orgId, device_id: 'bench-device', event: v.event };
  });
}

/** Commits of 5,000 into the SQLite store, same schema and indexes, indexer included: events/s,
 * and the CPU (all of this process's threads) an event took meanwhile, in µs. */
export async function sqliteCeiling(lines: string[]): Promise<{ eps: number; cpuUsPerEvent: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tl-ceiling-'));
  const stores = openSqliteStores(join(dir, 'exchange.db'));
  try {
    const org = await stores.orgs.create('bench');
    const all = items(lines, org.id);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < all.length; i += 5000) {
      await stores.events.commit(all.slice(i, i + 5000));
      // A turn of the event loop between commits, as the server has between frames: the indexer
      // runs there and takes the new rows from memory. Without it (until session 9) the rows
      // piled up past what the indexer keeps and it read them back from the file at the end,
      // which the server never does: that ceiling was ~25 % low (32,900 against 43,000 on one VM).
      await new Promise((r) => setImmediate(r));
    }
    // The lookup index and unique-event counters are the store's work too: a read makes the
    // indexer catch up, so the ceiling includes them as the end-to-end run does.
    await stores.events.unique(org.id, { limit: 1 });
    const eps = all.length / ((performance.now() - t0) / 1000);
    const cpu = process.cpuUsage(cpu0);
    return { eps, cpuUsPerEvent: (cpu.user + cpu.system) / all.length };
  } finally {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** COPY text format: backslash, tab, newline and carriage return escaped; null as \N. */
function copyField(v: Value | string[]): string {
  if (v === null) return '\\N';
  if (Array.isArray(v)) v = `{${v.map((k) => `"${k.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
  return String(v).replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** Raw `COPY … FROM STDIN` of the same rows into the same events table (partitioned, same
 * indexes) in one schema of its own: what PostgreSQL itself takes, without dedup, counts or
 * unique-event work. */
export async function postgresCopyCeiling(lines: string[], baseUrl: string): Promise<number> {
  const schema = `bench_copy_${process.pid}`;
  const u = new URL(baseUrl);
  u.searchParams.set('schema', schema);
  const db = await openPg(u.toString());
  try {
    await migrate(db, 'events', EVENT_MIGRATIONS);
    const rows = items(lines, 'bench-org').map((it, i) => rowOf(it, i));
    const ts = COLUMNS.findIndex(([c]) => c === 'ts');
    for (const day of new Set(rows.map((r) => dayOf(r[ts] as number)))) await createPartition(db.pool, day);
    const cols = ['tx', 'received_at', ...COLUMNS.map(([c]) => c)];
    const now = Date.now();
    const text = rows.map((r) => ['1', String(now), ...r.map(copyField)].join('\t')).join('\n') + '\n';
    const c = await db.pool.connect();
    try {
      const t0 = performance.now();
      await c.query('BEGIN');
      await pipeline(Readable.from([text]), c.query(copyFrom(`COPY events (${cols.join(', ')}) FROM STDIN`)));
      await c.query('COMMIT');
      return rows.length / ((performance.now() - t0) / 1000);
    } finally {
      c.release();
    }
  } finally {
    await db.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await db.close();
  }
}

/** Events stored in a PostgreSQL store schema (for the end-to-end run's finish line). */
export async function pgEventCount(url: string): Promise<number> {
  const u = new URL(url);
  const schema = u.searchParams.get('schema') ?? 'public';
  u.searchParams.delete('schema');
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    return Number((await c.query(`SELECT coalesce(sum(n), 0) AS n FROM ${schema}.event_counts`)).rows[0].n);
  } finally {
    await c.end();
  }
}
