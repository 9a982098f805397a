import type { PgDb } from '../../../exchange/store/postgres/db.js';
import type { ModuleInstance } from '../../module.js';
import type { ModuleInstancePatch, ModuleInstanceStore } from '../types.js';
import { jsonbText } from './json.js';
import { inTx } from './tx.js';

export class PgModuleInstanceStore implements ModuleInstanceStore {
  constructor(private readonly db: PgDb) {}

  async list(orgId: string): Promise<ModuleInstance[]> {
    const r = await this.db.pool.query<{ doc: ModuleInstance }>('SELECT doc FROM module_instances WHERE org_id = $1 ORDER BY seq', [orgId]);
    return r.rows.map((x) => x.doc);
  }

  async get(orgId: string, id: string): Promise<ModuleInstance | null> {
    const r = await this.db.pool.query<{ doc: ModuleInstance }>('SELECT doc FROM module_instances WHERE org_id = $1 AND id = $2', [orgId, id]);
    return r.rows[0]?.doc ?? null;
  }

  async create(m: ModuleInstance): Promise<ModuleInstance> {
    await this.db.pool.query('INSERT INTO module_instances (id, org_id, doc) VALUES ($1, $2, $3)', [m.id, m.org_id, jsonbText(m)]);
    return m;
  }

  async update(orgId: string, id: string, patch: ModuleInstancePatch): Promise<ModuleInstance | null> {
    // The merge is JS's spread (a key patched to undefined goes away), under the row's lock so
    // two nodes patching different fields both land.
    return inTx(this.db, async (c) => {
      const r = await c.query<{ doc: ModuleInstance }>('SELECT doc FROM module_instances WHERE org_id = $1 AND id = $2 FOR UPDATE', [orgId, id]);
      const cur = r.rows[0]?.doc;
      if (!cur) return null;
      const next: ModuleInstance = { ...cur, ...patch, id: cur.id, org_id: cur.org_id, created_at: cur.created_at, updated_at: new Date().toISOString() };
      await c.query('UPDATE module_instances SET doc = $1 WHERE org_id = $2 AND id = $3', [jsonbText(next), orgId, id]);
      return next;
    });
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    const r = await this.db.pool.query('DELETE FROM module_instances WHERE org_id = $1 AND id = $2', [orgId, id]);
    return r.rowCount === 1;
  }
}
