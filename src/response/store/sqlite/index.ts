// Response's embedded backend: its own SQLite file beside the exchange's (response.db), so the
// event store's write lock never waits on an analyst's edit.
import { openDb } from '../../../exchange/store/sqlite/db.js';
import type { ResponseStores } from '../types.js';
import { migrateComponents } from './migrate.js';
import { MODULE_INSTANCE_MIGRATIONS, SqliteModuleInstanceStore } from './module-instances.js';
import { CURSOR_MIGRATIONS, SqliteCursorStore } from './cursors.js';
import { CTIA_MIGRATIONS, SqliteCtiaStore } from './ctia.js';
import { ACTION_MIGRATIONS, SqliteDeviceActionStore } from './actions.js';
import { INCIDENT_MIGRATIONS, SqliteIncidentRuleStore } from './incident-rules.js';
import { soleLeader } from './leader.js';
import { MemoryEnrichShare } from '../../enrich/memory-share.js';

export function openSqliteResponseStores(file: string): ResponseStores {
  const db = openDb(file, []);
  // NORMAL, not the exchange's FULL: in WAL mode a commit still survives a crash of this
  // process (kill -9), and only a power loss can take the last few commits, together and in
  // order. What lives here is the analysts' work and state derived from events, which the
  // incident engine re-derives from its cursor; the acknowledged events themselves stay in
  // exchange.db under FULL. Measured: FULL made the incident engine fsync per promotion and
  // held ingest to ~3,000 events/s during a flood of priority-1 alerts.
  db.pragma('synchronous = NORMAL');
  migrateComponents(db, {
    module_instances: MODULE_INSTANCE_MIGRATIONS,
    cursors: CURSOR_MIGRATIONS,
    ctia: CTIA_MIGRATIONS,
    actions: ACTION_MIGRATIONS,
    incidents: INCIDENT_MIGRATIONS,
  });
  return {
    modules: new SqliteModuleInstanceStore(db),
    cursors: new SqliteCursorStore(db),
    ctia: new SqliteCtiaStore(db),
    actions: new SqliteDeviceActionStore(db),
    incidents: new SqliteIncidentRuleStore(db),
    leader: soleLeader,
    enrichShare: new MemoryEnrichShare(),
    async close() {
      if (db.open) db.close();
    },
  };
}
