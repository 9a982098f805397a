// One incident engine across nodes that share a PostgreSQL database: leadership is a session
// advisory lock; the leader's death (its connection gone) hands it to another node, and a node
// that does not lead promotes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openPg } from '../src/exchange/store/postgres/db.js';
import { PgLeaderLock, lockKey } from '../src/response/store/postgres/leader.js';
import { openPgResponseStores } from '../src/response/store/postgres/index.js';
import { openSqliteResponseStores } from '../src/response/store/sqlite/index.js';
import { incidentEngineOf } from '../src/response/incidents/part.js';
import { CURSOR } from '../src/response/incidents/engine.js';
import { startTestExchange, cleanup, enrollDevice, DeviceSocket, intrusion, tmpDir } from './helpers/exchange.js';
import { freshSchemaUrl, needsPg } from './helpers/pg.js';

const opts = await needsPg();

test('one holder at a time; closing or losing the holder\'s connection hands the lock on', opts, async () => {
  const { url, drop } = freshSchemaUrl();
  const [dbA, dbB] = [await openPg(url), await openPg(url)];
  const [a, b] = [new PgLeaderLock(dbA), new PgLeaderLock(dbB)];
  try {
    assert.equal(await a.tryLead('engine'), true);
    assert.equal(await a.tryLead('engine'), true, 'the holder keeps it');
    assert.equal(await b.tryLead('engine'), false);
    assert.equal(await b.tryLead('other'), true, 'locks are per name');
    // Node A's connection dies (as when its process is killed): the database frees its locks.
    const killed = await dbB.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)`,
      [lockKey(dbA.schema, 'engine')]);
    assert.equal(killed.rowCount, 1);
    let took = false;
    for (let i = 0; i < 50 && !took; i++) {
      took = await b.tryLead('engine');
      if (!took) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(took, 'B leads once A\'s connection is gone');
    // A's next try may meet its dead connection first; the one after is on a new connection.
    await a.tryLead('engine').catch(() => false);
    assert.equal(await a.tryLead('engine'), false, 'A, reconnected, no longer leads');
    b.close();
    assert.equal(await a.tryLead('engine'), true, 'closing B hands it back');
  } finally {
    a.close();
    b.close();
    await dbA.close();
    await dbB.close();
    await drop();
  }
});

test('the response stores lead through their lock, and closing them hands it over', opts, async () => {
  const { url, drop } = freshSchemaUrl();
  const [dbA, dbB] = [await openPg(url), await openPg(url)];
  try {
    const [a, b] = [await openPgResponseStores(dbA), await openPgResponseStores(dbB)];
    assert.equal(await a.leader.tryLead(CURSOR), true);
    assert.equal(await b.leader.tryLead(CURSOR), false);
    await a.close();
    assert.equal(await b.leader.tryLead(CURSOR), true);
    await b.close();
  } finally {
    await dbA.close();
    await dbB.close();
    await drop();
  }
});

test('on SQLite the one node always leads', async () => {
  const dir = tmpDir();
  const stores = openSqliteResponseStores(join(dir, 'response.db'));
  try {
    assert.equal(await stores.leader.tryLead(CURSOR), true);
    assert.equal(await stores.leader.tryLead(CURSOR), true);
  } finally {
    await stores.close();
    cleanup(dir);
  }
});

test('an engine that does not lead promotes nothing; once the lock is free it takes over from the shared cursor', opts, async () => {
  const { url, drop } = freshSchemaUrl();
  const db = await openPg(url);
  const other = new PgLeaderLock(db);
  // Another node leads, from before this one starts.
  assert.equal(await other.tryLead(CURSOR), true);
  const t = await startTestExchange(tmpDir(), { store: url });
  try {
    const dev = await enrollDevice(t, 'leader-sensor');
    const s = await DeviceSocket.connect(dev);
    await s.hello();
    const sig = { gid: 1, sid: 2099001, rev: 1, message: 'ET MALWARE leader test', classification: 'trojan-activity', priority: 1 };
    assert.equal((await s.sendBatch(1, [intrusion({ signature: sig }), intrusion({ signature: sig })])).accepted, 2);
    s.close();
    const engine = incidentEngineOf(t.ex.response.context());
    await engine.drained();
    assert.deepEqual((await t.api('/ctia/incident/search?limit=10')).body, [], 'no promotion without the lock');
    other.close();
    engine.wake();
    let found: any[] = [];
    for (let i = 0; i < 100 && found.length === 0; i++) {
      await engine.drained();
      found = (await t.api('/ctia/incident/search?limit=10')).body;
      if (found.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(found.length, 1);
    assert.match(found[0].title, /leader test/);
  } finally {
    other.close();
    await t.close();
    cleanup(t.dataDir);
    await db.close();
    await drop();
  }
});
