// The exchange's stores on one PostgreSQL database: the tables migrate at open, and close ends
// the pool they share (response's stores, on the same pool, leave it to this).
import type { Stores } from '../types.js';
import type { PgDb } from './db.js';
import { openPgExchangeStores } from './exchange-stores.js';
import { openPgEventStore } from './events.js';

export async function openPostgresStores(db: PgDb): Promise<Stores> {
  const rest = await openPgExchangeStores(db);
  const events = await openPgEventStore(db);
  return { ...rest, events, close: () => db.close() };
}
