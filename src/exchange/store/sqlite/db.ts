// Opens the SQLite file the embedded stores share: pragmas, then any pending migrations.
import Database from 'better-sqlite3';
import { mkdirSync, chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './schema.js';

export type Db = Database.Database;

export function openDb(file: string, migrations: readonly string[] = MIGRATIONS): Db {
  const memory = file === ':memory:' || file === '';
  if (!memory) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // The database holds secret hashes and every org's events: readable by its owner alone,
  // and so are the -wal and -shm files SQLite creates beside it.
  const umask = memory ? null : process.umask(0o077);
  let db: Db;
  try {
    db = new Database(file);
  } finally {
    if (umask !== null) process.umask(umask);
  }
  if (!memory) chmodSync(file, 0o600);
  try {
    // 16 KiB pages, not SQLite's 4 KiB: an event row is ~1.3 KB, and with four times as many
    // rows a page the store's CPU an event fell ~12 % (bench:ingest's ceiling, 3 runs each:
    // 72,800 → 83,200 events/s). Larger pages gained more on ingest but make every small
    // commit (a quiet sensor's, an API write) copy whole pages into the WAL. Takes effect only
    // on a new file: an existing one keeps the size it was made with.
    db.pragma('page_size = 16384');
    // WAL: readers (the API) never block the writer (ingest), and a commit is one append.
    db.pragma('journal_mode = WAL');
    // FULL, not NORMAL: a device is acked only after commit() returns, and then drops the
    // events from its spool. With NORMAL a WAL commit is not fsynced, so it survives a crash of
    // this process but not a power loss or kernel panic, and acked events would be gone for
    // good. FULL fsyncs the WAL at every commit; batching many events per commit keeps that
    // to one fsync per batch.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // 64 MiB of page cache (the default is 2 MiB): the indexer's inserts into event_keys and
    // unique_events land at random places, and those b-trees should stay in memory.
    db.pragma('cache_size = -65536');
    // The WAL file is reused, not shrunk, after a checkpoint; cap what it keeps on disk.
    db.pragma('journal_size_limit = 67108864');
    // A checkpoint each ~4 MiB of WAL, whatever the page size (SQLite counts pages: its 1,000
    // are 16 MiB at 16 KiB). The WAL counts in the store's size, and a size-based prune that
    // writes 16 MiB of WAL deleting rows could never get under its limit.
    db.pragma(`wal_autocheckpoint = ${Math.max(1, Math.round((4 << 20) / (db.pragma('page_size', { simple: true }) as number)))}`);
    migrate(db, migrations);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

function migrate(db: Db, migrations: readonly string[]): void {
  // IMMEDIATE: take the write lock before reading user_version, so two processes opening
  // the same file at once cannot both apply the same migration.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > migrations.length) {
      throw new Error(`database schema version ${version} is newer than this program knows (${migrations.length})`);
    }
    for (let v = version; v < migrations.length; v++) db.exec(migrations[v] as string);
    if (version !== migrations.length) db.pragma(`user_version = ${migrations.length}`);
  }).immediate();
}
