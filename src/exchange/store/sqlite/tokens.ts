import type { Statement } from 'better-sqlite3';
import type { RegistrationToken, RegistrationTokenStore } from '../types.js';
import type { Db } from './db.js';

interface TokenRow {
  id: string;
  org_id: string;
  device_id: string | null;
  service_type: string;
  secret_hash: string;
  created_at: string;
  expires_at: string;
  uses_allowed: number;
  uses: number;
  revoked: number;
}

function toToken(r: TokenRow): RegistrationToken {
  return {
    id: r.id,
    org_id: r.org_id,
    device_id: r.device_id,
    service_type: JSON.parse(r.service_type) as string[],
    created_at: r.created_at,
    expires_at: r.expires_at,
    uses_allowed: r.uses_allowed,
    uses: r.uses,
    revoked: r.revoked !== 0,
  };
}

type NewToken = Omit<RegistrationToken, 'uses' | 'revoked' | 'created_at'> & { secretHash: string };

export class SqliteRegistrationTokenStore implements RegistrationTokenStore {
  private readonly insertStmt: Statement<[string, string, string | null, string, string, string, string, number]>;
  private readonly listStmt: Statement<[string], TokenRow>;
  private readonly getStmt: Statement<[string], TokenRow>;
  private readonly revokeStmt: Statement<[string, string]>;
  private readonly spendStmt: Statement<[string]>;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO registration_tokens
         (id, org_id, device_id, service_type, secret_hash, created_at, expires_at, uses_allowed)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.listStmt = db.prepare('SELECT * FROM registration_tokens WHERE org_id = ? ORDER BY created_at DESC, id');
    this.getStmt = db.prepare('SELECT * FROM registration_tokens WHERE id = ?');
    this.revokeStmt = db.prepare('UPDATE registration_tokens SET revoked = 1 WHERE org_id = ? AND id = ?');
    // One statement, so two registrations racing for the last use cannot both get it.
    this.spendStmt = db.prepare(
      'UPDATE registration_tokens SET uses = uses + 1 WHERE id = ? AND uses < uses_allowed AND revoked = 0',
    );
  }

  async create(t: NewToken): Promise<RegistrationToken> {
    const token: RegistrationToken = {
      id: t.id,
      org_id: t.org_id,
      device_id: t.device_id,
      service_type: [...t.service_type],
      created_at: new Date().toISOString(),
      expires_at: t.expires_at,
      uses_allowed: t.uses_allowed,
      uses: 0,
      revoked: false,
    };
    this.insertStmt.run(
      token.id,
      token.org_id,
      token.device_id,
      JSON.stringify(token.service_type),
      t.secretHash,
      token.created_at,
      token.expires_at,
      token.uses_allowed,
    );
    return token;
  }

  async list(orgId: string): Promise<RegistrationToken[]> {
    return this.listStmt.all(orgId).map(toToken);
  }

  async get(id: string): Promise<(RegistrationToken & { secretHash: string }) | null> {
    const r = this.getStmt.get(id);
    return r ? { ...toToken(r), secretHash: r.secret_hash } : null;
  }

  async revoke(orgId: string, id: string): Promise<boolean> {
    return this.revokeStmt.run(orgId, id).changes === 1;
  }

  async spend(id: string): Promise<boolean> {
    return this.spendStmt.run(id).changes === 1;
  }
}
