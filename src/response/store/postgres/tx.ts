// Transactions on the shared pool: one client for the whole of `fn`, so its statements (and the
// row locks they take) form one unit that other nodes see all at once or not at all.
import type pg from 'pg';
import type { PgDb } from '../../../exchange/store/postgres/db.js';

/** What a statement runs on: the pool, or the client of a transaction. */
export type Queryable = pg.Pool | pg.PoolClient;

export async function inTx<T>(db: PgDb, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await db.pool.connect();
  let broken = false;
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    // A client whose ROLLBACK fails is in an unknown state: drop it rather than pool it.
    await c.query('ROLLBACK').catch(() => { broken = true; });
    throw err;
  } finally {
    c.release(broken);
  }
}
