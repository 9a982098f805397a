// Two exchange nodes on one PostgreSQL database and one NATS JetStream (`--bus nats://…`):
// batches go through the stream to whichever node's writer takes them, and a device is reached
// from either node, whichever holds its connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { startTestExchange, cleanup, enrollDevice, DeviceSocket, intrusion, tmpDir, settled, type TestExchange } from './helpers/exchange.js';
import { freshSchemaUrl, freshBusUrl, needsPgNats, NATS_URL } from './helpers/pg.js';
import { natsBus, streamName } from '../src/exchange/bus/nats.js';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { ControlFrame } from '../src/protocol/frames.js';
import { dispatcherOf } from '../src/response/modules/devices/dispatch.js';

const opts = await needsPgNats();

async function twoNodes(f: (a: TestExchange, b: TestExchange) => Promise<void>): Promise<void> {
  const db = freshSchemaUrl();
  const bus = freshBusUrl();
  const a = await startTestExchange(tmpDir(), { store: db.url, bus: bus.url });
  // B shares A's CA (the data dir's ca/), as nodes behind one name do.
  const bDir = tmpDir();
  cpSync(join(a.dataDir, 'ca'), join(bDir, 'ca'), { recursive: true });
  const b = await startTestExchange(bDir, { store: db.url, bus: bus.url });
  try {
    await f(a, b);
  } finally {
    await b.close();
    await a.close();
    cleanup(a.dataDir);
    cleanup(bDir);
    await bus.drop();
    await db.drop();
  }
}

const on = (t: TestExchange, eventing: string) => eventing.replace(/\/\/[^/]+/, `//${new URL(t.url).host}`);

