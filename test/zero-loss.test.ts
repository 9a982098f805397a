// Zero loss, exactly once stored: a 50,000-event EVE stream through a real connector and a real
// exchange (both child processes) while (1) the connector is killed -9 five times, (2) the
// exchange is killed -9 five times, (3) the exchange is down for 30 s. Each run ends with every
// event stored exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir, cleanup, ADMIN_ID, ADMIN_SECRET } from './helpers/exchange.js';
import { accessToken, registrationTokenAt } from './helpers/https.js';
import { freePort, runCli, type Running } from './helpers/process.js';
import { startConnector, type ConnectorProc } from './helpers/connector.js';
import { openSqliteStores } from '../src/exchange/store/sqlite/index.js';
import { writeEveStream } from './helpers/eve-stream.js';

const TOTAL = 50_000;
const exEnv = { THREATLINK_BOOTSTRAP_CLIENT_ID: ADMIN_ID, THREATLINK_BOOTSTRAP_CLIENT_SECRET: ADMIN_SECRET, THREATLINK_LOG_LEVEL: 'warn' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = (a: number, b: number) => a + Math.random() * (b - a);

interface Rig {
  dir: string;
  port: number;
  ex: Running;
  conn: ConnectorProc;
  eve: string;
  startExchange(): Promise<void>;
  startConnector(): Promise<void>;
}

async function rig(): Promise<Rig> {
  const dir = tmpDir('tl-zero-');
  const port = await freePort();
  const cport = await freePort();
  const exDir = join(dir, 'ex');
  const startEx = () => runCli(['up', '--data-dir', exDir, '--listen', `127.0.0.1:${port}`], exEnv, /listening on/);
  const ex = await startEx();
  const ca = readFileSync(join(exDir, 'ca', 'ca.crt'), 'utf8');
  const base = `https://127.0.0.1:${port}`;
  const regToken = await registrationTokenAt(base, ca, await accessToken(base, ca, ADMIN_ID, ADMIN_SECRET));
  const eve = join(dir, 'eve.json');
  writeFileSync(eve, '');
  const opts = { exchange: `127.0.0.1:${port}`, port: cport, extra: ['source.ids.type=eve', `source.ids.path=${eve}`] };
  const conn = await startConnector(dir, { ...opts, token: regToken });
  await conn.waitFor((x) => x.uplink?.state === 'connected', 20_000, 'connected');
  const r: Rig = {
    dir, port, ex, conn, eve,
    async startExchange() { r.ex = await startEx(); },
    async startConnector() { r.conn = await startConnector(dir, opts); },
  };
  return r;
}

/** Writes the 50,000 EVE lines in slices over ~`seconds`, as a sensor would. */
const writeStream = (eve: string, seconds: number) => writeEveStream(eve, { total: TOTAL, seconds });

/** Waits until the exchange holds TOTAL events, then checks each flow_id once. */
async function verify(r: Rig, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const ctx = (await r.conn.local('/v1/contexts/default').catch(() => ({ body: null }))).body;
    const size = readFileSync(r.eve).length;
    // Done when the source has read the whole file and the spool holds nothing unacknowledged.
    if (ctx && ctx.spool.depth_events === 0 && ctx.sources[0]?.offset >= size) break;
    await sleep(250);
  }
  r.conn.run.child.kill('SIGTERM');
  await r.conn.run.exited;
  r.ex.child.kill('SIGTERM');
  await r.ex.exited;
  const stores = openSqliteStores(join(r.dir, 'ex', 'exchange.db'));
  try {
    const org = (await stores.orgs.list())[0]!;
    const seen = new Map<number, number>();
    let cursor: string | undefined;
    do {
      const page = await stores.events.query(org.id, { limit: 1000, cursor });
      for (const e of page.data) {
        const flow = (e.raw as { flow_id: number }).flow_id;
        seen.set(flow, (seen.get(flow) ?? 0) + 1);
      }
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    const missing: number[] = [];
    for (let i = 0; i < TOTAL && missing.length < 10; i++) if (!seen.has(i)) missing.push(i);
    assert.deepEqual(missing, [], `events missing (first 10 flow ids shown); ${seen.size} of ${TOTAL} stored`);
    const twice = [...seen.entries()].filter(([, n]) => n > 1);
    assert.deepEqual(twice.slice(0, 10), [], `${twice.length} events stored more than once`);
    assert.equal(seen.size, TOTAL);
  } finally {
    await stores.close();
  }
}

/** Runs `scenario` on a fresh rig and always tears the processes and files down. */
async function withRig(scenario: (r: Rig) => Promise<void>): Promise<void> {
  const r = await rig();
  try {
    await scenario(r);
  } finally {
    r.conn.run.child.kill('SIGKILL');
    r.ex.child.kill('SIGKILL');
    cleanup(r.dir);
  }
}

test('connector killed -9 five times: every event stored exactly once', { timeout: 300_000 }, () => withRig(async (r) => {
  const writing = writeStream(r.eve, 15);
  for (let k = 0; k < 5; k++) {
    await sleep(rand(500, 2500));
    await r.conn.kill('SIGKILL');
    await r.startConnector();
  }
  await writing;
  await verify(r, 180_000);
}));

test('exchange killed -9 five times: every event stored exactly once', { timeout: 300_000 }, () => withRig(async (r) => {
  const writing = writeStream(r.eve, 15);
  for (let k = 0; k < 5; k++) {
    await sleep(rand(500, 2500));
    r.ex.child.kill('SIGKILL');
    await r.ex.exited;
    await r.startExchange();
  }
  await writing;
  await verify(r, 180_000);
}));

test('exchange down for 30 s: the connector spools and delivers everything', { timeout: 300_000 }, () => withRig(async (r) => {
  const writing = writeStream(r.eve, 20);
  await sleep(3000);
  r.ex.child.kill('SIGKILL');
  await r.ex.exited;
  const down = await r.conn.waitFor((x) => x.uplink.state === 'backoff' || x.uplink.state === 'connecting', 10_000, 'uplink down');
  assert.ok(down);
  await sleep(30_000);
  const spooled = (await r.conn.local('/v1/contexts/default')).body;
  assert.ok(spooled.spool.depth_events > 0, 'events wait in the spool while the exchange is down');
  await r.startExchange();
  await writing;
  await verify(r, 180_000);
}));
