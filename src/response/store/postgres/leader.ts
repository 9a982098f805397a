// Leadership by PostgreSQL session advisory locks, held on one connection kept out of the pool
// for as long as the node lives. When the node dies its connection drops and PostgreSQL frees
// the locks; when the connection breaks under a live node, it stops leading until it takes
// the lock again on a new one.
import type pg from 'pg';
import type { PgDb } from '../../../exchange/store/postgres/db.js';
import type { LeaderLock } from '../types.js';

/** Keyed by schema too: deployments (and test runs) sharing a database do not share leaders. */
export function lockKey(schema: string, name: string): string {
  return `threatlink:${schema}:${name}`;
}

export class PgLeaderLock implements LeaderLock {
  private client: pg.PoolClient | null = null;
  private readonly held = new Set<string>();
  private closed = false;

  constructor(private readonly db: PgDb) {}

  async tryLead(name: string): Promise<boolean> {
    if (this.closed) return false;
    const c = await this.connection();
    if (this.held.has(name)) return true;
    try {
      const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [lockKey(this.db.schema, name)]);
      if (r.rows[0]?.ok) this.held.add(name);
    } catch (err) {
      // The connection broke under us: whatever it held is gone; the next try starts afresh.
      this.lost(c);
      throw err;
    }
    return this.held.has(name);
  }

  private async connection(): Promise<pg.PoolClient> {
    if (this.client) return this.client;
    const c = await this.db.pool.connect();
    c.on('error', () => this.lost(c));
    this.client = c;
    return c;
  }

  private lost(c: pg.PoolClient): void {
    if (this.client !== c) return;
    this.client = null;
    this.held.clear();
    c.release(true);
  }

  /** Ends the connection (and with it every lock), so the pool can close. */
  close(): void {
    this.closed = true;
    if (this.client) this.lost(this.client);
  }
}
