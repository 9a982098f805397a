// A connector behind an HTTP proxy (connector.properties `proxy`): enrollment, the CA fetch and
// the eventing WebSocket all go through CONNECT tunnels, with TLS end to end inside them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestExchange, cleanup, registrationToken, tmpDir, type TestExchange } from './helpers/exchange.js';
import { startConnector, eventually, type ConnectorProc } from './helpers/connector.js';
import { connectProxy } from './helpers/connect-proxy.js';
import { demoAlert } from '../src/connector/demo/simulator.js';

let t: TestExchange;
let c: ConnectorProc | undefined;
const dir = tmpDir('tl-proxy-');
let proxy: Awaited<ReturnType<typeof connectProxy>>;

before(async () => {
  t = await startTestExchange();
  proxy = await connectProxy();
});
after(async () => {
  await c?.kill('SIGKILL');
  proxy?.server.close();
  await t.close();
  cleanup(t.dataDir);
  cleanup(dir);
});

test('enrolls and streams events through the proxy, never around it', async () => {
  const eve = join(dir, 'eve.json');
  writeFileSync(eve, '');
  c = await startConnector(dir, {
    exchange: new URL(t.url).host, token: await registrationToken(t),
    extra: [`proxy=http://127.0.0.1:${proxy.port}`, 'source.ids.type=eve', `source.ids.path=${eve}`],
  });
  const ctx = await c.waitFor((x) => x.status === 'Enrolled' && x.uplink?.state === 'connected', 20_000, 'enrolled and connected');
  // The device's socket ends at the proxy, which tunnels to the exchange.
  assert.equal(ctx.uplink.remote_address, `127.0.0.1:${proxy.port}`);
  const exchange = new URL(t.url).host;
  assert.ok(proxy.asked.length >= 3, proxy.asked.join(', '));
  assert.ok(proxy.asked.every((a) => a === exchange), proxy.asked.join(', '));
  for (let i = 0; i < 5; i++) appendFileSync(eve, JSON.stringify(demoAlert()) + '\n');
  await eventually(async () => (await t.api(`/api/v1/events?device=${ctx.registration.device_id}`)).body.data.length === 5, 20_000, 'five events stored');
});
