import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { AccessToken, ApiClient, ClientStore, Role } from '../types.js';
import type { Db } from './db.js';

interface ClientRow {
  id: string;
  org_id: string;
  name: string;
  role: Role;
  secret_hash: string;
  created_at: string;
  last_used_at: string | null;
}

interface TokenRow {
  client_id: string;
  org_id: string;
  role: Role;
  expires_at: number;
}

function toClient(r: ClientRow): ApiClient {
  return { id: r.id, org_id: r.org_id, name: r.name, role: r.role, created_at: r.created_at, last_used_at: r.last_used_at };
}

export class SqliteClientStore implements ClientStore {
  private readonly insertStmt: Statement<[string, string, string, Role, string, string]>;
  private readonly getStmt: Statement<[string], ClientRow>;
  private readonly listStmt: Statement<[string], ClientRow>;
  private readonly deleteStmt: Statement<[string, string]>;
  private readonly countStmt: Statement<[], number>;
  private readonly saveTokenStmt: Statement<[string, string, string, Role, number]>;
  private readonly expireTokensStmt: Statement<[number]>;
  private readonly getTokenStmt: Statement<[string, number], TokenRow>;
  private readonly touchStmt: Statement<[string, string]>;
  private readonly saveToken: (tokenHash: string, t: AccessToken) => void;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO clients (id, org_id, name, role, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.getStmt = db.prepare('SELECT * FROM clients WHERE id = ?');
    this.listStmt = db.prepare('SELECT * FROM clients WHERE org_id = ? ORDER BY created_at, id');
    // Its access tokens go with it: ON DELETE CASCADE.
    this.deleteStmt = db.prepare('DELETE FROM clients WHERE org_id = ? AND id = ?');
    this.countStmt = db.prepare<[], number>('SELECT count(*) FROM clients').pluck();
    this.saveTokenStmt = db.prepare(
      'INSERT OR REPLACE INTO access_tokens (token_hash, client_id, org_id, role, expires_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.expireTokensStmt = db.prepare('DELETE FROM access_tokens WHERE expires_at <= ?');
    // The join is belt and braces beside the cascade: a token never outlives its client.
    this.getTokenStmt = db.prepare(
      `SELECT t.client_id, t.org_id, t.role, t.expires_at
         FROM access_tokens t JOIN clients c ON c.id = t.client_id
        WHERE t.token_hash = ? AND t.expires_at > ?`,
    );
    this.touchStmt = db.prepare('UPDATE clients SET last_used_at = ? WHERE id = ?');
    // Tokens are few (one per client per hour or so); dropping the expired ones as a new one
    // is saved keeps the table from growing without a separate sweeper. One transaction, so
    // one fsync.
    this.saveToken = db.transaction((tokenHash: string, t: AccessToken) => {
      this.expireTokensStmt.run(Date.now());
      this.saveTokenStmt.run(tokenHash, t.client_id, t.org_id, t.role, t.expires_at);
    });
  }

  async create(c: { id?: string; org_id: string; name: string; role: Role; secretHash: string }): Promise<ApiClient> {
    const client: ApiClient = {
      id: c.id ?? randomUUID(),
      org_id: c.org_id,
      name: c.name,
      role: c.role,
      created_at: new Date().toISOString(),
      last_used_at: null,
    };
    this.insertStmt.run(client.id, client.org_id, client.name, client.role, c.secretHash, client.created_at);
    return client;
  }

  async getWithSecret(id: string): Promise<(ApiClient & { secretHash: string }) | null> {
    const r = this.getStmt.get(id);
    return r ? { ...toClient(r), secretHash: r.secret_hash } : null;
  }

  async list(orgId: string): Promise<ApiClient[]> {
    return this.listStmt.all(orgId).map(toClient);
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    return this.deleteStmt.run(orgId, id).changes === 1;
  }

  async count(): Promise<number> {
    return this.countStmt.get() ?? 0;
  }

  async saveAccessToken(tokenHash: string, t: AccessToken): Promise<void> {
    this.saveToken(tokenHash, t);
  }

  async getAccessToken(tokenHash: string): Promise<AccessToken | null> {
    const r = this.getTokenStmt.get(tokenHash, Date.now());
    return r ? { client_id: r.client_id, org_id: r.org_id, role: r.role, expires_at: r.expires_at } : null;
  }

  async touch(id: string, at: string): Promise<void> {
    this.touchStmt.run(at, id);
  }
}
