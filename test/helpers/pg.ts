// PostgreSQL and NATS for tests: the services on 127.0.0.1 (THREATLINK_TEST_PG /
// THREATLINK_TEST_NATS to point elsewhere). Each test gets its own schema, dropped after.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL = process.env.THREATLINK_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
export const NATS_URL = process.env.THREATLINK_TEST_NATS ?? 'nats://127.0.0.1:4222';

/** Why PostgreSQL cannot be used here, or null when it can. */
export async function pgUnavailable(): Promise<string | null> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return null;
  } catch (err) {
    return `PostgreSQL at ${PG_URL}: ${(err as Error).message}`;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * `{ skip }` for node:test: skips with the reason on a machine without PostgreSQL, but under
 * CI=true a missing service fails the test instead of hiding it.
 */
export async function needsPg(): Promise<{ skip?: string }> {
  const why = await pgUnavailable();
  if (why && process.env.CI === 'true') throw new Error(`CI needs PostgreSQL: ${why}`);
  return why ? { skip: why } : {};
}

/** A store URL with a fresh schema, and a function that drops it. */
export function freshSchemaUrl(): { url: string; drop: () => Promise<void> } {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const u = new URL(PG_URL);
  u.searchParams.set('schema', schema);
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}
