// Response's SQLite schema is kept per component (module instances, CTIA, device actions, …):
// each store file owns its list of migrations, so adding a store touches one file. Entry i of
// a list moves that component from version i to i + 1; never edit an entry that has shipped.
import type { Db } from '../../../exchange/store/sqlite/db.js';

export type ComponentMigrations = Record<string, readonly string[]>;

export function migrateComponents(db: Db, components: ComponentMigrations): void {
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_components (name TEXT PRIMARY KEY, version INTEGER NOT NULL)');
    const get = db.prepare<[string], number>('SELECT version FROM schema_components WHERE name = ?').pluck();
    const set = db.prepare('INSERT INTO schema_components (name, version) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version');
    for (const [name, list] of Object.entries(components)) {
      const version = get.get(name) ?? 0;
      if (version > list.length) throw new Error(`response database: ${name} schema version ${version} is newer than this program knows (${list.length})`);
      for (let v = version; v < list.length; v++) db.exec(list[v] as string);
      if (version !== list.length) set.run(name, list.length);
    }
  }).immediate();
}
