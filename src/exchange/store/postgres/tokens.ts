import type { RegistrationToken, RegistrationTokenStore } from '../types.js';
import type { PgDb } from './db.js';

interface TokenRow extends Omit<RegistrationToken, 'service_type'> {
  service_type: string;
  secret_hash: string;
}

const toToken = ({ secret_hash: _, ...r }: TokenRow): RegistrationToken => ({ ...r, service_type: JSON.parse(r.service_type) as string[] });

type NewToken = Parameters<RegistrationTokenStore['create']>[0];

export class PgRegistrationTokenStore implements RegistrationTokenStore {
  constructor(private readonly db: PgDb) {}

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
    await this.db.pool.query(
      `INSERT INTO registration_tokens
         (id, org_id, device_id, service_type, secret_hash, created_at, expires_at, uses_allowed)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [token.id, token.org_id, token.device_id, JSON.stringify(token.service_type), t.secretHash, token.created_at, token.expires_at, token.uses_allowed],
    );
    return token;
  }

  async list(orgId: string): Promise<RegistrationToken[]> {
    const r = await this.db.pool.query<TokenRow>('SELECT * FROM registration_tokens WHERE org_id = $1 ORDER BY created_at DESC, id', [orgId]);
    return r.rows.map(toToken);
  }

  async get(id: string): Promise<(RegistrationToken & { secretHash: string }) | null> {
    const r = (await this.db.pool.query<TokenRow>('SELECT * FROM registration_tokens WHERE id = $1', [id])).rows[0];
    return r ? { ...toToken(r), secretHash: r.secret_hash } : null;
  }

  async revoke(orgId: string, id: string): Promise<boolean> {
    return (await this.db.pool.query('UPDATE registration_tokens SET revoked = true WHERE org_id = $1 AND id = $2', [orgId, id])).rowCount === 1;
  }

  async spend(id: string): Promise<boolean> {
    // One conditional statement: a second node spending at the same moment waits for the row
    // lock, then re-checks the condition against the row the first one wrote, so the last use
    // goes to one of them only.
    const r = await this.db.pool.query(
      'UPDATE registration_tokens SET uses = uses + 1 WHERE id = $1 AND uses < uses_allowed AND NOT revoked RETURNING id',
      [id],
    );
    return r.rowCount === 1;
  }
}
