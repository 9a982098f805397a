import type { PgDb } from '../../../exchange/store/postgres/db.js';
import type { CursorStore } from '../types.js';

export class PgCursorStore implements CursorStore {
  constructor(private readonly db: PgDb) {}

  async get(name: string): Promise<string | null> {
    const r = await this.db.pool.query<{ cursor: string | null }>('SELECT cursor FROM cursors WHERE name = $1', [name]);
    return r.rows[0]?.cursor ?? null;
  }

  async set(name: string, cursor: string | null): Promise<void> {
    await this.db.pool.query('INSERT INTO cursors (name, cursor) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor', [name, cursor]);
  }
}
