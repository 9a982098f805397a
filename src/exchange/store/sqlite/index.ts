// The embedded backend: every store in one SQLite file.
import type { Stores } from '../types.js';
import { openDb } from './db.js';
import { SqliteOrgStore } from './orgs.js';
import { SqliteClientStore } from './clients.js';
import { SqliteUserStore } from './users.js';
import { SqliteSessionStore } from './sessions.js';
import { SqliteRegistrationTokenStore } from './tokens.js';
import { SqliteDeviceStore } from './devices.js';
import { SqliteConnectionHistoryStore } from './connection-history.js';
import { SqliteEventStore } from './events.js';

// A writer thread for commits and indexing was tried (commit + indexing on the other core) and
// measured no faster on a 2-core box shared with the sensor side, so the store stays on one
// connection.
export function openSqliteStores(file: string): Stores {
  const db = openDb(file);
  const events = new SqliteEventStore(db);
  return {
    orgs: new SqliteOrgStore(db),
    clients: new SqliteClientStore(db),
    users: new SqliteUserStore(db),
    sessions: new SqliteSessionStore(db),
    tokens: new SqliteRegistrationTokenStore(db),
    devices: new SqliteDeviceStore(db),
    connectionHistory: new SqliteConnectionHistoryStore(db),
    events,
    async close() {
      events.stop();
      if (!db.open) return;
      // Keeps the planner's statistics current for the next open (cheap; see the SQLite docs).
      db.pragma('optimize');
      db.close();
    },
  };
}
