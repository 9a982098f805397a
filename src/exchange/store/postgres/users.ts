import { randomUUID } from 'node:crypto';
import { UsernameTakenError, type Role, type User, type UserStore } from '../types.js';
import type { PgDb } from './db.js';

const USER_COLUMNS = 'id, org_id, username, role, created_at, last_login_at';

/** PostgreSQL's SQLSTATE for a unique violation. */
const UNIQUE_VIOLATION = '23505';

export class PgUserStore implements UserStore {
  constructor(private readonly db: PgDb) {}

  async create(u: { org_id: string; username: string; role: Role; passwordHash: string }): Promise<User> {
    const user: User = { id: randomUUID(), org_id: u.org_id, username: u.username, role: u.role, created_at: new Date().toISOString(), last_login_at: null };
    try {
      await this.db.pool.query(
        'INSERT INTO users (id, org_id, username, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [user.id, user.org_id, user.username, user.role, u.passwordHash, user.created_at],
      );
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new UsernameTakenError(u.username);
      throw err;
    }
    return user;
  }

  async getByNameWithPassword(username: string): Promise<(User & { passwordHash: string }) | null> {
    const r = await this.db.pool.query<User & { passwordHash: string }>(
      `SELECT ${USER_COLUMNS}, password_hash AS "passwordHash" FROM users WHERE username = $1`,
      [username],
    );
    return r.rows[0] ?? null;
  }

  async get(orgId: string, id: string): Promise<User | null> {
    const r = await this.db.pool.query<User>(`SELECT ${USER_COLUMNS} FROM users WHERE org_id = $1 AND id = $2`, [orgId, id]);
    return r.rows[0] ?? null;
  }

  async list(orgId: string): Promise<User[]> {
    return (await this.db.pool.query<User>(`SELECT ${USER_COLUMNS} FROM users WHERE org_id = $1 ORDER BY username`, [orgId])).rows;
  }

  async update(orgId: string, id: string, patch: { role?: Role; passwordHash?: string }): Promise<User | null> {
    // One statement, so the new password and the end of the old sessions land together: whoever
    // knew the old password may hold a session, and a reset must shut them out. An empty hash
    // sets nothing, as in the SQLite store.
    const r = await this.db.pool.query<User>(
      `WITH u AS (
         UPDATE users SET role = coalesce($3, role), password_hash = coalesce($4, password_hash)
          WHERE org_id = $1 AND id = $2
         RETURNING ${USER_COLUMNS}),
       ended AS (DELETE FROM sessions WHERE $4::text IS NOT NULL AND user_id IN (SELECT id FROM u))
       SELECT * FROM u`,
      [orgId, id, patch.role ?? null, patch.passwordHash || null],
    );
    return r.rows[0] ?? null;
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    // Sessions go with the user: ON DELETE CASCADE.
    return (await this.db.pool.query('DELETE FROM users WHERE org_id = $1 AND id = $2', [orgId, id])).rowCount === 1;
  }

  async count(): Promise<number> {
    return (await this.db.pool.query<{ n: number }>('SELECT count(*) AS n FROM users')).rows[0]?.n ?? 0;
  }

  async touchLogin(id: string, at: string): Promise<void> {
    await this.db.pool.query('UPDATE users SET last_login_at = $1 WHERE id = $2', [at, id]);
  }
}
