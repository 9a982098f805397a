// The store's page size: 16 KiB on a file it creates (four ~1.3 KB event rows a page rather than
// three to a 4 KiB one, less of the store's CPU an event); a file made before keeps its own size
// and opens with its data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDb } from '../src/exchange/store/sqlite/db.js';
import { tmpDir, cleanup } from './helpers/exchange.js';

test('a new store file has 16 KiB pages, in WAL mode', () => {
  const dir = tmpDir();
  try {
    const db = openDb(join(dir, 'new.db'));
    assert.equal(db.pragma('page_size', { simple: true }), 16384);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    // A checkpoint each 4 MiB of WAL, as with 4 KiB pages (retention.test.ts: a size-based prune
    // must be able to get under its limit).
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 256);
    db.close();
  } finally {
    cleanup(dir);
  }
});

test('a store file made with 4 KiB pages opens as it is, with its data, and takes the schema', () => {
  const dir = tmpDir();
  const legacy = join(dir, 'legacy.db');
  try {
    // Made as before this version: SQLite's default pages, WAL, some data.
    const old = new Database(legacy);
    old.pragma('journal_mode = WAL');
    old.exec("CREATE TABLE keep (v TEXT); INSERT INTO keep VALUES ('kept');");
    assert.equal(old.pragma('page_size', { simple: true }), 4096);
    old.close();
    const db = openDb(legacy);
    assert.equal(db.pragma('page_size', { simple: true }), 4096, 'an existing file keeps its page size');
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1024);
    assert.equal(db.prepare('SELECT v FROM keep').pluck().get(), 'kept');
    assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'events'").pluck().get(), 1);
    db.close();
  } finally {
    cleanup(dir);
  }
});
