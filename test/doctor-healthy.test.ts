// The doctor against a healthy setup made for real: an exchange, a connector process enrolled
// with a token, and a sensor (this test) binding a ZeroMQ PUSH socket at an ipc:// path that the
// connector attaches to. Every check must be ok (or skip), exit 0, well within 10 s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Push } from 'zeromq';
import { connectProxy } from './helpers/connect-proxy.js';
import { startTestExchange, cleanup, registrationToken, tmpDir, intrusion, ADMIN_ID, ADMIN_SECRET, type TestExchange } from './helpers/exchange.js';
import { startConnector, type ConnectorProc } from './helpers/connector.js';
import { runCliToEnd } from './helpers/process.js';

let t: TestExchange;
let dir: string;
let c: ConnectorProc;
let sensor: Push;
let sock: string;

before(async () => {
  t = await startTestExchange();
  dir = tmpDir('tl-doctor-');
  sock = join(dir, 'EventHandler_SSEConnector.sock');
  // The sensor binds first, as EventHandler does, so the connector attaches at once.
  sensor = new Push();
  await sensor.bind(`ipc://${sock}`);
  c = await startConnector(dir, {
    exchange: new URL(t.url).host,
    token: await registrationToken(t),
    extra: ['source.fmc.type=zmq', `source.fmc.endpoint=ipc://${sock}`],
  });
  await c.waitFor((x) => x.status === 'Enrolled' && x.uplink?.state === 'connected' && x.sources[0]?.state === 'attached', 20_000, 'enrolled, connected, attached');
  for (let i = 0; i < 5; i++) await sensor.send(JSON.stringify(intrusion()));
  await c.waitFor((x) => x.counters.events_acked >= 5 && x.spool.depth_events === 0, 20_000, 'events acked');
});

after(async () => {
  await c?.kill('SIGKILL');
  sensor?.close();
  await t.close();
  cleanup(t.dataDir);
  cleanup(dir);
});

const EXPECTED = [
  'properties', 'cloud_events', 'registration', 'certificate', 'clock',
  ...['dns', 'tcp', 'tls', 'http'].flatMap((k) => ['api', 'est', 'eventing', 'mx'].map((r) => `${k}.${r}`)),
  'local_api', 'process', 'ipc_socket.fmc', 'uplink_tcp', 'event_flow', 'spool', 'log', 'exchange_view',
];

test('healthy: every check ok, exit 0, in under 10 s (--json, with API credentials)', async () => {
  const t0 = Date.now();
  const r = await runCliToEnd(['doctor', '--config', c.props, '--json', '--client-id', ADMIN_ID, '--client-secret', ADMIN_SECRET]);
  const elapsed = Date.now() - t0;
  const report = JSON.parse(r.stdout);
  const bad = report.checks.filter((ch: any) => ch.status !== 'ok');
  assert.deepEqual(bad, [], 'nothing but ok');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(report.checks.map((ch: any) => ch.id), EXPECTED, 'every check, in the note\'s order');
  assert.match(report.verdict, /^ok: all \d+ checks passed/);
  for (const ch of report.checks) assert.deepEqual(Object.keys(ch), ['id', 'title', 'status', 'evidence', 'cause', 'remedy']);
  assert.ok(elapsed < 10_000, `took ${elapsed} ms`);

  const byId = new Map(report.checks.map((ch: any) => [ch.id, ch]));
  const ipc: any = byId.get('ipc_socket.fmc');
  assert.ok(ipc.evidence.some((e: string) => /LISTENING .*\/node .*EventHandler_SSEConnector\.sock/.test(e)), ipc.evidence.join('\n'));
  assert.ok(ipc.evidence.some((e: string) => /CONNECTED .*EventHandler_SSEConnector\.sock/.test(e)), ipc.evidence.join('\n'));
  const uplink: any = byId.get('uplink_tcp');
  assert.ok(uplink.evidence.some((e: string) => /\(ESTABLISHED\)$/.test(e)), uplink.evidence.join('\n'));
  const flow: any = byId.get('event_flow');
  assert.match(flow.evidence[0], /acked [5-9]/);
});

test('healthy, human report: the verdict line comes first; exchange_view skips without credentials', async () => {
  const r = await runCliToEnd(['doctor', '--config', c.props], { THREATLINK_CLIENT_ID: '', THREATLINK_CLIENT_SECRET: '' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0] as string, /^ok: all \d+ checks passed \(1 skipped\)$/);
  assert.match(r.stdout, /\nskip {2}exchange_view/);
  assert.ok(!r.stdout.includes('\u001b['), 'no colour when stdout is not a terminal');
});

test('through the configured proxy: every endpoint reached with CONNECT, the exchange view too', async () => {
  const proxy = await connectProxy();
  try {
    const props = join(dir, 'via-proxy.properties');
    writeFileSync(props, `${readFileSync(c.props, 'utf8')}proxy=http://127.0.0.1:${proxy.port}\n`);
    const r = await runCliToEnd(['doctor', '--config', props, '--json', '--client-id', ADMIN_ID, '--client-secret', ADMIN_SECRET]);
    const byId = new Map(JSON.parse(r.stdout).checks.map((ch: any) => [ch.id, ch]));
    const exchange = new URL(t.url).host;
    for (const role of ['api', 'est', 'eventing', 'mx']) {
      for (const k of ['tcp', 'tls', 'http']) assert.equal((byId.get(`${k}.${role}`) as any).status, 'ok', `${k}.${role}`);
      assert.ok((byId.get(`tcp.${role}`) as any).evidence.some((e: string) => e === `CONNECT ${exchange} → HTTP/1.1 200 Connection established`));
    }
    assert.equal((byId.get('exchange_view') as any).status, 'ok');
    assert.ok(proxy.asked.length >= 4 && proxy.asked.every((a) => a === exchange), proxy.asked.join(', '));
  } finally {
    proxy.server.close();
  }
});

test('--log on the connector\'s own log, offline: one check, ok', async () => {
  const r = await runCliToEnd(['doctor', '--log', join(dir, 'data', 'connector.log'), '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(report.checks.map((ch: any) => [ch.id, ch.status]), [['log', 'ok']]);
});

test('--help lists the checks and the exit codes', async () => {
  const r = await runCliToEnd(['doctor', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--log <file>/);
  assert.match(r.stdout, /ipc_socket/);
  assert.match(r.stdout, /Exit code: 0 all ok/);
});
