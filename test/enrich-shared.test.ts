// Enrich across nodes on one PostgreSQL database: a module's answer fetched through one node is
// served to the other from the shared cache, and a module's calls-a-minute budget is one budget
// for all nodes. On one node (no share) each keeps its own, as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPg, migrate, type PgDb } from '../src/exchange/store/postgres/db.js';
import { RESPONSE_MIGRATIONS } from '../src/response/store/postgres/schema.js';
import { PgEnrichShare } from '../src/response/store/postgres/enrich-share.js';
import { FanOut } from '../src/response/enrich/fanout.js';
import type { Module, ModuleInstance, ObserveData } from '../src/response/module.js';
import type { CtimObservable } from '../src/ctim/index.js';
import { freshSchemaUrl, needsPg } from './helpers/pg.js';

const opts = await needsPg();

function instance(over: Partial<ModuleInstance> = {}): ModuleInstance {
  return {
    id: 'mod-1', org_id: 'org-a', kind: 'relay', name: 'metered intel', enabled: true, settings: {},
    timeout_ms: 5000, concurrency: 8, rate_limit_per_minute: 0, cache_ttl_seconds: 300,
    created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z', ...over,
  };
}

/** A module that counts what it is asked and answers one verdict per observable. */
function countingModule(i: ModuleInstance): Module & { asked: string[] } {
  const asked: string[] = [];
  return {
    instance: i,
    asked,
    async deliberate(obs: CtimObservable[]): Promise<ObserveData> {
      asked.push(...obs.map((o) => o.value));
      return { verdicts: { count: obs.length, docs: obs.map((o) => ({ type: 'verdict', disposition: 2, observable: o, valid_time: {} }) as never) } };
    },
  };
}

async function twoNodes(f: (a: FanOut, b: FanOut) => Promise<void>): Promise<void> {
  const { url, drop } = freshSchemaUrl();
  const dbs: PgDb[] = [];
  try {
    for (let n = 0; n < 2; n++) {
      const db = await openPg(url);
      dbs.push(db);
      await migrate(db, 'response', RESPONSE_MIGRATIONS);
    }
    const [a, b] = dbs.map((db) => new FanOut(() => 'test', new PgEnrichShare(db), (err) => { throw err; }));
    await f(a!, b!);
  } finally {
    for (const db of dbs) await db.close();
    await drop();
  }
}

const obs = (...values: string[]): CtimObservable[] => values.map((value) => ({ type: 'ip', value }));

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

test('a budget of 5 calls a minute is one budget across both nodes', opts, () => twoNodes(async (a, b) => {
  const i = instance({ rate_limit_per_minute: 5, cache_ttl_seconds: 0 });
  const [ma, mb] = [countingModule(i), countingModule(i)];
  const results = [];
  for (let n = 0; n < 8; n++) results.push(await (n % 2 === 0 ? a : b).run('deliberate', [n % 2 === 0 ? ma : mb], obs(`203.0.113.${n}`), 'org-a'));
  const limited = results.filter((r) => r.errors.some((e) => e.code === 'rate_limited')).length;
  assert.equal(ma.asked.length + mb.asked.length, 5, 'five calls reached the module in all');
  assert.equal(limited, 3);
  assert.ok(ma.asked.length > 0 && mb.asked.length > 0, 'both nodes spent from it');
}));

test('without a share (one node on SQLite) each fan-out keeps its own cache and budget', async () => {
  const i = instance({ rate_limit_per_minute: 2 });
  const [a, b] = [new FanOut(() => 'test'), new FanOut(() => 'test')];
  const [ma, mb] = [countingModule(i), countingModule(i)];
  await a.run('deliberate', [ma], obs('192.0.2.1'), 'org-a');
  await a.run('deliberate', [ma], obs('192.0.2.1'), 'org-a');
  assert.deepEqual(ma.asked, ['192.0.2.1'], 'cached in memory');
  await b.run('deliberate', [mb], obs('192.0.2.1'), 'org-a');
  assert.deepEqual(mb.asked, ['192.0.2.1'], 'another process has its own cache');
});
