import { randomUUID } from 'node:crypto';
import type { AccessToken, ApiClient, ClientStore, Role } from '../types.js';
import type { PgDb } from './db.js';

const CLIENT_COLUMNS = 'id, org_id, name, role, created_at, last_used_at';

export class PgClientStore implements ClientStore {
  constructor(private readonly db: PgDb) {}

  async create(c: { id?: string; org_id: string; name: string; role: Role; secretHash: string }): Promise<ApiClient> {
    const client: ApiClient = {
      id: c.id ?? randomUUID(),
      org_id: c.org_id,
      name: c.name,
      role: c.role,
      created_at: new Date().toISOString(),
      last_used_at: null,
    };
    await this.db.pool.query(
      'INSERT INTO clients (id, org_id, name, role, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [client.id, client.org_id, client.name, client.role, c.secretHash, client.created_at],
    );
    return client;
  }

  async getWithSecret(id: string): Promise<(ApiClient & { secretHash: string }) | null> {
    const r = await this.db.pool.query<ApiClient & { secretHash: string }>(
      `SELECT ${CLIENT_COLUMNS}, secret_hash AS "secretHash" FROM clients WHERE id = $1`,
      [id],
    );
    return r.rows[0] ?? null;
  }

  async list(orgId: string): Promise<ApiClient[]> {
    const r = await this.db.pool.query<ApiClient>(`SELECT ${CLIENT_COLUMNS} FROM clients WHERE org_id = $1 ORDER BY created_at, id`, [orgId]);
    return r.rows;
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    // Its access tokens go with it: ON DELETE CASCADE.
    return (await this.db.pool.query('DELETE FROM clients WHERE org_id = $1 AND id = $2', [orgId, id])).rowCount === 1;
  }

  async count(): Promise<number> {
    return (await this.db.pool.query<{ n: number }>('SELECT count(*) AS n FROM clients')).rows[0]?.n ?? 0;
  }

  async saveAccessToken(tokenHash: string, t: AccessToken): Promise<void> {
    // Tokens are few (one per client per hour or so); dropping the expired ones as a new one is
    // saved keeps the table from growing without a separate sweeper. One statement, one round
    // trip; the sweep leaves the saved hash to the upsert, since one statement must not touch
    // a row twice.
    await this.db.pool.query(
      `WITH swept AS (DELETE FROM access_tokens WHERE expires_at <= $6 AND token_hash <> $1)
       INSERT INTO access_tokens (token_hash, client_id, org_id, role, expires_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (token_hash) DO UPDATE
         SET client_id = excluded.client_id, org_id = excluded.org_id, role = excluded.role, expires_at = excluded.expires_at`,
      [tokenHash, t.client_id, t.org_id, t.role, t.expires_at, Date.now()],
    );
  }

  async getAccessToken(tokenHash: string): Promise<AccessToken | null> {
    // The join is belt and braces beside the cascade: a token never outlives its client.
    const r = await this.db.pool.query<AccessToken>(
      `SELECT t.client_id, t.org_id, t.role, t.expires_at
         FROM access_tokens t JOIN clients c ON c.id = t.client_id
        WHERE t.token_hash = $1 AND t.expires_at > $2`,
      [tokenHash, Date.now()],
    );
    return r.rows[0] ?? null;
  }

  async touch(id: string, at: string): Promise<void> {
    await this.db.pool.query('UPDATE clients SET last_used_at = $1 WHERE id = $2', [at, id]);
  }
}
