// The small integer keys events use for org and device ids (see event_orgs in schema.ts),
// cached both ways: they never change once assigned.
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';

export class KeyMap {
  private readonly byId = new Map<string, number>();
  private readonly byKey = new Map<number, string>();
  private readonly findStmt: Statement<[string], number>;
  private readonly idStmt: Statement<[number], string>;
  private readonly insertStmt: Statement<[string]>;

  constructor(db: Db, table: 'event_orgs' | 'event_devices') {
    this.findStmt = db.prepare<[string], number>(`SELECT key FROM ${table} WHERE id = ?`).pluck();
    this.idStmt = db.prepare<[number], string>(`SELECT id FROM ${table} WHERE key = ?`).pluck();
    this.insertStmt = db.prepare(`INSERT INTO ${table} (id) VALUES (?)`);
  }

  /** The key of `id`, or null when no event ever named it. */
  find(id: string): number | null {
    const cached = this.byId.get(id);
    if (cached !== undefined) return cached;
    const key = this.findStmt.get(id);
    if (key === undefined) return null;
    this.remember(id, key);
    return key;
  }

  /** The key of `id`, assigning one if needed: inside a write transaction only, and call
   * forget() if that transaction rolls back, since the key it assigned is then undone. */
  ensure(id: string): number {
    const found = this.find(id);
    if (found !== null) return found;
    const key = Number(this.insertStmt.run(id).lastInsertRowid);
    this.remember(id, key);
    return key;
  }

  idOf(key: number): string {
    const cached = this.byKey.get(key);
    if (cached !== undefined) return cached;
    const id = this.idStmt.get(key);
    if (id === undefined) throw new Error(`no id for key ${key}`);
    this.remember(id, key);
    return id;
  }

  forget(): void {
    this.byId.clear();
    this.byKey.clear();
  }

  private remember(id: string, key: number): void {
    this.byId.set(id, key);
    this.byKey.set(key, id);
  }
}
