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

export function openSqliteResponseStores(file: string): ResponseStores {
  const db = openDb(file, []);
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
    async close() {
      if (db.open) db.close();
    },
  };
}
