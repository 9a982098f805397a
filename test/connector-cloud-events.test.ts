// The exchange's cloud events switch outlives neither a change made while the connector was
// stopped nor the device identity it was given to: a real exchange and real connector processes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startTestExchange, cleanup, registrationToken, tmpDir, type TestExchange } from './helpers/exchange.js';
import { startConnector, eventually, type ConnectorProc } from './helpers/connector.js';
import { demoAlert } from '../src/connector/demo/simulator.js';

let t: TestExchange;
let dir: string;
let c: ConnectorProc;
let extra: string[];

before(async () => {
  t = await startTestExchange();
  dir = tmpDir('tl-cloud-');
  extra = ['source.ids.type=eve', `source.ids.path=${join(dir, 'eve.json')}`];
  c = await startConnector(dir, { exchange: new URL(t.url).host, token: await registrationToken(t), extra });
});
after(async () => {
  await c?.kill('SIGKILL');
  await t.close();
  cleanup(t.dataDir);
  cleanup(dir);
});

const connected = (x: any) => x.status === 'Enrolled' && x.uplink.state === 'connected';

async function turnOff(): Promise<string> {
  const id = (await c.waitFor(connected, 20_000, 'connected')).registration.device_id as string;
  assert.equal((await t.api(`/api/v1/devices/${id}`, { method: 'PATCH', body: { cloud_events: false } })).status, 200);
  await c.waitFor((x) => x.cloud_events.effective === false, 10_000, 'cloud events off');
  return id;
}

/** Events appended to the EVE file now reach the exchange: the source reads and the uplink sends. */
async function flows(id: string, ip: string): Promise<void> {
  appendFileSync(join(dir, 'eve.json'), Array.from({ length: 5 }, () => JSON.stringify({ ...demoAlert(), src_ip: ip })).join('\n') + '\n');
  await eventually(async () => (await t.api(`/api/v1/events?device=${id}&observable=${ip}`)).body.data.length === 5, 15_000, `events from ${ip} stored`);
}

test('on at the exchange while the connector was stopped: it is on when the connector connects again', async () => {
  const id = await turnOff();
  assert.equal(await c.kill('SIGTERM'), 0);
  const on = await t.api(`/api/v1/devices/${id}`, { method: 'PATCH', body: { cloud_events: true } });
  assert.equal(on.body.cloud_events, true);
  c = await startConnector(dir, { exchange: new URL(t.url).host, extra });
  const ctx = await c.waitFor((x) => connected(x) && x.cloud_events.effective === true, 15_000, 'cloud events on after reconnect');
  assert.deepEqual(ctx.cloud_events, { effective: true, local: true, exchange: true });
  assert.ok(ctx.sources.every((s: any) => s.state !== 'paused'), JSON.stringify(ctx.sources));
  await flows(id, '10.51.0.1');
});

test('deregistering forgets the off that belonged to that device', async () => {
  await turnOff();
  assert.equal((await c.local('/v1/contexts/default', { method: 'DELETE' })).status, 204);
  const ctx = (await c.local('/v1/contexts/default')).body;
  assert.equal(ctx.cloud_events.exchange, true, JSON.stringify(ctx.cloud_events));
  assert.equal(existsSync(join(dir, 'data', 'cloud_events.json')), false);
  const r = await c.local('/v1/contexts/default/activations', { method: 'POST', body: { token: await registrationToken(t) } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const again = await c.waitFor((x) => connected(x) && x.cloud_events.effective === true, 15_000, 'enrolled again, cloud events on');
  await flows(again.registration.device_id, '10.51.0.2');
});

test('a device deleted at the exchange (off) and enrolled again sends again', async () => {
  const id = await turnOff();
  assert.equal((await t.api(`/api/v1/devices/${id}`, { method: 'DELETE' })).status, 204);
  await c.waitFor((x) => x.status === 'Revoked', 15_000, 'revoked');
  const r = await c.local('/v1/contexts/default/activations', { method: 'POST', body: { token: await registrationToken(t) } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const ctx = await c.waitFor((x) => connected(x) && x.registration.device_id !== id, 15_000, 'the new device connected');
  const fresh = ctx.registration.device_id as string;
  assert.equal((await t.api(`/api/v1/devices/${fresh}`)).body.cloud_events, true);
  await c.waitFor((x) => x.cloud_events.effective === true, 5_000, 'cloud events on for the new device');
  await flows(fresh, '10.51.0.3');
});

test('off at the exchange while the connector was stopped: it is off when the connector connects again', async () => {
  const id = (await c.waitFor(connected, 20_000, 'connected')).registration.device_id as string;
  assert.equal(await c.kill('SIGTERM'), 0);
  await t.api(`/api/v1/devices/${id}`, { method: 'PATCH', body: { cloud_events: false } });
  c = await startConnector(dir, { exchange: new URL(t.url).host, extra });
  const ctx = await c.waitFor((x) => connected(x) && x.cloud_events.effective === false, 15_000, 'cloud events off after reconnect');
  assert.deepEqual(ctx.cloud_events, { effective: false, local: true, exchange: false });
});
