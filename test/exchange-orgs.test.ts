// Two orgs on one exchange: neither sees nor touches the other's clients, tokens, devices or events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestExchange, cleanup, enrollDevice, registrationToken, DeviceSocket, intrusion, type TestExchange } from './helpers/exchange.js';
import { createOrgWithAdmin } from '../src/exchange/orgs.js';
import { parseRegistrationToken } from '../src/protocol/registration-token.js';

let t: TestExchange;
let tokenB: string;
before(async () => {
  t = await startTestExchange();
  const b = await createOrgWithAdmin(t.ex.ctx.stores, 'org-b');
  tokenB = await t.token(b.clientId, b.clientSecret);
});
after(async () => { await t.close(); cleanup(t.dataDir); });

test('org B sees and touches nothing of org A', async () => {
  const dev = await enrollDevice(t, 'a-sensor');
  const s = await DeviceSocket.connect(dev);
  await s.hello();
  await s.sendBatch(1, [intrusion({ src_ip: '10.77.0.1' }), intrusion({ src_ip: '10.77.0.1' })]);
  s.close();
  const aEvents = await t.api('/api/v1/events?observable=10.77.0.1');
  assert.equal(aEvents.body.data.length, 2);
  const evId = aEvents.body.data[0].id as string;
  const aClient = await t.api('/api/v1/clients', { method: 'POST', body: { name: 'a-only', role: 'analyst' } });
  const aToken = parseRegistrationToken(await registrationToken(t))!.id;

  const asB = (path: string, o: object = {}) => t.api(path, { token: tokenB, ...o });
  assert.deepEqual((await asB('/api/v1/devices')).body.data, []);
  assert.equal((await asB(`/api/v1/devices/${dev.deviceId}`)).status, 404);
  assert.equal((await asB(`/api/v1/devices/${dev.deviceId}`, { method: 'PATCH', body: { name: 'pwned' } })).status, 404);
  assert.equal((await asB(`/api/v1/devices/${dev.deviceId}`, { method: 'DELETE' })).status, 404);
  assert.equal((await asB(`/providers/sse/services/scim/v2/Devices/${dev.deviceId}`, { method: 'DELETE' })).status, 404);
  assert.deepEqual((await asB('/api/v1/events?observable=10.77.0.1')).body.data, []);
  assert.deepEqual((await asB('/api/v1/events')).body.data, []);
  assert.equal((await asB(`/api/v1/events/${evId}`)).status, 404);
  assert.deepEqual((await asB('/api/v1/events/unique')).body.data, []);
  assert.deepEqual((await asB('/api/v1/events/histogram')).body.data, []);
  const bClients = (await asB('/api/v1/clients')).body.data as Array<{ id: string }>;
  assert.ok(!bClients.some((c) => c.id === aClient.body.client_id));
  assert.equal((await asB(`/api/v1/clients/${aClient.body.client_id}`, { method: 'DELETE' })).status, 404);
  const bTokens = (await asB('/api/v1/tokens')).body.data as Array<{ id: string }>;
  assert.ok(!bTokens.some((x) => x.id === aToken));
  assert.equal((await asB(`/api/v1/tokens/${aToken}`, { method: 'DELETE' })).status, 404);

  // A's things are intact after B's attempts
  const d = await t.api(`/api/v1/devices/${dev.deviceId}`);
  assert.equal(d.body.name, 'a-sensor');
  assert.equal((await t.api('/api/v1/tokens')).body.data.find((x: { id: string }) => x.id === aToken).revoked, false);

  // and a device enrolled with B's token lands in B, invisible to A
  const bDev = await enrollDevice(t, 'b-sensor', await registrationToken(t, { expiry: 3600 }, tokenB));
  assert.equal((await t.api(`/api/v1/devices/${bDev.deviceId}`)).status, 404);
  assert.equal((await asB(`/api/v1/devices/${bDev.deviceId}`)).status, 200);
});
