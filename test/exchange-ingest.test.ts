// Acknowledged ingest over mTLS WebSockets: ack only after commit, dedup, per-event rejection,
// revocation, heartbeats, and the event search over what was stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import {
  startTestExchange, cleanup, enrollDevice, DeviceSocket, intrusion, settled, type TestExchange, type EnrolledDevice,
} from './helpers/exchange.js';
import type { ErrorFrame } from '../src/protocol/frames.js';

let t: TestExchange;
let dev: EnrolledDevice;
before(async () => {
  t = await startTestExchange();
  dev = await enrollDevice(t, 'ingest-sensor');
});
after(async () => { await t.close(); cleanup(t.dataDir); });

test('a connection without a client certificate is refused', async () => {
  const err = await new Promise<Error & { status?: number }>((resolve) => {
    const ws = new WebSocket(dev.endpoints.eventing as string, { ca: t.ca });
    ws.on('unexpected-response', (_q, res) => resolve(Object.assign(new Error('refused'), { status: res.statusCode })));
    ws.on('open', () => resolve(new Error('opened')));
    ws.on('error', (e) => resolve(e));
  });
  assert.equal(err.status, 401);
});

test('the ack comes only after every event of the batch is durable: committed, or held by JetStream for a writer', async () => {
  const s = await DeviceSocket.connect(dev);
  const hello = await s.hello();
  assert.equal(hello.device_id, dev.deviceId);
  const events = Array.from({ length: 250 }, () => intrusion());
  let storedBeforeAck = -1;
  let inStreamBeforeAck = -1;
  const ackP = s.waitFor((f) => f.type === 'ack' && f.seq === 1).then(async (a) => {
    // Read at the moment the ack arrives, the stream first: a batch that left it is stored.
    inStreamBeforeAck = await t.ex.ctx.bus.backlog();
    storedBeforeAck = await t.ex.ctx.stores.events.count();
    return a;
  });
  s.ws.send(JSON.stringify({ type: 'batch', seq: 1, events }));
  const ack = await ackP;
  assert.equal(ack.type, 'ack');
  if (ack.type !== 'ack') return;
  assert.equal(ack.accepted, 250);
  assert.deepEqual(ack.rejected, []);
  assert.ok(storedBeforeAck >= 250 || inStreamBeforeAck > 0, `stored ${storedBeforeAck}, ${inStreamBeforeAck} batches in the stream when the ack arrived`);
  await settled();
  for (const e of events.slice(0, 5)) {
    const r = await t.api(`/api/v1/events?observable=${encodeURIComponent(e.dst_ip!)}&limit=1000`);
    assert.ok(r.body.data.some((x: { event_id: string }) => x.event_id === e.event_id));
  }
  s.close();
});

test('resending the same events never makes a second row', async () => {
  const s = await DeviceSocket.connect(dev);
  await s.hello();
  const events = Array.from({ length: 40 }, () => intrusion({ dst_ip: '198.51.100.77' }));
  const first = await s.sendBatch(10, events);
  assert.equal(first.accepted, 40);
  const again = await s.sendBatch(11, events);
  assert.equal(again.accepted, 0);
  assert.equal(again.duplicates, 40);
  s.close();
  // and across a reconnect, as a connector replays after a crash
  const s2 = await DeviceSocket.connect(dev);
  await s2.hello();
  const third = await s2.sendBatch(1, events.slice(0, 10));
  assert.equal(third.duplicates, 10);
  s2.close();
  const r = await t.api('/api/v1/events?observable=198.51.100.77&limit=1000');
  assert.equal(r.body.data.length, 40);
});

