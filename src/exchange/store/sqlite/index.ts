// The embedded backend: every store in one SQLite file.
import type { Stores } from '../types.js';
import { openDb } from './db.js';
import { SqliteOrgStore } from './orgs.js';
import { SqliteClientStore } from './clients.js';
import { SqliteRegistrationTokenStore } from './tokens.js';
import { SqliteDeviceStore } from './devices.js';
import { SqliteEventStore } from './events.js';
import { ThreadedEventStore } from './events-writer.js';

export interface SqliteStoreOptions {
  /** Run event commits, indexing and pruning on a writer thread (events-writer.ts). The
   * default for a database file unless THREATLINK_SQLITE_WRITER_THREAD=0; an in-memory
   * database has one connection, so one thread. */
  writerThread?: boolean;
}

export function openSqliteStores(file: string, opts: SqliteStoreOptions = {}): Stores {
  const db = openDb(file);
  const local = new SqliteEventStore(db);
  const thread = opts.writerThread ?? process.env.THREATLINK_SQLITE_WRITER_THREAD !== '0';
  const threaded = thread && !db.memory ? new ThreadedEventStore(file, local) : null;
  const events = threaded ?? local;
  return {
    orgs: new SqliteOrgStore(db),
    clients: new SqliteClientStore(db),
    tokens: new SqliteRegistrationTokenStore(db),
    devices: new SqliteDeviceStore(db),
    events,
    async close() {
      local.stop();
      await threaded?.close();
      if (!db.open) return;
      // Keeps the planner's statistics current for the next open (cheap; see the SQLite docs).
      db.pragma('optimize');
      db.close();
    },
  };
}
