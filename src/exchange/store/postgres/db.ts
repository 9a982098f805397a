// The PostgreSQL connection every PostgreSQL store shares: one pool per process, an optional
// schema (one per test, or per deployment sharing a database), and versioned migrations that
// two nodes starting at once apply exactly once.
import pg from 'pg';

export interface PgDb {
  pool: pg.Pool;
  /** The schema every table lives in; `public` unless the URL names another. */
  schema: string;
  close(): Promise<void>;
}

/** Keeps a stored BIGINT a JS number (our counters and times stay far below 2^53). */
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/**
 * `postgres://user@host:5432/db?schema=name` — `schema` is ours (the rest is libpq's): the
 * tables go there, made if missing.
 */
export async function openPg(url: string, opts: { max?: number } = {}): Promise<PgDb> {
  const u = new URL(url);
  const schema = u.searchParams.get('schema') ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`store URL: schema "${schema}" must be a plain lower-case identifier`);
  u.searchParams.delete('schema');
  const pool = new pg.Pool({ connectionString: u.toString(), max: opts.max ?? 10, options: `-c search_path=${schema}` });
  // An idle client that loses its server must not take the process down.
  pool.on('error', () => undefined);
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (err) {
    await pool.end();
    throw new Error(`store: cannot reach PostgreSQL at ${redact(url)}: ${(err as Error).message}`);
  }
  return { pool, schema, close: () => pool.end() };
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/**
 * Applies `migrations[i]` as version i + 1 of `component`, each in its own transaction, under a
 * transaction-level advisory lock per component: a second node starting at the same moment waits,
 * then finds the versions applied and does nothing.
 */
export async function migrate(db: PgDb, component: string, migrations: readonly string[]): Promise<void> {
  const c = await db.pool.connect();
  try {
    // Under a lock too: CREATE TABLE IF NOT EXISTS is not safe against itself (two sessions at
    // once can fail with "type already exists").
    await c.query('BEGIN');
    try {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`threatlink:${db.schema}:schema_migrations`]);
      await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        component TEXT NOT NULL, version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (component, version))`);
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK');
      throw err;
    }
    for (let i = 0; i < migrations.length; i++) {
      await c.query('BEGIN');
      try {
        await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`threatlink:${db.schema}:${component}`]);
        const done = await c.query('SELECT 1 FROM schema_migrations WHERE component = $1 AND version = $2', [component, i + 1]);
        if (done.rowCount === 0) {
          await c.query(migrations[i] as string);
          await c.query('INSERT INTO schema_migrations (component, version) VALUES ($1, $2)', [component, i + 1]);
        }
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK');
        throw new Error(`store: migration ${component} v${i + 1} failed: ${(err as Error).message}`);
      }
    }
  } finally {
    c.release();
  }
}
