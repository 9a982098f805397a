import type { Db } from '../../../exchange/store/sqlite/db.js';
import type { ModuleInstance } from '../../module.js';
import type { ModuleInstancePatch, ModuleInstanceStore } from '../types.js';

export const MODULE_INSTANCE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE module_instances (
     id       TEXT PRIMARY KEY,
     org_id   TEXT NOT NULL,
     doc      TEXT NOT NULL               -- JSON ModuleInstance
   );
   CREATE INDEX module_instances_org ON module_instances(org_id);`,
];

export class SqliteModuleInstanceStore implements ModuleInstanceStore {
  constructor(private readonly db: Db) {}

  async list(orgId: string): Promise<ModuleInstance[]> {
    const rows = this.db.prepare<[string], string>('SELECT doc FROM module_instances WHERE org_id = ? ORDER BY rowid').pluck().all(orgId);
    return rows.map((d) => JSON.parse(d) as ModuleInstance);
  }

  async get(orgId: string, id: string): Promise<ModuleInstance | null> {
    const d = this.db.prepare<[string, string], string>('SELECT doc FROM module_instances WHERE org_id = ? AND id = ?').pluck().get(orgId, id);
    return d === undefined ? null : (JSON.parse(d) as ModuleInstance);
  }

  async create(m: ModuleInstance): Promise<ModuleInstance> {
    this.db.prepare('INSERT INTO module_instances (id, org_id, doc) VALUES (?, ?, ?)').run(m.id, m.org_id, JSON.stringify(m));
    return m;
  }

  async update(orgId: string, id: string, patch: ModuleInstancePatch): Promise<ModuleInstance | null> {
    const cur = await this.get(orgId, id);
    if (!cur) return null;
    const next: ModuleInstance = { ...cur, ...patch, id: cur.id, org_id: cur.org_id, created_at: cur.created_at, updated_at: new Date().toISOString() };
    this.db.prepare('UPDATE module_instances SET doc = ? WHERE org_id = ? AND id = ?').run(JSON.stringify(next), orgId, id);
    return next;
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM module_instances WHERE org_id = ? AND id = ?').run(orgId, id).changes > 0;
  }
}
