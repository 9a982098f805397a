import { randomUUID } from 'node:crypto';
import type { Org, OrgStore } from '../types.js';
import type { PgDb } from './db.js';

export class PgOrgStore implements OrgStore {
  constructor(private readonly db: PgDb) {}

  async create(name: string): Promise<Org> {
    const org: Org = { id: randomUUID(), name, created_at: new Date().toISOString(), cloud_events: true };
    await this.db.pool.query('INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3)', [org.id, org.name, org.created_at]);
    return org;
  }

  async get(id: string): Promise<Org | null> {
    const r = await this.db.pool.query<Org>('SELECT id, name, created_at, cloud_events FROM orgs WHERE id = $1', [id]);
    return r.rows[0] ?? null;
  }

  async list(): Promise<Org[]> {
    return (await this.db.pool.query<Org>('SELECT id, name, created_at, cloud_events FROM orgs ORDER BY created_at, id')).rows;
  }

  async setCloudEvents(id: string, on: boolean): Promise<void> {
    await this.db.pool.query('UPDATE orgs SET cloud_events = $1 WHERE id = $2', [on, id]);
  }
}
