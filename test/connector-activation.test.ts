// Activation through the local API; a token whose CA fingerprint does not match the exchange
// it reaches is refused before anything is sent, and the connector says why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestExchange, cleanup, registrationToken, tmpDir, enroll, type TestExchange } from './helpers/exchange.js';
import { startConnector, type ConnectorProc } from './helpers/connector.js';

let a: TestExchange;
let b: TestExchange;
let dir: string;
let c: ConnectorProc;
before(async () => {
  a = await startTestExchange();
  b = await startTestExchange();
  dir = tmpDir('tl-act-');
  // The connector points at B, but will be handed A's token.
  c = await startConnector(dir, { exchange: new URL(b.url).host });
});
after(async () => {
  await c.kill('SIGKILL');
  await a.close(); await b.close();
  cleanup(a.dataDir); cleanup(b.dataDir); cleanup(dir);
});

test('starts Unregistered; contexts and tenant say so', async () => {
  assert.equal((await c.local('/v1/contexts/default/status')).body.status, 'Unregistered');
  assert.equal((await c.local('/v1/contexts/default/tenant')).status, 404);
  const ctxs = await c.local('/v1/contexts');
  assert.equal(ctxs.status, 200);
  const dup = await c.local('/v1/contexts/', { method: 'POST', body: { settings: { exchange: { fqdn: 'x:1' } } } });
  assert.equal(dup.status, 409);
});

test('a token from another exchange: refused with the reason, nothing enrolled', async () => {
  const foreign = await registrationToken(a);
  const r = await c.local('/v1/contexts/default/activations', { method: 'POST', body: { token: foreign } });
  assert.equal(r.status, 422);
  assert.equal(r.body.error, 'ca_mismatch');
  assert.match(r.body.message, /expects sha256:[0-9a-f]{64}/);
  assert.match(r.body.message, /interception/);
  assert.equal(r.body.status, 'Unregistered');
  assert.equal((await b.api('/api/v1/devices')).body.data.length, 0, 'B enrolled nothing');
  assert.equal((await a.api('/api/v1/devices')).body.data.length, 0, 'A enrolled nothing');
  assert.ok(!existsSync(join(dir, 'data', 'device.crt')));
  const ctx = (await c.local('/v1/contexts/default')).body;
  assert.match(ctx.last_error.message, /ca_mismatch|expects sha256/);
  assert.match(readFileSync(join(dir, 'data', 'connector.log'), 'utf8'), /registration failed: .*expects sha256/);
});

