// The connector's registration after enrollment: the refresh each registration_interval (the
// exchange hears the host's name and version; the device learns a moved endpoint map, and that
// it was deleted even while its eventing connection cannot get through), deregistration that
// reaches the exchange, and a connector_fqdn edited after enrollment said, not ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { demoAlert } from '../src/connector/demo/simulator.js';
import { join } from 'node:path';
import { startTestExchange, cleanup, registrationToken, tmpDir, enrollDevice, type TestExchange } from './helpers/exchange.js';
import { refreshRegistration, deregisterSelf, RefreshNotServedError, RegistrationGoneError } from '../src/connector/uplink/registration-self.js';
import { startConnector, eventually, type ConnectorProc } from './helpers/connector.js';
import { freePort } from './helpers/process.js';
import { VERSION } from '../src/version.js';
import type { EndpointMap } from '../src/protocol/endpoints.js';

const logOf = (dir: string) => readFileSync(join(dir, 'data', 'connector.log'), 'utf8');

async function enrolled(t: TestExchange, dir: string, exchange = new URL(t.url).host): Promise<{ c: ConnectorProc; id: string }> {
  const c = await startConnector(dir, { exchange });
  const r = await c.local('/v1/contexts/default/activations', { method: 'POST', body: { token: await registrationToken(t) } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const ctx = await c.waitFor((x) => x.status === 'Enrolled', 20_000, 'enrolled');
  return { c, id: ctx.registration.device_id };
}

test('the refresh tells the exchange the host name and version, and takes back a moved endpoint map', async () => {
  const t = await startTestExchange();
  const dir = tmpDir('tl-reg-');
  const port = new URL(t.url).port;
  // Enrolled at localhost: the endpoint map (127.0.0.1) can then move while the address stays.
  const { c, id } = await enrolled(t, dir, `localhost:${port}`);
  try {
    await c.waitFor((x) => x.uplink.state === 'connected', 20_000, 'connected');
    await t.ex.ctx.stores.devices.refreshRegistration(id, { hostname: 'stale-name', version: '0.0.0' }, new Date().toISOString());
    const moved = `wss://localhost:${port}/eventing/v1/ws`;
    assert.notEqual(t.ex.ctx.config.endpoints.eventing, moved);
    t.ex.ctx.config.endpoints = { ...t.ex.ctx.config.endpoints, eventing: moved };
    // registration_interval=10 in the test's properties: one refresh comes within ~10 s.
    const d = await eventually(async () => {
      const r = await t.api(`/api/v1/devices/${id}`);
      return r.body.hostname === 'sensor-under-test' ? r.body : null;
    }, 25_000, 'the refresh to reach the exchange');
    assert.equal(d.version, VERSION);
    const ctx = await c.waitFor((x) => x.registration.endpoints.eventing === moved && x.uplink.state === 'connected', 25_000, 'the moved endpoint taken and connected to');
    assert.equal(ctx.status, 'Enrolled');
    const saved = JSON.parse(readFileSync(join(dir, 'data', 'registration.json'), 'utf8'));
    assert.equal(saved.endpoints.eventing, moved, 'kept across restarts');
    assert.match(logOf(dir), /registration:refresh\] registration refreshed: eventing wss:\/\/127\.0\.0\.1:\d+\/eventing\/v1\/ws → wss:\/\/localhost/);
  } finally {
    await c.kill('SIGKILL');
    await t.close();
    cleanup(t.dataDir); cleanup(dir);
  }
});

test('eventing blocked, device deleted on the exchange: the refresh finds out and says so', async () => {
  const t = await startTestExchange();
  const dir = tmpDir('tl-reg-');
  // Nothing listens there: the API answers, the eventing connection never gets through.
  t.ex.ctx.config.endpoints = { ...t.ex.ctx.config.endpoints, eventing: `wss://127.0.0.1:${await freePort()}/eventing/v1/ws` };
  const { c, id } = await enrolled(t, dir);
  try {
    await c.waitFor((x) => x.uplink.state === 'backoff', 20_000, 'the uplink failing');
    assert.equal((await t.api(`/api/v1/devices/${id}`, { method: 'DELETE' })).status, 204);
    const ctx = await c.waitFor((x) => x.status === 'Revoked', 25_000, 'Revoked from the refresh');
    assert.match(ctx.last_error.message, /registration refresh refused \(403 certificate_revoked.*enroll again/);
    assert.equal((await c.local('/v1/contexts/default/status')).body.status, 'Revoked');
    assert.match(logOf(dir), /level=error msg="\[sensor-under-test\]\[registration\.go:\d+ registration:refresh\] registration refresh refused/);
  } finally {
    await c.kill('SIGKILL');
    await t.close();
    cleanup(t.dataDir); cleanup(dir);
  }
});

test('DELETE /v1/contexts/default removes the device on the exchange; with the exchange down it says what is left', async () => {
  const t = await startTestExchange();
  const dir = tmpDir('tl-reg-');
  const { c, id } = await enrolled(t, dir);
  try {
    assert.equal((await t.api(`/api/v1/devices/${id}`)).status, 200);
    assert.equal((await c.local('/v1/contexts/default', { method: 'DELETE' })).status, 204);
    assert.equal((await t.api(`/api/v1/devices/${id}`)).status, 404, 'no ghost device left on the exchange');
    assert.match(logOf(dir), new RegExp(`device ${id} removed from the exchange`));

    // Enrolled again, then the exchange goes away: the local identity still goes, and the log
    // names the device an admin must delete by hand.
    const token = await registrationToken(t);
    assert.equal((await c.local('/v1/contexts/', { method: 'POST', body: {} })).status, 201);
    const r = await c.local('/v1/contexts/default/activations', { method: 'POST', body: { token } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const second = (await c.waitFor((x) => x.status === 'Enrolled')).registration.device_id;
    await t.close();
    assert.equal((await c.local('/v1/action?type=reset', { method: 'POST' })).status < 300, true);
    assert.equal((await c.local('/v1/contexts/default/status')).body.status, 'Unregistered');
    assert.match(logOf(dir), new RegExp(`could not tell the exchange that device ${second} is leaving \\(dial tcp 127\\.0\\.0\\.1:\\d+: connect: connection refused\\): it still lists the device; delete it there`));
  } finally {
    await c.kill('SIGKILL');
    await t.close().catch(() => undefined);
    cleanup(t.dataDir); cleanup(dir);
  }
});

test('connector_fqdn edited after enrollment: the device stays where it is enrolled, and the log says how to move', async () => {
  const t = await startTestExchange();
  const dir = tmpDir('tl-reg-');
  const { c } = await enrolled(t, dir);
  try {
    await c.kill('SIGTERM');
    const again = await startConnector(dir, { exchange: 'exchange-b.invalid:9443', port: c.port });
    try {
      const ctx = await again.waitFor((x) => x.uplink.state === 'connected', 20_000, 'still connected to the enrolled exchange');
      assert.equal(ctx.status, 'Enrolled');
      assert.match(logOf(dir), /level=warning msg=".*connector_fqdn is exchange-b\.invalid:9443, but this device is enrolled with 127\.0\.0\.1:\d+ and stays with it.*DELETE \/v1\/contexts\/default/);
    } finally {
      await again.kill('SIGKILL');
    }
  } finally {
    await c.kill('SIGKILL');
    await t.close();
    cleanup(t.dataDir); cleanup(dir);
  }
});

test('a registration_token that fails is logged once', async () => {
  const t = await startTestExchange();
  const dir = tmpDir('tl-reg-');
  const c = await startConnector(dir, { exchange: new URL(t.url).host, extra: [`registration_token=${(await registrationToken(t)).replace(/\.[^.]+$/, '.' + 'ab'.repeat(32))}`] });
  try {
    await c.waitFor((x) => x.status === 'Unregistered' && x.last_error, 20_000, 'the failed activation');
    const lines = logOf(dir).split('\n').filter((l) => /registration failed|registration_token failed/.test(l));
    assert.equal(lines.length, 1, lines.join('\n'));
  } finally {
    await c.kill('SIGKILL');
    await t.close();
    cleanup(t.dataDir); cleanup(dir);
  }
});

test('an exchange that does not serve the refresh (older, or not threatlink) is told apart from a refusal', async () => {
  const t = await startTestExchange();
  try {
    const d = await enrollDevice(t);
    const creds = (exchange: string) => ({ key: d.key, cert: d.cert, ca: d.ca, registration: { device_id: d.deviceId, org_id: '', exchange, region: '', endpoints: d.endpoints as EndpointMap, enrolled_at: '', cert_not_after: '' } });
    const here = await refreshRegistration(creds(t.url), { hostname: 'h', version: 'v' });
    assert.equal(here.device_id, d.deviceId);
    // A path prefix under which nothing is routed stands for an exchange without the route.
    await assert.rejects(refreshRegistration(creds(`${t.url}/older`), { hostname: 'h', version: 'v' }), RefreshNotServedError);
    await assert.rejects(deregisterSelf(creds(`${t.url}/older`)), /the exchange answered 404/);
    assert.equal((await t.api(`/api/v1/devices/${d.deviceId}`)).status, 200, 'nothing deregistered there');
    await deregisterSelf(creds(t.url));
    assert.equal((await t.api(`/api/v1/devices/${d.deviceId}`)).status, 404);
    // Deleted already: deregistering again is not an error, refreshing is a refusal.
    await deregisterSelf(creds(t.url));
    await assert.rejects(refreshRegistration(creds(t.url), { hostname: 'h', version: 'v' }), RegistrationGoneError);
  } finally {
    await t.close();
    cleanup(t.dataDir);
  }
});

test('the exchange hears the backlog\'s progress soon after a connect, not one registration_interval later', async () => {
  const t = await startTestExchange();
  const dir = tmpDir('tl-reg-');
  const eve = join(dir, 'eve.json');
  writeFileSync(eve, Array.from({ length: 20 }, () => JSON.stringify(demoAlert())).join('\n') + '\n');
  const c = await startConnector(dir, { exchange: new URL(t.url).host, token: await registrationToken(t), extra: ['registration_interval=600', 'source.ids.type=eve', `source.ids.path=${eve}`] });
  try {
    const ctx = await c.waitFor((x) => x.counters.events_acked === 20, 20_000, 'the backlog acked');
    const id = ctx.registration.device_id;
    // The hello's heartbeat went before the backlog; the next regular one is 10 minutes away.
    const d = await eventually(async () => {
      const r = await t.api(`/api/v1/devices/${id}`);
      return r.body.status?.counters?.acked === 20 ? r.body : null;
    }, 15_000, 'a heartbeat with the acked backlog');
    assert.equal(d.status.counters.read, 20);
  } finally {
    await c.kill('SIGKILL');
    await t.close();
    cleanup(t.dataDir); cleanup(dir);
  }
});