async function eventually<T>(f: () => Promise<T | null | undefined | false>, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('batches sent to either node are stored once, whichever node writes them', opts, () => twoNodes(async (a, b) => {
  const dev = await enrollDevice(a, 'split-sensor');
  const toA = await DeviceSocket.connect(dev, on(a, dev.endpoints.eventing as string));
  const toB = await DeviceSocket.connect(dev, on(b, dev.endpoints.eventing as string));
  await Promise.all([toA.hello(), toB.hello()]);
  const events = Array.from({ length: 300 }, (_, i) => intrusion({ dst_ip: `198.51.100.${(i % 200) + 1}` }));
  const [ackA, ackB] = await Promise.all([toA.sendBatch(1, events.slice(0, 200)), toB.sendBatch(1, events.slice(100))]);
  assert.equal(ackA.accepted + ackA.duplicates, 200);
  assert.equal(ackB.accepted + ackB.duplicates, 200);
  // The same batch again, on the other node: JetStream's duplicate window or the store's
  // event ids catch it; nothing is stored twice.
  const again = await toB.sendBatch(2, events.slice(0, 200));
  assert.equal(again.accepted + again.duplicates, 200);
  await settled();
  assert.equal(await a.ex.ctx.stores.events.count(), 300);
  const page = await b.api('/api/v1/events?limit=1000');
  assert.equal(page.body.data.length, 300);
  assert.equal(new Set(page.body.data.map((e: { event_id: string }) => e.event_id)).size, 300);
  const health = await b.api('/healthz', { as: 'none' });
  assert.equal(health.body.bus, 'nats');
  assert.equal(health.body.bus_backlog, 0, 'everything acked is stored');
  // A node that has lost its bus says so, so that a load balancer takes it out.
  const backlog = b.ex.ctx.bus.backlog.bind(b.ex.ctx.bus);
  b.ex.ctx.bus.backlog = async () => { throw new Error('TIMEOUT'); };
  const sick = await b.api('/healthz', { as: 'none' });
  b.ex.ctx.bus.backlog = backlog;
  assert.equal(sick.status, 503);
  assert.equal(sick.body.status, 'unavailable');
  assert.match(sick.body.reason, /^bus: TIMEOUT/);
  toA.close();
  toB.close();
}));

test('a block made through node A reaches a device connected to node B, and its ack is seen from A', opts, () => twoNodes(async (a, b) => {
  const dev = await enrollDevice(a, 'sensor-on-b');
  const s = await DeviceSocket.connect(dev, on(b, dev.endpoints.eventing as string));
  await s.hello();
  // The shared record: A sees B's device as connected.
  await eventually(async () => (await a.api(`/api/v1/devices/${dev.deviceId}`)).body.connected === true, 'A sees the device connected');
  const offered = (await a.api('/iroh/iroh-response/respond/observables', { method: 'POST', body: [{ type: 'ip', value: '203.0.113.99' }] }))
    .body.data.find((x: any) => x.module_instance_id === 'builtin-devices' && x.id === 'block');
  const q = new URLSearchParams(offered['query-params']).toString();
  const r = await a.api(`/iroh/iroh-response/respond/trigger/${offered.module}/block?${q}`, { method: 'POST' });
  assert.equal(r.body.data.status, 'success', r.text);
  assert.match(r.body.data.detail, /1 connected now/);
  const control = await s.waitFor<ControlFrame>((f) => f.type === 'control' && f.action === 'block');
  assert.equal(control.params.observable_value, '203.0.113.99');
  s.ws.send(JSON.stringify({ type: 'control_ack', id: control.id, status: 'ok' }));
  const acked = await eventually(async () => {
    const l = (await a.api('/api/v1/response-actions')).body.data;
    return l.find((x: any) => x.id === control.id && x.devices[0].state === 'ok');
  }, 'A sees the device\'s ack');
  assert.equal(acked.observable.value, '203.0.113.99');
  s.close();
}));

test('switching cloud events or deleting the device on A reaches its connection on B', opts, () => twoNodes(async (a, b) => {
  const dev = await enrollDevice(a, 'sensor-on-b2');
  const s = await DeviceSocket.connect(dev, on(b, dev.endpoints.eventing as string));
  await s.hello();
  await eventually(async () => (await a.api(`/api/v1/devices/${dev.deviceId}`)).body.connected === true, 'A sees the device connected');
  const patched = await a.api(`/api/v1/devices/${dev.deviceId}`, { method: 'PATCH', body: { cloud_events: false } });
  assert.equal(patched.status, 200, patched.text);
  const c = await s.waitFor<ControlFrame>((f) => f.type === 'control' && f.action === 'cloud_events');
  assert.deepEqual(c.params, { enabled: false });
  assert.equal((await a.api(`/api/v1/devices/${dev.deviceId}`, { method: 'DELETE' })).status, 204);
  const closed = await s.waitClosed();
  assert.equal(closed.code, 4403);
  assert.match(closed.reason, /revoked/);
}));

test('an "actions waiting" message lost on the way: the holding node\'s sweep still sends the action', opts, () => twoNodes(async (a, b) => {
  const dev = await enrollDevice(a, 'sensor-on-b3');
  const s = await DeviceSocket.connect(dev, on(b, dev.endpoints.eventing as string));
  await s.hello();
  // B's own sending on connect is done first: it would otherwise find the action made below.
  await dispatcherOf(b.ex.response.context()).settled(dev.deviceId);
  const rcA = a.ex.response.context();
  // Core NATS is at most once: A's message to B never arrives.
  const toDevice = a.ex.ctx.bus.toDevice.bind(a.ex.ctx.bus);
  a.ex.ctx.bus.toDevice = () => {};
  try {
    const orgId = (await a.api('/iroh/profile/whoami')).body.user['org-id'];
    const made = await dispatcherOf(rcA).create(orgId, 'block', { type: 'domain', value: 'lost.example' }, 'test');
    assert.ok(made);
  } finally {
    a.ex.ctx.bus.toDevice = toDevice;
  }
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(s.frames.filter((f) => f.type === 'control').length, 0, 'nothing reached the device yet');
  dispatcherOf(b.ex.response.context()).sweep();
  const c = await s.waitFor<ControlFrame>((f) => f.type === 'control' && f.action === 'block');
  assert.equal(c.params.observable_value, 'lost.example');
  s.close();
}));

test('a node started with another ack_wait_ms than the stream\'s writers were made with takes the new setting', opts, async () => {
  const bus = freshBusUrl();
  try {
    const first = await natsBus(bus.url);
    await first.close();
    const second = await natsBus(`${bus.url}&ack_wait_ms=20000`);
    await second.close();
    const nc = await connect({ servers: NATS_URL });
    try {
      const info = await (await jetstreamManager(nc)).consumers.info(streamName(new URL(bus.url.replace(/^nats/, 'http')).searchParams.get('prefix')!), 'writers');
      assert.equal(info.config.ack_wait, 20_000 * 1e6);
    } finally {
      await nc.close();
    }
  } finally {
    await bus.drop();
  }
});
