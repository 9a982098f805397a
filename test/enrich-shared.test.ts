// Enrich across nodes on one PostgreSQL database: a module's answer fetched through one node is
// served to the other from the shared cache, and a module's calls-a-minute budget is one budget
// for all nodes. On one node (SQLite) the stores' share is this process's memory, as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openPg, type PgDb } from '../src/exchange/store/postgres/db.js';
import { openPgResponseStores } from '../src/response/store/postgres/index.js';
import { openSqliteResponseStores } from '../src/response/store/sqlite/index.js';
import type { ResponseStores } from '../src/response/store/types.js';
import type { EnrichShare } from '../src/response/enrich/share.js';
import { FanOut } from '../src/response/enrich/fanout.js';
import type { Module, ModuleInstance, ObserveData } from '../src/response/module.js';
import type { CtimObservable } from '../src/ctim/index.js';
import { freshSchemaUrl, needsPg } from './helpers/pg.js';
import { cleanup, tmpDir } from './helpers/exchange.js';

const opts = await needsPg();

function instance(over: Partial<ModuleInstance> = {}): ModuleInstance {
  return {
    id: 'mod-1', org_id: 'org-a', kind: 'relay', name: 'metered intel', enabled: true, settings: {},
    timeout_ms: 5000, concurrency: 8, rate_limit_per_minute: 0, cache_ttl_seconds: 300,
    created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z', ...over,
  };
}

/** A module that counts what it is asked and answers one verdict per observable. */
function countingModule(i: ModuleInstance, reason = 'seen'): Module & { asked: string[] } {
  const asked: string[] = [];
  return {
    instance: i,
    asked,
    async deliberate(obs: CtimObservable[]): Promise<ObserveData> {
      asked.push(...obs.map((o) => o.value));
      return { verdicts: { count: obs.length, docs: obs.map((o) => ({ type: 'verdict', disposition: 2, observable: o, reason, valid_time: {} }) as never) } };
    },
  };
}

/** Two nodes: each its own pool and response stores on one fresh schema, and a fan-out on
 * the stores' share, as extension.ts builds it. */
async function twoNodes(f: (a: FanOut, b: FanOut, stores: ResponseStores[]) => Promise<void>): Promise<void> {
  const { url, drop } = freshSchemaUrl();
  const dbs: PgDb[] = [];
  const stores: ResponseStores[] = [];
  try {
    for (let n = 0; n < 2; n++) {
      const db = await openPg(url);
      dbs.push(db);
      stores.push(await openPgResponseStores(db));
    }
    const [a, b] = stores.map((s) => new FanOut(() => 'test', s.enrichShare, (err) => { throw err; }));
    await f(a!, b!, stores);
  } finally {
    for (const s of stores) await s.close();
    for (const db of dbs) await db.close();
    await drop();
  }
}

const obs = (...values: string[]): CtimObservable[] => values.map((value) => ({ type: 'ip', value }));
const reasons = (r: { answers: Array<{ data: unknown }> }) =>
  (r.answers[0]!.data as ObserveData).verdicts!.docs.map((v) => (v as unknown as { reason: string }).reason);

test('an answer fetched through node A is served on node B without asking the module again', opts, () => twoNodes(async (a, b) => {
  const i = instance();
  // Each node builds its own live module from the same stored instance.
  const [ma, mb] = [countingModule(i), countingModule(i)];
  const first = await a.run('deliberate', [ma], obs('198.51.100.1', '198.51.100.2'), 'org-a');
  assert.deepEqual(first.errors, []);
  assert.deepEqual(ma.asked, ['198.51.100.1', '198.51.100.2']);
  const onB = await b.run('deliberate', [mb], obs('198.51.100.2', '198.51.100.3'), 'org-a');
  assert.deepEqual(mb.asked, ['198.51.100.3'], 'B asks only what nobody asked yet');
  const verdicts = (onB.answers[0]!.data as ObserveData).verdicts!.docs.map((v) => (v as { observable: CtimObservable }).observable.value).sort();
  assert.deepEqual(verdicts, ['198.51.100.2', '198.51.100.3']);
  // An edited instance (new updated_at) is a new question.
  const edited = countingModule(instance({ updated_at: '2026-02-01T00:00:00.000Z' }));
  await b.run('deliberate', [edited], obs('198.51.100.1'), 'org-a');
  assert.deepEqual(edited.asked, ['198.51.100.1']);
  // Another org's instance of the same id shares nothing.
  const other = countingModule(instance({ org_id: 'org-b' }));
  await a.run('deliberate', [other], obs('198.51.100.1'), 'org-b');
  assert.deepEqual(other.asked, ['198.51.100.1']);
}));

