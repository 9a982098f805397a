// The PostgreSQL store's cache of daily partitions under parallel commits: one commit's forget()
// (it found a partition another node dropped) while another commit is making a partition must
// cost that commit nothing (it crashed with "Cannot read properties of null").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { PartitionCache } from '../src/exchange/store/postgres/partitions.js';

test('a forget() while a commit makes a partition: the commit completes, the next one lists again', async () => {
  const made: string[] = [];
  let lists = 0;
  const held: { cache?: PartitionCache } = {};
  const pool = {
    async query(sql: string) {
      if (sql.includes('pg_inherits')) {
        lists++;
        return { rows: [] };
      }
      made.push(sql);
      held.cache!.forget(); // another commit, meanwhile
      await new Promise((r) => setImmediate(r));
      return { rows: [] };
    },
  } as unknown as pg.Pool;
  const cache = (held.cache = new PartitionCache(pool));
  await cache.ensure([20_000, 20_001]);
  assert.equal(made.length, 2);
  assert.equal(lists, 1);
  await cache.ensure([20_000]);
  assert.equal(lists, 2, 'forgotten: the next commit asks PostgreSQL again');
});
