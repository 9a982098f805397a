// Response's stores on PostgreSQL, on the pool the exchange's stores share (the caller owns
// it: close() here leaves it open).
import { migrate, type PgDb } from '../../../exchange/store/postgres/db.js';
import type { ResponseStores } from '../types.js';
import { RESPONSE_MIGRATIONS } from './schema.js';
import { PgModuleInstanceStore } from './module-instances.js';
import { PgCursorStore } from './cursors.js';
import { PgCtiaStore } from './ctia.js';
import { PgDeviceActionStore } from './actions.js';
import { PgIncidentRuleStore } from './incident-rules.js';
import { PgLeaderLock } from './leader.js';
import { PgEnrichShare } from './enrich-share.js';

export async function openPgResponseStores(db: PgDb): Promise<ResponseStores> {
  await migrate(db, 'response', RESPONSE_MIGRATIONS);
  const leader = new PgLeaderLock(db);
  return {
    modules: new PgModuleInstanceStore(db),
    cursors: new PgCursorStore(db),
    ctia: new PgCtiaStore(db),
    actions: new PgDeviceActionStore(db),
    incidents: new PgIncidentRuleStore(db),
    leader,
    enrichShare: new PgEnrichShare(db),
    // The pool is the caller's (the exchange's stores share it); only the leader's own
    // connection goes back, so that the pool can close.
    async close() {
      leader.close();
    },
  };
}
