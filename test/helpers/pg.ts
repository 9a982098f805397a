// PostgreSQL and NATS for tests: the services on 127.0.0.1 (THREATLINK_TEST_PG /
// THREATLINK_TEST_NATS to point elsewhere). Each test gets its own schema, dropped after.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { streamName } from '../../src/exchange/bus/nats.js';

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

/** Why NATS JetStream cannot be used here, or null when it can. */
export async function natsUnavailable(): Promise<string | null> {
  try {
    const nc = await connect({ servers: NATS_URL, timeout: 2000, reconnect: false });
    try {
      await (await jetstreamManager(nc)).getAccountInfo();
      return null;
    } finally {
      await nc.close();
    }
  } catch (err) {
    return `NATS JetStream at ${NATS_URL}: ${(err as Error).message}`;
  }
}

/** As needsPg, for tests that need PostgreSQL and NATS JetStream both. */
export async function needsPgNats(): Promise<{ skip?: string }> {
  const why = (await pgUnavailable()) ?? (await natsUnavailable());
  if (why && process.env.CI === 'true') throw new Error(`CI needs PostgreSQL and NATS: ${why}`);
  return why ? { skip: why } : {};
}

/** A bus URL with a prefix of its own (its own stream), and a function that deletes the stream. */
export function freshBusUrl(): { url: string; drop: () => Promise<void> } {
  const prefix = `t_${randomBytes(6).toString('hex')}`;
  return {
    url: `${NATS_URL}?prefix=${prefix}`,
    drop: async () => {
      const nc = await connect({ servers: NATS_URL, reconnect: false });
      try {
        await (await jetstreamManager(nc)).streams.delete(streamName(prefix)).catch(() => false);
      } finally {
        await nc.close();
      }
    },
  };
}

/** The backend the whole suite runs on: `THREATLINK_TEST_BACKEND=postgres+nats` (the second
 * pass of scripts/run-tests.mjs) or the embedded default. */
export const TEST_BACKEND = process.env.THREATLINK_TEST_BACKEND === 'postgres+nats' ? 'postgres+nats' : 'sqlite';

/** A fresh schema and stream for one server of the postgres+nats pass; undefined on the default. */
export function freshBackend(): { store: string; bus: string; drop: () => Promise<void> } | undefined {
  if (TEST_BACKEND !== 'postgres+nats') return undefined;
  const s = freshSchemaUrl();
  const b = freshBusUrl();
  return { store: s.url, bus: b.url, drop: async () => { await b.drop(); await s.drop(); } };
}