test('a malformed event is rejected with its reason while the rest of its batch commits', async () => {
  const s = await DeviceSocket.connect(dev);
  await s.hello();
  const good = [intrusion({ src_ip: '10.9.9.9' }), intrusion({ src_ip: '10.9.9.9' })];
  const badPort = { ...intrusion({ src_ip: '10.9.9.9' }), dst_port: 70000 };
  const badType = { ...intrusion({ src_ip: '10.9.9.9' }), type: 'alert' };
  const ack = await s.sendBatch(1, [good[0], badPort, 'not an event', good[1], badType]);
  assert.equal(ack.accepted, 2);
  assert.deepEqual(ack.rejected.map((r) => r.index), [1, 2, 4]);
  assert.equal(ack.rejected[0]!.event_id, badPort.event_id);
  assert.match(ack.rejected[0]!.reason, /dst_port/);
  assert.equal(ack.rejected[1]!.code, 'not_object');
  assert.match(ack.rejected[2]!.reason, /type/);
  const r = await t.api('/api/v1/events?observable=10.9.9.9');
  assert.equal(r.body.data.length, 2);
  // counted on the device
  await t.ex.ctx.counters.flush();
  const d = await t.api(`/api/v1/devices/${dev.deviceId}`);
  assert.ok(d.body.events_rejected >= 3);
  assert.ok(d.body.events_received >= 5);
  // garbage frames get an error frame; the connection stays up and keeps working
  s.ws.send('{not json');
  const e = await s.waitFor<ErrorFrame>((f) => f.type === 'error');
  assert.equal(e.code, 'bad_frame');
  const more = await s.sendBatch(2, [intrusion()]);
  assert.equal(more.accepted, 1);
  s.close();
});

test('heartbeats land in the device record; connection state and last seen are tracked', async () => {
  const s = await DeviceSocket.connect(dev);
  await s.hello();
  const now = new Date().toISOString();
  s.ws.send(JSON.stringify({ type: 'heartbeat', status: { version: '1.2.3', spool_depth: 17, counters: { read: 5 }, last_error: { message: 'dial unix /x.sock: connect: no such file or directory', time: now }, cloud_events: true } }));
  await s.sendBatch(1, [intrusion()]); // a round trip so the heartbeat is handled
  await t.ex.ctx.counters.flush();
  let d = await t.api(`/api/v1/devices/${dev.deviceId}`);
  for (let i = 0; i < 50 && d.body.status?.spool_depth !== 17; i++) {
    await new Promise((r) => setTimeout(r, 20));
    d = await t.api(`/api/v1/devices/${dev.deviceId}`);
  }
  assert.equal(d.body.connection_state, 'connected');
  assert.equal(d.body.status.spool_depth, 17);
  assert.match(d.body.last_error.message, /no such file/);
  assert.ok(d.body.last_seen);
  s.close();
  await s.waitClosed();
  for (let i = 0; i < 50 && d.body.connection_state !== 'disconnected'; i++) {
    await new Promise((r) => setTimeout(r, 20));
    d = await t.api(`/api/v1/devices/${dev.deviceId}`);
  }
  assert.equal(d.body.connection_state, 'disconnected');
});

