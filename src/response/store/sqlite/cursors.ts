import type { Db } from '../../../exchange/store/sqlite/db.js';
import type { CursorStore } from '../types.js';

export const CURSOR_MIGRATIONS: readonly string[] = [
  'CREATE TABLE cursors (name TEXT PRIMARY KEY, cursor TEXT)',
];

export class SqliteCursorStore implements CursorStore {
  constructor(private readonly db: Db) {}

  async get(name: string): Promise<string | null> {
    return this.db.prepare<[string], string | null>('SELECT cursor FROM cursors WHERE name = ?').pluck().get(name) ?? null;
  }

  async set(name: string, cursor: string | null): Promise<void> {
    this.db.prepare('INSERT INTO cursors (name, cursor) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor').run(name, cursor);
  }
}