test('a shared answer keeps a NUL and any other character exactly', opts, () => twoNodes(async (a, b) => {
  const odd = 'evil\u0000host \\u0000 \u{1F47E} "quoted"';
  await a.run('deliberate', [countingModule(instance(), odd)], obs('198.51.100.9'), 'org-a');
  const mb = countingModule(instance());
  const onB = await b.run('deliberate', [mb], obs('198.51.100.9'), 'org-a');
  assert.deepEqual(mb.asked, []);
  assert.deepEqual(reasons(onB), [odd]);
}));

test('a budget of 5 calls a minute is one budget across both nodes', opts, () => twoNodes(async (a, b) => {
  const i = instance({ rate_limit_per_minute: 5, cache_ttl_seconds: 0 });
  const [ma, mb] = [countingModule(i), countingModule(i)];
  const results = [];
  for (let n = 0; n < 8; n++) results.push(await (n % 2 === 0 ? a : b).run('deliberate', [n % 2 === 0 ? ma : mb], obs(`203.0.113.${n}`), 'org-a'));
  const limited = results.filter((r) => r.errors.some((e) => e.code === 'rate_limited')).length;
  assert.equal(ma.asked.length + mb.asked.length, 5, 'five calls reached the module in all');
  assert.equal(limited, 3);
  assert.ok(ma.asked.length > 0 && mb.asked.length > 0, 'both nodes spent from it');
  // Nodes racing for the last calls of a budget get no more than it holds.
  const j = instance({ id: 'mod-2', rate_limit_per_minute: 7, cache_ttl_seconds: 0 });
  const [ja, jb] = [countingModule(j), countingModule(j)];
  await Promise.all(Array.from({ length: 20 }, (_, n) => (n % 2 === 0 ? a : b).run('deliberate', [n % 2 === 0 ? ja : jb], obs(`203.0.113.${100 + n}`), 'org-a')));
  assert.equal(ja.asked.length + jb.asked.length, 7);
}));

test('a node whose share fails answers from its own cache and budget', async () => {
  const reported: unknown[] = [];
  const down: EnrichShare = {
    cacheGet: () => Promise.reject(new Error('down')),
    cacheSet: () => Promise.reject(new Error('down')),
    take: () => Promise.reject(new Error('down')),
  };
  const f = new FanOut(() => 'test', down, (err) => reported.push(err));
  const m = countingModule(instance({ rate_limit_per_minute: 2 }));
  for (const v of ['192.0.2.1', '192.0.2.1', '192.0.2.2']) assert.deepEqual((await f.run('deliberate', [m], obs(v), 'org-a')).errors, []);
  assert.deepEqual(m.asked, ['192.0.2.1', '192.0.2.2'], 'cached in memory');
  const third = await f.run('deliberate', [m], obs('192.0.2.3'), 'org-a');
  assert.equal(third.errors[0]?.code, 'rate_limited', 'the node\'s own budget');
  assert.ok(reported.length > 0);
});

test('on SQLite the stores\' share is this process\'s: cache and budget as before', async () => {
  const dir = tmpDir();
  const stores = openSqliteResponseStores(join(dir, 'response.db'));
  try {
    const i = instance({ rate_limit_per_minute: 2 });
    const f = new FanOut(() => 'test', stores.enrichShare);
    const m = countingModule(i);
    await f.run('deliberate', [m], obs('192.0.2.1'), 'org-a');
    await f.run('deliberate', [m], obs('192.0.2.1'), 'org-a');
    assert.deepEqual(m.asked, ['192.0.2.1'], 'cached in memory');
    await f.run('deliberate', [m], obs('192.0.2.2'), 'org-a');
    const third = await f.run('deliberate', [m], obs('192.0.2.3'), 'org-a');
    assert.equal(third.errors[0]?.code, 'rate_limited');
    // A fan-out with a share of its own (another process) shares nothing with it.
    const other = countingModule(i);
    await new FanOut(() => 'test').run('deliberate', [other], obs('192.0.2.1'), 'org-a');
    assert.deepEqual(other.asked, ['192.0.2.1']);
  } finally {
    await stores.close();
    cleanup(dir);
  }
});
