// The verdict line names the root cause, not the first failing check in the note's order: after
// a first enrollment that failed on the way to the exchange (a name that does not resolve,
// another exchange's CA), "enroll with a token" would fail the same way again; with
// connector_port held by another program the connector never started at all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestExchange, registrationToken, tmpDir, cleanup, type TestExchange } from './helpers/exchange.js';
import { startConnector, propertiesText, type ConnectorProc } from './helpers/connector.js';
import { runCliToEnd } from './helpers/process.js';
import { runDoctor, expectCheck, summary } from './helpers/doctor.js';

let t: TestExchange;
const dirs: string[] = [];
const stops: Array<() => unknown> = [];
before(async () => { t = await startTestExchange(); });
after(async () => {
  for (const s of stops.reverse()) await Promise.resolve(s()).catch(() => {});
  await t.close();
  cleanup(t.dataDir);
  for (const d of dirs) cleanup(d);
});

function dir(): string {
  const d = tmpDir('tl-verdict-');
  dirs.push(d);
  return d;
}

async function failedEnrollment(exchange: string, token: string): Promise<ConnectorProc> {
  // The properties' registration_token, as a service enrolls unattended: the connector stays
  // up with the failure in its state (a --token that fails ends the command instead).
  const c = await startConnector(dir(), { exchange, extra: [`registration_token=${token}`] });
  stops.push(() => c.kill());
  await c.waitFor((x) => x.status === 'Unregistered' && x.last_error, 15_000, 'the enrollment failed');
  return c;
}

test('first enrollment against a name that does not resolve: the verdict is DNS, not "enroll again"', async () => {
  const host = 'exchange.tl-verdict.invalid';
  const c = await failedEnrollment(`${host}:443`, await registrationToken(t));
  const r = await runDoctor(c.props);
  assert.match(r.verdict, /^fail: registration: the connector is Unregistered because its enrollment failed: .*does not resolve: DNS/, summary(r));
  assert.match(r.verdict, new RegExp(`remedy: make ${host.replace(/\./g, '\\.')} resolvable`));
  assert.doesNotMatch(r.verdict, /remedy: enroll with a registration token/);
  expectCheck(r, 'registration', ['fail'], /no such host/);
});

test('first enrollment against an exchange with another CA: the verdict is the CA mismatch', async () => {
  const other = await startTestExchange();
  stops.push(async () => { await other.close(); cleanup(other.dataDir); });
  const c = await failedEnrollment(new URL(other.url).host, await registrationToken(t));
  const r = await runDoctor(c.props);
  assert.match(r.verdict, /^fail: registration: the connector is Unregistered because its enrollment failed: .*certificate connectorCA\.pem does not vouch for/, summary(r));
  assert.match(r.verdict, /remedy: exempt .* from TLS inspection, or point connector_fqdn at the exchange that issued/);
});

test('connector_port held by another program: the verdict is local_api naming it, not "never enrolled"', async () => {
  const squatter = net.createServer((s) => s.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nhi'));
  await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
  stops.push(() => squatter.close());
  const port = (squatter.address() as net.AddressInfo).port;
  const d = dir();
  const props = join(d, 'connector.properties');
  writeFileSync(props, propertiesText({ exchange: new URL(t.url).host, port, dir: d }));
  const run = await runCliToEnd(['connector', '--config', props, '--token', await registrationToken(t)]);
  assert.notEqual(run.code, 0, 'the connector cannot start');
  // Why, where the note's reader looks; and no pid file left to be taken for a crash.
  const logged = readFileSync(join(d, 'data', 'connector.log'), 'utf8');
  assert.match(logged, new RegExp(`level=error msg=".*local API cannot listen on connector_port ${port}: listen tcp 127\\.0\\.0\\.1:${port}: bind: address already in use`));
  assert.equal(existsSync(join(d, 'data', 'connector.pid')), false);
  const r = await runDoctor(props);
  assert.match(r.verdict, new RegExp(`^fail: local_api: something other than the connector answers on ${port}`), summary(r));
  assert.match(r.verdict, /set another connector_port/);
  expectCheck(r, 'registration', ['fail'], /never enrolled/);
});