test('a connection cut before its "connected" is written still ends disconnected (the writes keep their order)', async () => {
  // On PostgreSQL the two writes of a short connection travel on different pooled connections
  // and can land in either order; here the "connected" write is held back to make that order.
  const devices = t.ex.ctx.stores.devices;
  const real = devices.setConnection.bind(devices);
  const quick = await enrollDevice(t, 'ingest-quick');
  const states: string[] = [];
  const writes: Array<Promise<unknown>> = [];
  devices.setConnection = (id, state, remote, at) => {
    const w = (async () => {
      if (id === quick.deviceId && state === 'connected') await new Promise((r) => setTimeout(r, 300));
      return real(id, state, remote, at);
    })();
    if (id === quick.deviceId) {
      states.push(state);
      writes.push(w.catch(() => {}));
    }
    return w;
  };
  try {
    const s = await DeviceSocket.connect(quick);
    await s.hello();
    s.ws.terminate();
    await s.waitClosed();
    for (let i = 0; i < 200 && !states.includes('disconnected'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(states, ['connected', 'disconnected']);
    await Promise.all(writes);
    const d = await t.api(`/api/v1/devices/${quick.deviceId}`);
    assert.equal(d.body.connection_state, 'disconnected');
  } finally {
    devices.setConnection = real;
  }
});

test('unique events group by source, destination, SID and GID; histogram counts', async () => {
  const s = await DeviceSocket.connect(dev);
  await s.hello();
  const sig = { gid: 1, sid: 9900001, rev: 1, message: 'UNIQUE test', priority: 2 };
  // Recent, on an hour boundary: the exchange's retention (30 days) would prune older events mid-test.
  const base = Math.floor(Date.now() / 3600_000) * 3600_000 - 86400_000;
  const evs = [0, 60, 3700].map((sec) => intrusion({ src_ip: '10.1.1.1', dst_ip: '192.0.2.1', signature: sig, time: new Date(base + sec * 1000).toISOString() }));
  evs.push(intrusion({ src_ip: '10.1.1.1', dst_ip: '192.0.2.1', signature: { ...sig, sid: 9900002 }, time: new Date(base).toISOString() }));
  await s.sendBatch(1, evs);
  s.close();
  const u = await t.api('/api/v1/events/unique?observable=192.0.2.1');
  const g = u.body.data.find((x: { sid: number }) => x.sid === 9900001);
  assert.equal(g.count, 3);
  assert.equal(g.first_seen, new Date(base).toISOString());
  assert.equal(g.last_seen, new Date(base + 3700_000).toISOString());
  assert.equal(u.body.data.filter((x: { sid: number }) => x.sid === 9900002).length, 1);
  const h = await t.api(`/api/v1/events/histogram?interval=1h&since=${new Date(base - 1).toISOString()}&until=${new Date(base + 86400_000).toISOString()}&sid=9900001`);
  assert.equal(h.status, 200);
  assert.deepEqual(h.body.data.map((b: { count: number }) => b.count), [2, 1]);
  const bad = await t.api('/api/v1/events/histogram?interval=forever');
  assert.equal(bad.status, 400);
  const one = await t.api(`/api/v1/events?sid=9900001&limit=1`);
  assert.equal(one.body.data.length, 1);
  assert.ok(one.body.next_cursor);
  // A cursor no page gave out is the caller's mistake: 400 saying so, not a server error.
  for (const path of ['/api/v1/events?cursor=zzz', '/api/v1/events/unique?cursor=abc', `/api/v1/events/unique?cursor=${one.body.next_cursor}`]) {
    const r = await t.api(path);
    assert.equal(r.status, 400, `${path}: ${r.text}`);
    assert.equal(r.body.error, 'bad_request');
    assert.match(r.body.message, /invalid cursor/);
  }
  const byId = await t.api(`/api/v1/events/${one.body.data[0].id}`);
  assert.equal(byId.body.event_id, one.body.data[0].event_id);
  assert.equal(byId.body.device_id, dev.deviceId);
});

test('deleting a device cuts its live connection and it cannot reconnect', async () => {
  const victim = await enrollDevice(t, 'to-delete');
  const s = await DeviceSocket.connect(victim);
  await s.hello();
  const del = await t.api(`/api/v1/devices/${victim.deviceId}`, { method: 'DELETE' });
  assert.equal(del.status, 204);
  const closed = await s.waitClosed();
  assert.equal(closed.code, 4403);
  await assert.rejects(DeviceSocket.connect(victim), (e: Error & { status?: number }) => e.status === 403 && /revoked|deleted/.test(e.message));
});

test('a frame the decoder thread lost is never acked: the connection closes and the batch sent again is stored', async () => {
  const lossy = await enrollDevice(t, 'decoder-lost');
  const decoder = t.ex.ctx.decoder;
  const real = decoder.decode.bind(decoder);
  decoder.decode = () => Promise.reject(new Error('frame decoder thread exited with code 1'));
  const evs = [intrusion({ src_ip: '10.44.0.1' }), intrusion({ src_ip: '10.44.0.1' })];
  try {
    const s = await DeviceSocket.connect(lossy);
    await s.hello();
    s.ws.send(JSON.stringify({ type: 'batch', seq: 1, events: evs }));
    const closed = await s.waitClosed();
    assert.equal(closed.code, 1011);
    assert.ok(!s.frames.some((f) => f.type === 'ack'), 'nothing acked');
  } finally {
    decoder.decode = real;
  }
  const again = await DeviceSocket.connect(lossy);
  await again.hello();
  const ack = await again.sendBatch(1, evs);
  assert.equal(ack.accepted, 2);
  again.close();
  const page = await t.api(`/api/v1/events?device=${lossy.deviceId}`);
  assert.deepEqual(page.body.data.map((e: { event_id: string }) => e.event_id).sort(), evs.map((e) => e.event_id).sort());
});
