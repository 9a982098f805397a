// Each device's connection history as the exchange records it: opens and closes over real TLS
// WebSockets (a normal close, a cut connection, a reconnect), newest first with close codes;
// read-only and up within the org only; bounded per device; gone with the device.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestExchange, cleanup, enrollDevice, DeviceSocket, intrusion, type TestExchange } from './helpers/exchange.js';
import { createOrgWithAdmin } from '../src/exchange/orgs.js';
import { openDb } from '../src/exchange/store/sqlite/db.js';
import { SqliteOrgStore } from '../src/exchange/store/sqlite/orgs.js';
import { SqliteDeviceStore } from '../src/exchange/store/sqlite/devices.js';
import { SqliteConnectionHistoryStore } from '../src/exchange/store/sqlite/connection-history.js';
import { CONNECTION_HISTORY_KEEP } from '../src/exchange/store/types.js';

let t: TestExchange;
before(async () => { t = await startTestExchange(); });
after(async () => { await t.close(); cleanup(t.dataDir); });

interface Row {
  id: string;
  connected_at: string;
  closed_at: string | null;
  close_code: number | null;
  close_reason: string | null;
  closed_by: string | null;
  remote_address: string;
  version: string | null;
  events_received: number | null;
  open: boolean;
}

const history = async (deviceId: string, query = ''): Promise<Row[]> => {
  const r = await t.api(`/api/v1/devices/${deviceId}/connections${query}`);
  assert.equal(r.status, 200, r.text);
  return r.body.data;
};

