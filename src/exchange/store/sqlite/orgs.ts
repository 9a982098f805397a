import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Org, OrgStore } from '../types.js';
import type { Db } from './db.js';

interface OrgRow {
  id: string;
  name: string;
  created_at: string;
  cloud_events: number;
}

function toOrg(r: OrgRow): Org {
  return { id: r.id, name: r.name, created_at: r.created_at, cloud_events: r.cloud_events !== 0 };
}

export class SqliteOrgStore implements OrgStore {
  private readonly insertStmt: Statement<[string, string, string]>;
  private readonly getStmt: Statement<[string], OrgRow>;
  private readonly listStmt: Statement<[], OrgRow>;
  private readonly cloudStmt: Statement<[number, string]>;

  constructor(db: Db) {
    this.insertStmt = db.prepare('INSERT INTO orgs (id, name, created_at) VALUES (?, ?, ?)');
    this.getStmt = db.prepare('SELECT * FROM orgs WHERE id = ?');
    this.listStmt = db.prepare('SELECT * FROM orgs ORDER BY created_at, id');
    this.cloudStmt = db.prepare('UPDATE orgs SET cloud_events = ? WHERE id = ?');
  }

  async create(name: string): Promise<Org> {
    const org: Org = { id: randomUUID(), name, created_at: new Date().toISOString(), cloud_events: true };
    this.insertStmt.run(org.id, org.name, org.created_at);
    return org;
  }

  async get(id: string): Promise<Org | null> {
    const r = this.getStmt.get(id);
    return r ? toOrg(r) : null;
  }

  async list(): Promise<Org[]> {
    return this.listStmt.all().map(toOrg);
  }

  async setCloudEvents(id: string, on: boolean): Promise<void> {
    this.cloudStmt.run(on ? 1 : 0, id);
  }
}
