import type { Db } from '../../../exchange/store/sqlite/db.js';
import type { DeviceActionStore } from '../types.js';

export const ACTION_MIGRATIONS: readonly string[] = [];

export class SqliteDeviceActionStore implements DeviceActionStore {
  readonly kind = "actions" as const;
  constructor(readonly db: Db) {}
}
