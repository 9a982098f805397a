import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { UsernameTakenError, type Role, type User, type UserStore } from '../types.js';
import type { Db } from './db.js';

interface UserRow {
  id: string;
  org_id: string;
  username: string;
  role: Role;
  password_hash: string;
  created_at: string;
  last_login_at: string | null;
}

function toUser(r: UserRow): User {
  return { id: r.id, org_id: r.org_id, username: r.username, role: r.role, created_at: r.created_at, last_login_at: r.last_login_at };
}

export class SqliteUserStore implements UserStore {
  private readonly insertStmt: Statement<[string, string, string, Role, string, string]>;
  private readonly byNameStmt: Statement<[string], UserRow>;
  private readonly getStmt: Statement<[string, string], UserRow>;
  private readonly listStmt: Statement<[string], UserRow>;
  private readonly roleStmt: Statement<[Role, string, string]>;
  private readonly passwordStmt: Statement<[string, string, string]>;
  private readonly endSessionsStmt: Statement<[string]>;
  private readonly deleteStmt: Statement<[string, string]>;
  private readonly countStmt: Statement<[], number>;
  private readonly loginStmt: Statement<[string, string]>;
  private readonly updateTx: (orgId: string, id: string, patch: { role?: Role; passwordHash?: string }) => boolean;

  constructor(db: Db) {
    this.insertStmt = db.prepare('INSERT INTO users (id, org_id, username, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.byNameStmt = db.prepare('SELECT * FROM users WHERE username = ?');
    this.getStmt = db.prepare('SELECT * FROM users WHERE org_id = ? AND id = ?');
    this.listStmt = db.prepare('SELECT * FROM users WHERE org_id = ? ORDER BY username');
    this.roleStmt = db.prepare('UPDATE users SET role = ? WHERE org_id = ? AND id = ?');
    this.passwordStmt = db.prepare('UPDATE users SET password_hash = ? WHERE org_id = ? AND id = ?');
    this.endSessionsStmt = db.prepare('DELETE FROM sessions WHERE user_id = ?');
    // Sessions go with the user: ON DELETE CASCADE.
    this.deleteStmt = db.prepare('DELETE FROM users WHERE org_id = ? AND id = ?');
    this.countStmt = db.prepare<[], number>('SELECT count(*) FROM users').pluck();
    this.loginStmt = db.prepare('UPDATE users SET last_login_at = ? WHERE id = ?');
    this.updateTx = db.transaction((orgId: string, id: string, patch: { role?: Role; passwordHash?: string }) => {
      if (!this.getStmt.get(orgId, id)) return false;
      if (patch.role) this.roleStmt.run(patch.role, orgId, id);
      if (patch.passwordHash) {
        this.passwordStmt.run(patch.passwordHash, orgId, id);
        // Whoever knew the old password may hold a session: a reset must shut them out.
        this.endSessionsStmt.run(id);
      }
      return true;
    });
  }

  async create(u: { org_id: string; username: string; role: Role; passwordHash: string }): Promise<User> {
    const user: User = { id: randomUUID(), org_id: u.org_id, username: u.username, role: u.role, created_at: new Date().toISOString(), last_login_at: null };
    try {
      this.insertStmt.run(user.id, user.org_id, user.username, user.role, u.passwordHash, user.created_at);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new UsernameTakenError(u.username);
      throw err;
    }
    return user;
  }

  async getByNameWithPassword(username: string): Promise<(User & { passwordHash: string }) | null> {
    const r = this.byNameStmt.get(username);
    return r ? { ...toUser(r), passwordHash: r.password_hash } : null;
  }

  async get(orgId: string, id: string): Promise<User | null> {
    const r = this.getStmt.get(orgId, id);
    return r ? toUser(r) : null;
  }

  async list(orgId: string): Promise<User[]> {
    return this.listStmt.all(orgId).map(toUser);
  }

  async update(orgId: string, id: string, patch: { role?: Role; passwordHash?: string }): Promise<User | null> {
    return this.updateTx(orgId, id, patch) ? this.get(orgId, id) : null;
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    return this.deleteStmt.run(orgId, id).changes === 1;
  }

  async count(): Promise<number> {
    return this.countStmt.get() ?? 0;
  }

  async touchLogin(id: string, at: string): Promise<void> {
    this.loginStmt.run(at, id);
  }
}
