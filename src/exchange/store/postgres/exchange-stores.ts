// The exchange's stores other than events on PostgreSQL: one pool, shared by every node.
import type { Stores } from '../types.js';
import { migrate, type PgDb } from './db.js';
import { EXCHANGE_MIGRATIONS } from './schema.js';
import { PgOrgStore } from './orgs.js';
import { PgClientStore } from './clients.js';
import { PgUserStore } from './users.js';
import { PgSessionStore } from './sessions.js';
import { PgRegistrationTokenStore } from './tokens.js';
import { PgDeviceStore } from './devices.js';
import { PgConnectionHistoryStore } from './connection-history.js';

export async function openPgExchangeStores(db: PgDb): Promise<Omit<Stores, 'events' | 'close'>> {
  await migrate(db, 'exchange', EXCHANGE_MIGRATIONS);
  return {
    orgs: new PgOrgStore(db),
    clients: new PgClientStore(db),
    users: new PgUserStore(db),
    sessions: new PgSessionStore(db),
    tokens: new PgRegistrationTokenStore(db),
    devices: new PgDeviceStore(db),
    connectionHistory: new PgConnectionHistoryStore(db),
  };
}
