import type { Session, SessionStore } from '../types.js';
import type { PgDb } from './db.js';

type NewSession = Parameters<SessionStore['create']>[1];

export class PgSessionStore implements SessionStore {
  constructor(private readonly db: PgDb) {}

  async create(idHash: string, s: NewSession): Promise<void> {
    // Sign-ins are rare: sweeping expired sessions then keeps the table small without a timer.
    // The sweep is housekeeping, so it needs no transaction with the insert; it goes first so
    // that an expired session with the same hash gives way, as in the SQLite store.
    await this.db.pool.query('DELETE FROM sessions WHERE expires_at <= $1', [s.created_at]);
    await this.db.pool.query(
      'INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $4)',
      [idHash, s.user_id, s.csrf_token, s.created_at, s.expires_at],
    );
  }

  async get(idHash: string, now: number, idleMs: number): Promise<Session | null> {
    // The join brings the user's current role and org, and drops sessions of deleted users.
    const r = await this.db.pool.query<Session>(
      `SELECT s.user_id, u.org_id, u.username, u.role, s.csrf_token, s.created_at, s.expires_at, s.last_seen_at
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3`,
      [idHash, now, now - idleMs],
    );
    return r.rows[0] ?? null;
  }

  async touch(idHash: string, at: number): Promise<void> {
    await this.db.pool.query('UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2', [at, idHash]);
  }

  async delete(idHash: string): Promise<void> {
    await this.db.pool.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
  }
}
