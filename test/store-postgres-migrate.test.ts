// PostgreSQL migrations: versioned per component, applied once even when nodes start together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPg, migrate } from '../src/exchange/store/postgres/db.js';
import { freshSchemaUrl, needsPg } from './helpers/pg.js';

const opts = await needsPg();

test('two nodes migrating the same schema at once apply each version exactly once', opts, async () => {
  const { url, drop } = freshSchemaUrl();
  const a = await openPg(url);
  const b = await openPg(url);
  try {
    const steps = ['CREATE TABLE thing (id INTEGER PRIMARY KEY)', 'INSERT INTO thing VALUES (1)', 'ALTER TABLE thing ADD COLUMN name TEXT'];
    await Promise.all([migrate(a, 'demo', steps), migrate(b, 'demo', steps), migrate(a, 'demo', steps)]);
    assert.deepEqual((await a.pool.query('SELECT id, name FROM thing')).rows, [{ id: 1, name: null }]);
    const versions = await a.pool.query("SELECT version FROM schema_migrations WHERE component = 'demo' ORDER BY version");
    assert.deepEqual(versions.rows.map((r) => r.version), [1, 2, 3]);
    // A later start with one more step applies only that one.
    await migrate(b, 'demo', [...steps, "UPDATE thing SET name = 'x'"]);
    assert.deepEqual((await a.pool.query('SELECT name FROM thing')).rows, [{ name: 'x' }]);
  } finally {
    await a.close();
    await b.close();
    await drop();
  }
});

test('a failing migration names its component and version and leaves nothing half-done', opts, async () => {
  const { url, drop } = freshSchemaUrl();
  const db = await openPg(url);
  try {
    await assert.rejects(migrate(db, 'broken', ['CREATE TABLE ok (id INT)', 'CREATE TABLE ok (id INT)']), /migration broken v2 failed: .*already exists/);
    const versions = await db.pool.query("SELECT version FROM schema_migrations WHERE component = 'broken'");
    assert.deepEqual(versions.rows.map((r) => r.version), [1]);
  } finally {
    await db.close();
    await drop();
  }
});

test('an unreachable server is named without its password', async () => {
  await assert.rejects(openPg('postgres://u:s3cret@127.0.0.1:1/test'), (err: Error) => /cannot reach PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/test/.test(err.message) && !err.message.includes('s3cret'));
});
