// Retention prunes by age and by size in small steps, oldest first, and leaves the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpDir, cleanup, intrusion } from './helpers/exchange.js';
import { openSqliteStores } from '../src/exchange/store/sqlite/index.js';
import { pruneOnce, startRetention, type PruneResult } from '../src/exchange/retention.js';
import type { CommitItem } from '../src/exchange/store/types.js';

const DAY = 86400_000;

test('by age: events older than the limit go, newer stay', async () => {
  const dir = tmpDir();
  const stores = openSqliteStores(join(dir, 'ex.db'));
  try {
    const org = await stores.orgs.create('o');
    const now = Date.now();
    const items: CommitItem[] = [];
    for (let i = 0; i < 5000; i++) items.push({ org_id: org.id, device_id: 'd', event: intrusion({ event_id: `old-${i}`, time: new Date(now - 40 * DAY + i).toISOString() }) });
    for (let i = 0; i < 300; i++) items.push({ org_id: org.id, device_id: 'd', event: intrusion({ event_id: `new-${i}`, time: new Date(now - DAY + i).toISOString() }) });
    await stores.events.commit(items);
    const r = await pruneOnce(stores.events, { maxAgeDays: 30, maxBytes: 0, intervalSeconds: 60 }, now);
    assert.equal(r.byAge, 5000);
    assert.equal(await stores.events.count(org.id), 300);
    const page = await stores.events.query(org.id, { limit: 1000 });
    assert.ok(page.data.every((e) => e.event_id.startsWith('new-')));
  } finally {
    await stores.close();
    cleanup(dir);
  }
});

test('by size: the oldest go until the store is under the limit', async () => {
  const dir = tmpDir();
  const stores = openSqliteStores(join(dir, 'ex.db'));
  try {
    const org = await stores.orgs.create('o');
    const now = Date.now();
    const pad = 'x'.repeat(2000);
    for (let b = 0; b < 10; b++) {
      const items: CommitItem[] = [];
      for (let i = 0; i < 1000; i++) {
        const n = b * 1000 + i;
        items.push({ org_id: org.id, device_id: 'd', event: intrusion({ event_id: `e-${n}`, time: new Date(now - 3 * DAY + n * 1000).toISOString(), raw: { pad } }) });
      }
      await stores.events.commit(items);
    }
    const before = await stores.events.sizeBytes();
    const limit = Math.floor(before / 2);
    const r = await pruneOnce(stores.events, { maxAgeDays: 30, maxBytes: limit, intervalSeconds: 60 }, now);
    assert.ok(r.bySize > 0 && r.bySize < 10_000, `pruned ${r.bySize}`);
    assert.ok((await stores.events.sizeBytes()) <= limit);
    const left = await stores.events.count(org.id);
    assert.equal(left, 10_000 - r.bySize);
    // what is left is the newest
    const oldestLeft = await stores.events.query(org.id, { limit: 1, until: new Date(now).toISOString() });
    assert.ok(oldestLeft.data.length === 1);
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const p = await stores.events.query(org.id, { limit: 1000, cursor });
      all.push(...p.data.map((e) => e.event_id));
      cursor = p.next_cursor ?? undefined;
    } while (cursor);
    const nums = all.map((id) => Number(id.slice(2))).sort((a, b) => a - b);
    assert.equal(nums[0], r.bySize, 'the oldest ones went');
  } finally {
    await stores.close();
    cleanup(dir);
  }
});

test('the running prune reports what it deleted by age, with the cutoff, and stays quiet when nothing went', async () => {
  const dir = tmpDir();
  const stores = openSqliteStores(join(dir, 'ex.db'));
  const heard: PruneResult[] = [];
  const errors: unknown[] = [];
  let stop = () => {};
  try {
    const org = await stores.orgs.create('o');
    const now = Date.now();
    // A replayed old capture: event times a year back, beside fresh ones.
    const items: CommitItem[] = [];
    for (let i = 0; i < 40; i++) items.push({ org_id: org.id, device_id: 'd', event: intrusion({ event_id: `old-${i}`, time: new Date(now - 365 * DAY).toISOString() }) });
    for (let i = 0; i < 5; i++) items.push({ org_id: org.id, device_id: 'd', event: intrusion({ event_id: `new-${i}`, time: new Date(now).toISOString() }) });
    await stores.events.commit(items);
    stop = startRetention(stores.events, { maxAgeDays: 30, maxBytes: 0, intervalSeconds: 0.2 }, (e) => errors.push(e), (r) => heard.push(r));
    // The first prune runs a second after the start, then one each interval.
    for (let i = 0; i < 100 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(heard.length, 1, 'later prunes with nothing to delete are not reported');
    assert.equal(heard[0]!.byAge, 40);
    assert.equal(heard[0]!.bySize, 0);
    const cutoff = Date.parse(heard[0]!.before);
    assert.ok(Math.abs(cutoff - (now - 30 * DAY)) < 60_000, heard[0]!.before);
    assert.equal(await stores.events.count(org.id), 5);
    assert.deepEqual(errors, []);
  } finally {
    stop();
    await stores.close();
    cleanup(dir);
  }
});
