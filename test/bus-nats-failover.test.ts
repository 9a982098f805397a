// Two exchange nodes (`threatlink up --store postgres://… --bus nats://…`, child processes)
// behind a TCP load balancer, a real connector on each. Node A is killed -9 mid-stream: its
// connector moves to B, and every event the sensors wrote is stored exactly once. Before that, a
// block made through node A's API reaches the real connector attached to B.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { tmpDir, cleanup, ADMIN_ID, ADMIN_SECRET } from './helpers/exchange.js';
import { accessToken, registrationTokenAt, https } from './helpers/https.js';
import { freePort, runCli, type Running } from './helpers/process.js';
import { startConnector, type ConnectorProc } from './helpers/connector.js';
import { startBalancer } from './helpers/tcp-balancer.js';
import { freshSchemaUrl, freshBusUrl, needsPgNats, PG_URL } from './helpers/pg.js';
import { writeEveStream } from './helpers/eve-stream.js';

const opts = await needsPgNats();
const PER_SENSOR = 10_000;
const exEnv = { THREATLINK_BOOTSTRAP_CLIENT_ID: ADMIN_ID, THREATLINK_BOOTSTRAP_CLIENT_SECRET: ADMIN_SECRET, THREATLINK_LOG_LEVEL: 'warn' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function drained(c: ConnectorProc, eve: string, timeoutMs: number): Promise<void> {
  const size = readFileSync(eve).length;
  await c.waitFor((x) => x.spool?.depth_events === 0 && x.sources?.[0]?.offset >= size, timeoutMs, 'the connector\'s spool to drain');
}

test('a block made on node A reaches the connector on B; node A killed -9 mid-stream: its connector moves to B; no acknowledged event lost or stored twice', { ...opts, timeout: 240_000 }, async () => {
  const dir = tmpDir('tl-failover-');
  const db = freshSchemaUrl();
  const bus = freshBusUrl();
  const [pa, pb] = [await freePort(), await freePort()];
  const lb = await startBalancer([pa, pb]);
  const front = `127.0.0.1:${lb.port}`;
  const endpoints = ['api=https://', 'est=https://', 'eventing=wss://', 'mx=wss://'].map((e) => {
    const path = e.startsWith('est') ? '/.well-known/est' : e.startsWith('api') ? '' : '/eventing/v1/ws';
    return ['--endpoint', `${e}${front}${path}`];
  }).flat();
  const up = (d: string, port: number) => runCli(['up', '--data-dir', d, '--listen', `127.0.0.1:${port}`, '--store', db.url, '--bus', bus.url, ...endpoints], exEnv, /listening on/);
  const procs: Running[] = [];
  const conns: ConnectorProc[] = [];
  try {
    const aDir = join(dir, 'a');
    const a = await up(aDir, pa);
    procs.push(a);
    // B behind the same name shares A's CA.
    cpSync(join(aDir, 'ca'), join(dir, 'b', 'ca'), { recursive: true });
    const b = await up(join(dir, 'b'), pb);
    procs.push(b);
    const ca = readFileSync(join(aDir, 'ca', 'ca.crt'), 'utf8');
    const base = `https://${front}`;
    const token = await registrationTokenAt(base, ca, await accessToken(base, ca, ADMIN_ID, ADMIN_SECRET), { expiry: 3600, uses: 2 });

    // One connector on each node: the balancer sends the first to A, the second to B.
    const eves: string[] = [];
    for (const [i, port] of [pa, pb].entries()) {
      lb.prefer = port;
      const cdir = join(dir, `c${i}`);
      const eve = join(dir, `eve-${i}.json`);
      writeFileSync(eve, '');
      eves.push(eve);
      mkdirSync(cdir);
      const c = await startConnector(cdir, { exchange: front, token, extra: ['source.ids.type=eve', `source.ids.path=${eve}`] });
      conns.push(c);
      await c.waitFor((x) => x.uplink?.state === 'connected', 30_000, `connector ${i} connected`);
    }
    lb.prefer = null;
    assert.ok(lb.open.get(pa)! >= 1 && lb.open.get(pb)! >= 1, `connections spread across both nodes: ${JSON.stringify([...lb.open])}`);

    // A block through node A's own API reaches the connector attached to B, which applies it.
    const onA = `https://127.0.0.1:${pa}`;
    const adminA = await accessToken(onA, ca, ADMIN_ID, ADMIN_SECRET);
    const q = new URLSearchParams({ observable_type: 'ip', observable_value: '203.0.113.66' }).toString();
    const blocked = await https<any>(`${onA}/iroh/iroh-response/respond/trigger/builtin-devices/block?${q}`, { method: 'POST', ca, token: adminA });
    assert.equal(blocked.body?.data?.status, 'success', blocked.text);
    await conns[1]!.waitFor((x) => x.blocklist?.counts?.ip === 1, 30_000, 'the connector on B blocked the address');

    const writing = Promise.all(eves.map((e, i) => writeEveStream(e, { first: i * PER_SENSOR, total: PER_SENSOR, seconds: 8, slices: 40 })));
    // Mid-stream, once A has acked some of its connector's events.
    await conns[0]!.waitFor((x) => (x.uplink?.events_acked ?? 0) >= PER_SENSOR / 5, 60_000, 'node A acking events');
    a.child.kill('SIGKILL');
    await a.exited;
    await writing;
    await Promise.all(conns.map((c, i) => drained(c, eves[i]!, 120_000)));
    assert.equal(lb.open.get(pa), 0);
    assert.ok(lb.open.get(pb)! >= 2, 'both connectors on B');

    // Every event stored exactly once, once B's writer has what A held unacked (redelivered after ack_wait).
    const schema = new URL(db.url).searchParams.get('schema')!;
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      let row: { n: string; flows: string } = { n: '0', flows: '0' };
      const end = Date.now() + 60_000;
      while (Date.now() < end) {
        row = (await c.query(`SELECT count(*) AS n, count(DISTINCT (raw::json->>'flow_id')) AS flows FROM ${schema}.events`)).rows[0];
        if (Number(row.n) >= 2 * PER_SENSOR) break;
        await sleep(250);
      }
      assert.equal(Number(row.flows), 2 * PER_SENSOR, 'every flow stored');
      assert.equal(Number(row.n), 2 * PER_SENSOR, 'none stored twice');
    } finally {
      await c.end();
    }
  } finally {
    for (const c of conns) await c.kill('SIGKILL');
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await lb.close();
    cleanup(dir);
    await bus.drop().catch(() => {});
    await db.drop().catch(() => {});
  }
});
