// What a bench run made on the shared services, removed after it.
import pg from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { parseNatsUrl } from '../../src/exchange/bus/nats-url.js';
import { streamName } from '../../src/exchange/bus/nats.js';

export async function dropSchema(url: string): Promise<void> {
  const u = new URL(url);
  const schema = u.searchParams.get('schema');
  if (!schema) return;
  u.searchParams.delete('schema');
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await c.end();
  }
}

export async function dropBusStream(url: string): Promise<void> {
  const s = parseNatsUrl(url);
  const nc = await connect({ servers: s.servers, reconnect: false });
  try {
    await (await jetstreamManager(nc)).streams.delete(streamName(s.prefix));
  } finally {
    await nc.close();
  }
}