test('the right token enrolls; DELETE deregisters', async () => {
  const token = await registrationToken(b);
  const r = await c.local('/v1/contexts/default/activations', { method: 'POST', body: { token } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.status, 'Enrolled');
  assert.equal((await c.local('/v1/contexts/default/status')).body.status, 'Enrolled');
  // The refused token of the test before is over: a healthy device shows no error in red.
  assert.equal((await c.local('/v1/contexts/default')).body.last_error, null);
  const again = await c.local('/v1/contexts/default/activations', { method: 'POST', body: { token } });
  assert.equal(again.status, 409);
  const used = await registrationToken(b);
  assert.ok(used);
  assert.equal((await c.local('/v1/contexts/default', { method: 'DELETE' })).status, 204);
  assert.equal((await c.local('/v1/contexts/default/status')).body.status, 'Unregistered');
  assert.ok(!existsSync(join(dir, 'data', 'device.key')));
});

/** A POST as curl -d sends it: the body as given, labelled form-encoded unless told otherwise. */
async function post(path: string, body: string, contentType = 'application/x-www-form-urlencoded') {
  const r = await fetch(`http://127.0.0.1:${c.port}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: r.status, body: (await r.json()) as any };
}

test('the README\'s curl -d \'{"token":…}\' (JSON text, form-encoded) enrolls', async () => {
  const token = await registrationToken(b);
  const r = await post('/v1/contexts/default/activations', JSON.stringify({ token }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.status, 'Enrolled');
  assert.equal((await c.local('/v1/contexts/default', { method: 'DELETE' })).status, 204);
});

test('a real form, curl -d token=…, enrolls', async () => {
  const token = await registrationToken(b);
  const r = await post('/v1/contexts/default/activations', new URLSearchParams({ token }).toString());
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.status, 'Enrolled');
  assert.equal((await c.local('/v1/contexts/default', { method: 'DELETE' })).status, 204);
});

test('bad bodies get the stable codes, never Fastify\'s, with a message naming what was wrong', async () => {
  const cases: Array<[string, string | undefined, number, string, RegExp]> = [
    ['{"token": ', 'application/json', 400, 'bad_request', /JSON/],
    ['{"token": ', undefined, 400, 'bad_request', /starts with "\{" but is not JSON/],
    ['{}', 'application/json', 400, 'bad_request', /token/],
    ['nothing=here', undefined, 400, 'bad_request', /token/],
    ['<token/>', 'application/xml', 415, 'unsupported_media_type', /application\/xml/],
  ];
  for (const [body, type, status, code, message] of cases) {
    const r = await post('/v1/contexts/default/activations', body, type);
    const what = `${type ?? 'form'} ${body}: ${JSON.stringify(r.body)}`;
    assert.equal(r.status, status, what);
    assert.equal(r.body.error, code, what);
    assert.match(r.body.message, message, what);
  }
  assert.equal((await c.local('/v1/contexts/default/status')).body.status, 'Unregistered');
});

/** `threatlink connector --config F --token T` on a fresh data dir, run to its end (or killed
 * after 30 s: a refused token must not leave it running). */
async function connectorWithToken(token: string, o: { exchange?: string; env?: boolean } = {}) {
  const { runCliToEnd, freePort } = await import('./helpers/process.js');
  const { propertiesText } = await import('./helpers/connector.js');
  const d = tmpDir('tl-act-cli-');
  dirs.push(d);
  const props = join(d, 'connector.properties');
  const text = propertiesText({ exchange: o.exchange ?? new URL(b.url).host, port: await freePort(), dir: d });
  writeFileSync(props, o.exchange === '' ? text.replace(/^connector_fqdn=.*\n/m, '') : text);
  const r = o.env
    ? await runCliToEnd(['connector', '--config', props], { THREATLINK_CONNECTOR_TOKEN: token }, 30_000)
    : await runCliToEnd(['connector', '--config', props, '--token', token], {}, 30_000);
  assert.equal(r.timedOut, false, `still running 30 s after a refused --token; stdout: ${r.stdout}`);
  assert.equal(r.code, 1, r.stderr);
  assert.doesNotMatch(r.stdout, /local API/, 'no "running" line for a connector that is not');
  assert.ok(!existsSync(join(d, 'data', 'device.key')), 'nothing enrolled');
  assert.ok(!existsSync(join(d, 'data', 'connector.pid')), 'the pid lock released');
  return r;
}
const dirs: string[] = [];
after(() => { for (const d of dirs) cleanup(d); });

test('connector --token with a token of another exchange: the CA mismatch on stderr, exit 1', async () => {
  const r = await connectorWithToken(await registrationToken(a));
  assert.match(r.stderr, /enrollment with --token failed \(ca_mismatch\): .*expects sha256:[0-9a-f]{64}.*interception/);
});

test('connector --token with a used token: the exchange\'s refusal on stderr, exit 1', async () => {
  const token = await registrationToken(b);
  assert.equal((await enroll(b, token)).r.status, 201);
  const r = await connectorWithToken(token);
  assert.match(r.stderr, /enrollment with --token failed \(token_used\): enrollment refused \(401 token_used\)/);
});

test('connector --token garbage: the token\'s expected form on stderr, exit 1', async () => {
  const r = await connectorWithToken('garbage');
  assert.match(r.stderr, /\(token_malformed\): the registration token is not of the form tlr1\./);
});

test('THREATLINK_CONNECTOR_TOKEN (how `threatlink service` hands a restart its token) is taken as --token is', async () => {
  const r = await connectorWithToken('garbage', { env: true });
  assert.match(r.stderr, /\(token_malformed\): the registration token is not of the form tlr1\./);
});

test('connector --token without connector_fqdn: what to set on stderr, exit 1', async () => {
  const r = await connectorWithToken(await registrationToken(b), { exchange: '' });
  assert.match(r.stderr, /\(no_exchange\): no exchange configured: set connector_fqdn/);
});

test('an unknown action is a 400 naming what is allowed', async () => {
  const r = await c.local('/v1/action?type=explode', { method: 'POST' });
  assert.equal(r.status, 400);
  assert.match(r.body.message, /shutdown, reset/);
});

test('a second connector on the same data_dir refuses to start and names the first', async () => {
  const { runCliToEnd } = await import('./helpers/process.js');
  const r = await runCliToEnd(['connector', '--config', c.props]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`another connector \\(pid ${c.run.child.pid}\\)`));
  // Its hint is a command that exists and stops the first one when run as printed.
  const hint = /stop it first: (threatlink service disable connector --config (\S+)) /.exec(r.stderr);
  assert.ok(hint, r.stderr);
  assert.equal(hint[2], c.props);
  const stop = await runCliToEnd(hint[1]!.split(' ').slice(1));
  assert.equal(stop.code, 0, stop.stderr);
  assert.equal(await c.run.exited, 0, 'the first connector stopped cleanly');
});
