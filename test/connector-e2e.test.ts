// The connector as a real process: ZeroMQ sensor (binding an ipc socket) and an EVE file →
// connector → TLS WebSocket → exchange, with the local API, cloud events switch and clean stop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Push } from 'zeromq';
import { startTestExchange, cleanup, registrationToken, tmpDir, intrusion, type TestExchange } from './helpers/exchange.js';
import { startConnector, eventually, type ConnectorProc } from './helpers/connector.js';
import { demoAlert } from '../src/connector/demo/simulator.js';
import { ipv4Event, ipv6Event, extraData } from './fixtures/unified2-writer.js';

let t: TestExchange;
let dir: string;
let c: ConnectorProc;
let sock: string;

before(async () => {
  t = await startTestExchange();
  dir = tmpDir('tl-conn-');
  sock = join(dir, 'EventHandler_SSEConnector.sock');
  const token = await registrationToken(t);
  c = await startConnector(dir, {
    exchange: new URL(t.url).host,
    token,
    extra: [
      'source.fmc.type=zmq', `source.fmc.endpoint=ipc://${sock}`,
      'source.ids.type=eve', `source.ids.path=${join(dir, 'eve.json')}`,
      'source.snort.type=snort3-json', `source.snort.path=${join(dir, 'alert_json.txt')}`,
      'source.u2.type=unified2', `source.u2.path=${join(dir, 'u2', 'unified2.log')}`,
    ],
  });
});
after(async () => {
  await c?.kill('SIGKILL');
  await t.close();
  cleanup(t.dataDir);
  cleanup(dir);
});

async function deviceEvents(deviceId: string, q = ''): Promise<any[]> {
  const all: any[] = [];
  let cursor = '';
  do {
    const r = await t.api(`/api/v1/events?device=${deviceId}&limit=1000${q}${cursor ? `&cursor=${cursor}` : ''}`);
    all.push(...r.body.data);
    cursor = r.body.next_cursor ?? '';
  } while (cursor);
  return all;
}

test('enrolls with the token, connects, and the local API tells a troubleshooter everything', async () => {
  const ctx = await c.waitFor((x) => x.status === 'Enrolled' && x.uplink?.state === 'connected', 20_000, 'enrolled and connected');
  assert.match(ctx.registration.device_id, /[0-9a-f-]{36}/);
  assert.equal((await c.local('/v1/contexts/default/status')).body.status, 'Enrolled');
  const tenant = await c.local('/v1/contexts/default/tenant');
  assert.equal(tenant.status, 200);
  assert.ok(tenant.body.tenantId);
  assert.ok(ctx.uplink.remote_address.startsWith('127.0.0.1:'));
  assert.ok(ctx.certificate.not_after);
  assert.equal(ctx.cloud_events.effective, true);
  for (const k of ['depth_events', 'bytes']) assert.equal(typeof ctx.spool[k], 'number', k);
  for (const k of ['events_read', 'events_sent', 'events_acked', 'events_rejected', 'events_dropped']) assert.equal(typeof ctx.counters[k], 'number', k);
  const zmq = ctx.sources.find((s: any) => s.name === 'fmc');
  assert.equal(zmq.state, 'waiting', 'no sensor socket yet');
  const keyMode = statSync(join(dir, 'data', 'device.key')).mode & 0o777;
  assert.equal(keyMode, 0o600);
  assert.ok(readFileSync(join(dir, 'data', 'connectorCA.pem'), 'utf8').includes('BEGIN CERTIFICATE'));
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(t.ex.ctx.connections.get(ctx.registration.device_id).length, 1, 'exactly one eventing connection');
  const dev = await t.api(`/api/v1/devices/${ctx.registration.device_id}`);
  assert.equal(dev.body.connection_state, 'connected');
  assert.equal(dev.body.hostname, 'sensor-under-test');
  // the missing sensor socket is in connector.log, worded as the note shows it
  const log = readFileSync(join(dir, 'data', 'connector.log'), 'utf8');
  assert.match(log, /level=error msg="\[sensor-under-test\]\[service\.go:\d+ \(\*Service\)\. Start\] Could not connect to ZeroMQ PUSH endpoint: could not dial to \\"ipc:\/\/.*EventHandler_SSEConnector\.sock\\": dial unix .*: connect: no such file or directory\\n"/);
});

