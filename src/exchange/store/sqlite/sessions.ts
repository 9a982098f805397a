import type { Statement } from 'better-sqlite3';
import type { Session, SessionStore } from '../types.js';
import type { Db } from './db.js';

/** A row of the session lookup (sessions joined with users) has the Session's shape. */
type SessionRow = Session;

export class SqliteSessionStore implements SessionStore {
  private readonly insertStmt: Statement<[string, string, string, number, number, number]>;
  private readonly sweepStmt: Statement<[number]>;
  private readonly getStmt: Statement<[string, number, number], SessionRow>;
  private readonly touchStmt: Statement<[number, string]>;
  private readonly deleteStmt: Statement<[string]>;
  private readonly createTx: (idHash: string, s: { user_id: string; csrf_token: string; created_at: number; expires_at: number }) => void;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.sweepStmt = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');
    // The join brings the user's current role and org, and drops sessions of deleted users.
    this.getStmt = db.prepare(
      `SELECT s.user_id, u.org_id, u.username, u.role, s.csrf_token, s.created_at, s.expires_at, s.last_seen_at
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id_hash = ? AND s.expires_at > ? AND s.last_seen_at > ?`,
    );
    this.touchStmt = db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?');
    this.deleteStmt = db.prepare('DELETE FROM sessions WHERE id_hash = ?');
    // Sign-ins are rare: sweeping expired sessions then keeps the table small without a timer.
    // Idle ones that never expire stay until their absolute expiry, which is bounded.
    this.createTx = db.transaction((idHash: string, s: { user_id: string; csrf_token: string; created_at: number; expires_at: number }) => {
      this.sweepStmt.run(s.created_at);
      this.insertStmt.run(idHash, s.user_id, s.csrf_token, s.created_at, s.expires_at, s.created_at);
    });
  }

  async create(idHash: string, s: { user_id: string; csrf_token: string; created_at: number; expires_at: number }): Promise<void> {
    this.createTx(idHash, s);
  }

  async get(idHash: string, now: number, idleMs: number): Promise<Session | null> {
    const r = this.getStmt.get(idHash, now, now - idleMs);
    return r ? { ...r } : null;
  }

  async touch(idHash: string, at: number): Promise<void> {
    this.touchStmt.run(at, idHash);
  }

  async delete(idHash: string): Promise<void> {
    this.deleteStmt.run(idHash);
  }
}
