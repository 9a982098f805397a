// Leadership by PostgreSQL session advisory locks, held on one connection kept out of the pool
// for as long as the node lives. When the node dies its connection drops and PostgreSQL frees
// the locks; when the connection breaks under a live node, it stops leading until it takes
// the lock again on a new one.
import type pg from 'pg';
import type { PgDb } from '../../../exchange/store/postgres/db.js';
import type { LeaderLock } from '../types.js';

/** How long a try waits for a lock another connection holds. */
const WAIT_MS = 1000;
/** lock_timeout ran out: someone else leads. */
const LOCK_NOT_AVAILABLE = '55P03';

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
      // Waits a moment rather than failing at once: a holder that is just going away (a node
      // restarting, its connection closing) hands over now instead of a retry later.
      await c.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lockKey(this.db.schema, name)]);
      this.held.add(name);
    } catch (err) {
      if ((err as { code?: string }).code === LOCK_NOT_AVAILABLE) return false;
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
    try {
      await c.query(`SET lock_timeout = '${WAIT_MS}ms'`);
    } catch (err) {
      c.release(true);
      throw err;
    }
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