/** The history once its newest `n` rows are all closed (closes are recorded as the socket ends). */
async function settled(deviceId: string, n: number): Promise<Row[]> {
  for (;;) {
    const rows = await history(deviceId);
    if (rows.length >= n && rows.slice(0, n).every((r) => r.closed_at !== null)) return rows;
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('normal close, cut connection, reconnect: newest first with codes and reasons', async () => {
  const dev = await enrollDevice(t, 'hist-sensor');
  assert.deepEqual(await history(dev.deviceId), [], 'a device that never connected has no history');

  const first = await DeviceSocket.connect(dev);
  await first.hello();
  first.ws.send(JSON.stringify({ type: 'heartbeat', status: { version: '2.4.0', spool_depth: 0 } }));
  await first.sendBatch(1, [intrusion(), intrusion(), intrusion()]);
  first.ws.close(1000, 'connector stopping');
  await first.waitClosed();
  await settled(dev.deviceId, 1);

  const second = await DeviceSocket.connect(dev);
  await second.hello();
  second.ws.terminate();
  await settled(dev.deviceId, 2);

  const third = await DeviceSocket.connect(dev);
  await third.hello();
  // The open is recorded beside the connection, not before hello: on a networked store it may
  // land a moment later.
  let rows = await history(dev.deviceId);
  for (let i = 0; i < 250 && rows.length < 3; i++) {
    await new Promise((r) => setTimeout(r, 20));
    rows = await history(dev.deviceId);
  }
  assert.equal(rows.length, 3);
  const [now, cut, normal] = rows as [Row, Row, Row];

  assert.equal(now.open, true);
  assert.equal(now.closed_at, null);
  assert.match(now.remote_address, /^127\.0\.0\.1:\d+$/);

  assert.equal(cut.open, false);
  assert.equal(cut.close_code, 1006);
  assert.equal(cut.closed_by, 'network');
  assert.equal(cut.events_received, 0);

  assert.equal(normal.close_code, 1000);
  assert.equal(normal.close_reason, 'connector stopping');
  assert.equal(normal.closed_by, 'device');
  assert.equal(normal.version, '2.4.0');
  assert.equal(normal.events_received, 3);
  assert.ok(Date.parse(normal.closed_at!) >= Date.parse(normal.connected_at));

  assert.ok(Date.parse(now.connected_at) >= Date.parse(cut.connected_at));
  assert.ok(Number(now.id) > Number(cut.id) && Number(cut.id) > Number(normal.id), 'newest first');
  assert.deepEqual((await history(dev.deviceId, '?limit=2')).map((r) => r.id), [now.id, cut.id]);
  assert.equal((await t.api(`/api/v1/devices/${dev.deviceId}/connections?limit=0`)).status, 400);
  assert.equal((await t.api(`/api/v1/devices/${dev.deviceId}/connections?limit=${CONNECTION_HISTORY_KEEP + 1}`)).status, 400);

  third.close();
  await third.waitClosed();
});

test('the read-only role reads it; another org gets 404; a deleted device takes it along', async () => {
  const dev = await enrollDevice(t, 'scoped-sensor');
  const s = await DeviceSocket.connect(dev);
  await s.hello();
  s.close();
  await settled(dev.deviceId, 1);

  const ro = await t.api('/api/v1/clients', { method: 'POST', body: { name: 'viewer', role: 'read-only' } });
  const roToken = await t.token(ro.body.client_id, ro.body.client_secret);
  const asRo = await t.api(`/api/v1/devices/${dev.deviceId}/connections`, { token: roToken });
  assert.equal(asRo.status, 200);
  assert.equal(asRo.body.data.length, 1);

  const b = await createOrgWithAdmin(t.ex.ctx.stores, 'org-other');
  const tokenB = await t.token(b.clientId, b.clientSecret);
  const asB = await t.api(`/api/v1/devices/${dev.deviceId}/connections`, { token: tokenB });
  assert.equal(asB.status, 404);
  assert.equal(asB.body.error, 'not_found');
  assert.deepEqual(await t.ex.ctx.stores.connectionHistory.list(b.org.id, dev.deviceId, 100), []);

  // Deleting a connected device: its history goes, and its cut connection writes nothing back.
  const org = (await t.api(`/api/v1/devices/${dev.deviceId}`)).body.org_id as string;
  const again = await DeviceSocket.connect(dev);
  await again.hello();
  assert.equal((await t.api(`/api/v1/devices/${dev.deviceId}`, { method: 'DELETE' })).status, 204);
  assert.equal((await again.waitClosed()).code, 4403);
  assert.equal((await t.api(`/api/v1/devices/${dev.deviceId}/connections`)).status, 404);
  assert.deepEqual(await t.ex.ctx.stores.connectionHistory.list(org, dev.deviceId, 100), []);
});

test('the exchange closing a connection records its own code and reason', async () => {
  const dev = await enrollDevice(t, 'closed-by-exchange');
  const s = await DeviceSocket.connect(dev);
  await s.hello();
  t.ex.ctx.connections.closeDevice(dev.deviceId, 4000, 'test: closed by the exchange');
  await s.waitClosed();
  const [row] = await settled(dev.deviceId, 1);
  assert.equal(row!.closed_by, 'exchange');
  assert.equal(row!.close_code, 4000);
  assert.equal(row!.close_reason, 'test: closed by the exchange');
});

test('diagnosis: the certificate in use, and a last error named by its known fault', async () => {
  const dev = await enrollDevice(t, 'diagnosed');
  const before = await t.api(`/api/v1/devices/${dev.deviceId}/diagnosis`);
  assert.equal(before.status, 200);
  assert.equal(before.body.last_error, null);
  assert.ok(Date.parse(before.body.certificate.not_after) > Date.now());

  const s = await DeviceSocket.connect(dev);
  await s.hello();
  const message = 'websocket: dial tcp 192.0.2.10:443: connect: connection refused';
  s.ws.send(JSON.stringify({ type: 'heartbeat', status: { last_error: { message, time: new Date().toISOString() } } }));
  let d;
  do d = (await t.api(`/api/v1/devices/${dev.deviceId}/diagnosis`)).body;
  while (!d.last_error);
  assert.equal(d.last_error.message, message);
  assert.equal(d.last_error.explanation.signature, 'connection_refused');
  assert.match(d.last_error.explanation.meaning, /refuses connections/);
  assert.match(d.last_error.explanation.remedy, /exchange runs and listens/);

  s.ws.send(JSON.stringify({ type: 'heartbeat', status: { last_error: { message: 'something nobody has seen', time: new Date().toISOString() } } }));
  do d = (await t.api(`/api/v1/devices/${dev.deviceId}/diagnosis`)).body;
  while (d.last_error.message === message);
  assert.equal(d.last_error.explanation, null);
  s.close();

  const b = await createOrgWithAdmin(t.ex.ctx.stores, 'org-diagnosis');
  assert.equal((await t.api(`/api/v1/devices/${dev.deviceId}/diagnosis`, { token: await t.token(b.clientId, b.clientSecret) })).status, 404);
});

test('the store keeps the newest connections per device, and a second close report is ignored', async () => {
  const db = openDb(':memory:');
  try {
    const org = await new SqliteOrgStore(db).create('bounded');
    const devices = new SqliteDeviceStore(db);
    const store = new SqliteConnectionHistoryStore(db);
    for (const id of ['dev-a', 'dev-b']) await devices.create({ id, org_id: org.id, name: id, hostname: id, version: '1', service_type: 'ngfw' });
    const ids: string[] = [];
    for (let i = 0; i < CONNECTION_HISTORY_KEEP + 5; i++) {
      ids.push(await store.opened({ device_id: 'dev-a', org_id: org.id, connected_at: new Date(i * 1000).toISOString(), remote_address: `10.0.0.1:${i}` }));
    }
    await store.opened({ device_id: 'dev-b', org_id: org.id, connected_at: new Date(0).toISOString(), remote_address: '10.0.0.2:1' });

    const kept = await store.list(org.id, 'dev-a', 1000);
    assert.equal(kept.length, CONNECTION_HISTORY_KEEP);
    assert.deepEqual(kept.map((r) => r.id), ids.slice(5).reverse(), 'the newest, newest first');
    assert.equal((await store.list(org.id, 'dev-b', 1000)).length, 1, "another device's history is its own");

    const last = ids.at(-1)!;
    const close = { closed_at: new Date().toISOString(), close_code: 1000, close_reason: 'first', closed_by: 'device', events_received: 7 } as const;
    await store.closed(last, close);
    await store.closed(last, { ...close, close_code: 1006, close_reason: 'second', closed_by: 'network' });
    const [row] = await store.list(org.id, 'dev-a', 1);
    assert.equal(row!.close_reason, 'first');
    assert.equal(row!.events_received, 7);
  } finally {
    db.close();
  }
});
