import type { Db } from '../../../exchange/store/sqlite/db.js';
import type { CtiaStore } from '../types.js';

export const CTIA_MIGRATIONS: readonly string[] = [];

export class SqliteCtiaStore implements CtiaStore {
  readonly kind = "ctia" as const;
  constructor(readonly db: Db) {}
}