test('events from a ZeroMQ sensor binding the ipc socket reach the exchange', async () => {
  const ctx = await c.waitFor((x) => x.status === 'Enrolled');
  const push = new Push();
  await push.bind(`ipc://${sock}`);
  try {
    await c.waitFor((x) => x.sources.find((s: any) => s.name === 'fmc')?.state === 'attached', 15_000, 'zmq attached');
    const events = Array.from({ length: 300 }, (_, i) => intrusion({ event_id: `zmq-${i}`, src_ip: '10.66.0.1' }));
    for (const e of events) await push.send(JSON.stringify(e));
    await push.send('this is not json');
    const stored = await eventually(async () => {
      const got = await deviceEvents(ctx.registration.device_id, '&observable=10.66.0.1');
      return got.length === 300 ? got : null;
    }, 20_000, '300 zmq events stored');
    assert.deepEqual(new Set(stored.map((e) => e.event_id)), new Set(events.map((e) => e.event_id)));
    // The exchange stores before it acks: wait for the connector to have heard the acks too.
    const after = await c.waitFor((x) => x.counters.events_rejected_local >= 1 && x.counters.events_acked >= 300, 10_000, 'garbage counted, events acked');
    assert.ok(after.counters.events_acked >= 300);
  } finally {
    push.close();
  }
});

