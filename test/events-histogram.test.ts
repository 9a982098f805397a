// The Events page's histogram on SQLite, by time alone, comes from per-minute counts kept by
// commit and prune (event_minutes). It must say exactly what counting the events says: for any
// range (whole minutes or not), any interval that is whole minutes, duplicates sent twice,
// several orgs, times before 1970, after pruning, and on a database made before the counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStores } from '../src/exchange/store/sqlite/index.js';
import { MIGRATIONS } from '../src/exchange/store/sqlite/schema.js';
import type { Stores } from '../src/exchange/store/types.js';
import { intrusion } from './helpers/exchange.js';

const T0 = Date.parse('2025-03-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** A seeded generator: a failure can be run again as it was. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The histogram as counting the events gives it: non-empty buckets, oldest first. */
function expected(times: number[], width: number, since?: number, until?: number): Array<{ start: string; count: number }> {
  const m = new Map<number, number>();
  for (const t of times) {
    if ((since !== undefined && t < since) || (until !== undefined && t >= until)) continue;
    const b = Math.floor(t / width) * width;
    m.set(b, (m.get(b) ?? 0) + 1);
  }
  return [...m].sort((a, b) => a[0] - b[0]).map(([b, n]) => ({ start: iso(b), count: n }));
}

function tempDb(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'threatlink-histogram-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'exchange.db');
}

/** Events at random times over three days (and a few before 1970) for two orgs; some sent twice. */
async function fill(stores: Stores, r: () => number): Promise<Record<string, number[]>> {
  const times: Record<string, number[]> = { A: [], B: [] };
  for (let batch = 0; batch < 12; batch++) {
    const org = batch % 3 === 0 ? 'B' : 'A';
    const events = [];
    for (let i = 0; i < 250; i++) {
      const t = r() < 0.02 ? -Math.floor(r() * 600_000) : T0 + Math.floor(r() * 3 * 86_400_000);
      events.push(intrusion({ event_id: `${org}-${batch}-${i}`, time: iso(t) }));
      times[org]!.push(t);
    }
    await stores.events.commit(events.map((event) => ({ org_id: org, device_id: `dev-${org}`, event })));
    // The same batch again: the dedup drops every event, and nothing may be counted twice.
    if (batch % 4 === 1) await stores.events.commit(events.map((event) => ({ org_id: org, device_id: `dev-${org}`, event })));
  }
  return times;
}

async function check(stores: Stores, times: Record<string, number[]>, r: () => number): Promise<void> {
  for (const org of ['A', 'B']) {
    const ts = times[org]!;
    for (const width of [60_000, 300_000, 3_600_000, 86_400_000]) {
      assert.deepEqual(await stores.events.histogram(org, { intervalSeconds: width / 1000 }), expected(ts, width), `${org}, ${width} ms, no range`);
      for (let k = 0; k < 6; k++) {
        // Ranges on and off minute boundaries, one inside a single minute, open at either end.
        let since = T0 + Math.floor(r() * 2 * 86_400_000);
        let until = since + (k === 0 ? 30_000 : Math.floor(r() * 86_400_000));
        if (k === 1) { since -= since % 60_000; until -= until % 60_000; }
        const q = { intervalSeconds: width / 1000, since: k === 4 ? undefined : iso(since), until: k === 5 ? undefined : iso(until) };
        assert.deepEqual(await stores.events.histogram(org, q), expected(ts, width, k === 4 ? undefined : since, k === 5 ? undefined : until), `${org}, ${width} ms, ${q.since}–${q.until}`);
      }
    }
  }
}

test('per-minute counts give the exact histogram: ranges, intervals, duplicates, orgs, before 1970, after pruning', async (t) => {
  const file = tempDb(t);
  const stores = openSqliteStores(file);
  t.after(() => stores.close());
  const r = rng(20261128);
  const times = await fill(stores, r);
  await check(stores, times, r);
  // Retention: the oldest go, and the counts of their minutes with them.
  const cut = T0 + 86_400_000 + 12_345;
  const before = times.A!.filter((x) => x < cut).length + times.B!.filter((x) => x < cut).length;
  let pruned = 0;
  for (let n = await stores.events.pruneOldest(500, iso(cut)); n > 0; n = await stores.events.pruneOldest(500, iso(cut))) pruned += n;
  assert.equal(pruned, before);
  for (const org of ['A', 'B']) times[org] = times[org]!.filter((x) => x >= cut);
  await check(stores, times, r);
  // Minutes emptied by pruning leave no rows behind, and the rows add up to the events.
  const db = new Database(file, { readonly: true });
  try {
    assert.equal(db.prepare('SELECT count(*) FROM event_minutes WHERE n <= 0').pluck().get(), 0);
    assert.equal(db.prepare('SELECT sum(n) FROM event_minutes').pluck().get(), times.A!.length + times.B!.length);
  } finally {
    db.close();
  }
});

test('the upgrade counts the events a database already holds', async (t) => {
  const file = tempDb(t);
  const r = rng(7);
  const first = openSqliteStores(file);
  const times = await fill(first, r);
  await first.close();
  // As a database written before the counts: without the table, one schema version back.
  const db = new Database(file);
  db.exec('DROP TABLE event_minutes');
  db.pragma(`user_version = ${MIGRATIONS.length - 1}`);
  db.close();
  const stores = openSqliteStores(file);
  t.after(() => stores.close());
  await check(stores, times, r);
  // And it keeps them from there on.
  const late = [T0 + 5 * 60_000 + 1, T0 + 5 * 60_000 + 2, T0 - 1];
  await stores.events.commit(late.map((x, i) => ({ org_id: 'A', device_id: 'dev-A', event: intrusion({ event_id: `late-${i}`, time: iso(x) }) })));
  times.A!.push(...late);
  await check(stores, times, r);
});