test('a Suricata EVE file is tailed and mapped', async () => {
  const ctx = await c.waitFor((x) => x.status === 'Enrolled');
  const recs = Array.from({ length: 50 }, () => ({ ...demoAlert(), src_ip: '10.55.0.9' }));
  appendFileSync(join(dir, 'eve.json'), recs.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const stored = await eventually(async () => {
    const got = await deviceEvents(ctx.registration.device_id, '&observable=10.55.0.9');
    return got.length === 50 ? got : null;
  }, 20_000, '50 EVE events stored');
  const byTime = stored.find((e) => e.signature?.sid === (recs[0] as any).alert.signature_id);
  assert.ok(byTime);
  assert.equal(byTime.type, 'intrusion');
});

test('Snort 3 alert_json lines reach the exchange mapped', async () => {
  const ctx = await c.waitFor((x) => x.status === 'Enrolled');
  // Snort writes local time without a year; a minute ago keeps it clear of retention.
  const d = new Date(Date.now() - 60_000);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const line = {
    timestamp: `${p2(d.getMonth() + 1)}/${p2(d.getDate())}-${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.589793`, pkt_num: 42, proto: 'TCP', pkt_gen: 'raw', pkt_len: 74, dir: 'C2S',
    src_ap: '10.33.0.3:51234', dst_ap: '198.51.100.33:80', rule: '1:2100498:7', action: 'allow',
    gid: 1, sid: 2100498, rev: 7, msg: 'GPL ATTACK_RESPONSE id check returned root', class: 'Potentially Bad Traffic', priority: 2,
    src_addr: '10.33.0.3', src_port: 51234, dst_addr: '198.51.100.33', dst_port: 80, service: 'http',
  };
  appendFileSync(join(dir, 'alert_json.txt'), `${JSON.stringify(line)}\n${JSON.stringify({ ...line, pkt_num: 43, action: 'would_drop' })}\n`);
  const got = await eventually(async () => {
    const ev = await deviceEvents(ctx.registration.device_id, '&observable=10.33.0.3');
    return ev.length === 2 ? ev : null;
  }, 20_000, 'snort3 events stored');
  const e = got.find((x) => x.action === 'would_block');
  assert.ok(e, 'would_drop mapped to would_block');
  assert.equal(e.type, 'intrusion');
  assert.equal(e.dst_ip, '198.51.100.33');
  assert.equal(e.dst_port, 80);
  assert.equal(e.protocol, 'tcp');
  assert.deepEqual({ gid: e.signature.gid, sid: e.signature.sid, rev: e.signature.rev, priority: e.signature.priority }, { gid: 1, sid: 2100498, rev: 7, priority: 2 });
  assert.equal(e.signature.message, line.msg);
  assert.equal(e.app_proto, 'http');
});

test('Snort unified2 spool files reach the exchange mapped, extra data attached', async () => {
  const ctx = await c.waitFor((x) => x.status === 'Enrolled');
  mkdirSync(join(dir, 'u2'), { recursive: true });
  const sec = Math.floor(Date.now() / 1000) - 60;
  const base = { sensor_id: 0, event_microsecond: 250000, generator_id: 1, classification_id: 3, mpls_label: 0, vlanId: 0, pad2: 0, impact_flag: 0, impact: 1 };
  const bytes = Buffer.concat([
    ipv4Event({ ...base, event_id: 1, event_second: sec, signature_id: 2019401, signature_revision: 4, priority_id: 1, ip_source: '10.22.0.2', ip_destination: '203.0.113.22', sport_itype: 40001, dport_icode: 80, protocol: 6, blocked: 1 }),
    extraData({ event_id: 1, event_second: sec, type: 10, data: 'u2-host.example' }),
    extraData({ event_id: 1, event_second: sec, type: 9, data: '/drop.php?x=1' }),
    ipv6Event({ ...base, event_id: 2, event_second: sec + 1, signature_id: 2100366, signature_revision: 8, priority_id: 3, ip_source: '2001:db8::22', ip_destination: '2001:db8:ffff::1', sport_itype: 128, dport_icode: 0, protocol: 58, blocked: 0 }),
  ]);
  writeFileSync(join(dir, 'u2', `unified2.log.${sec}`), bytes);
  const v4 = await eventually(async () => (await deviceEvents(ctx.registration.device_id, '&observable=10.22.0.2'))[0], 20_000, 'unified2 IPv4 event');
  assert.equal(v4.signature.sid, 2019401);
  assert.equal(v4.signature.priority, 1);
  assert.equal(v4.action, 'blocked');
  assert.equal(v4.impact, 1);
  assert.equal(v4.src_port, 40001);
  assert.equal(v4.time, new Date(sec * 1000 + 250).toISOString());
  assert.ok(v4.observables.domain.includes('u2-host.example'));
  assert.ok(v4.observables.url.some((u: string) => u.includes('u2-host.example/drop.php?x=1')));
  const v6 = await eventually(async () => (await deviceEvents(ctx.registration.device_id, '&observable=2001:db8::22'))[0], 20_000, 'unified2 IPv6 event');
  assert.equal(v6.protocol, 'ipv6-icmp');
  assert.equal(v6.dst_ip, '2001:db8:ffff::1');
});

test('cloud events off from the exchange stops sending; on resumes it', async () => {
  const ctx = await c.waitFor((x) => x.status === 'Enrolled');
  const id = ctx.registration.device_id;
  await t.api(`/api/v1/devices/${id}`, { method: 'PATCH', body: { cloud_events: false } });
  await c.waitFor((x) => x.cloud_events.effective === false, 10_000, 'cloud events off');
  const recs = Array.from({ length: 20 }, () => ({ ...demoAlert(), src_ip: '10.44.0.4' }));
  appendFileSync(join(dir, 'eve.json'), recs.map((r) => JSON.stringify(r)).join('\n') + '\n');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await deviceEvents(id, '&observable=10.44.0.4')).length, 0, 'nothing sent while off');
  const off = (await c.local('/v1/contexts/default')).body;
  assert.ok(off.sources.every((s: any) => s.state === 'paused'), JSON.stringify(off.sources));
  await t.api(`/api/v1/devices/${id}`, { method: 'PATCH', body: { cloud_events: true } });
  await eventually(async () => (await deviceEvents(id, '&observable=10.44.0.4')).length === 20, 15_000, 'events after cloud events on');
});

test('SIGTERM drains and exits cleanly; the log is logrus text', async () => {
  const code = await c.kill('SIGTERM');
  assert.equal(code, 0);
  const log = readFileSync(join(dir, 'data', 'connector.log'), 'utf8').trim().split('\n');
  for (const line of log) {
    assert.match(line, /^time="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}([+-]\d\d:\d\d|Z)" level=(debug|info|warning|error|fatal) msg="\[sensor-under-test\]\[[^ \]]+:\d+ [^\]]+\] .*"$/);
  }
  assert.ok(log.some((l) => l.includes('shutting down')));
});
