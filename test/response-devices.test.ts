// The devices response module end to end: a real exchange, two real connector processes in one
// org (one killed at first), block / unblock triggered through the module and the iroh trigger
// route, files written and acked by the online sensor, the action kept across an exchange
// restart and delivered, in order, to the sensor that comes back; org isolation and roles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildConfig } from '../src/exchange/config.js';
import { startThreatlink, type Threatlink } from '../src/threatlink.js';
import { createOrgWithAdmin } from '../src/exchange/orgs.js';
import { ADMIN_ID, ADMIN_SECRET, cleanup, tmpDir } from './helpers/exchange.js';
import { https, accessToken, registrationTokenAt, type HttpsOptions, type HttpsResult } from './helpers/https.js';
import { freePort } from './helpers/process.js';
import { startConnector, eventually, type ConnectorProc } from './helpers/connector.js';

const IP = '203.0.113.80';
const DOMAIN = 'c2.bad-domain.example';
const HASH = `${'0f'.repeat(31)}e1`;

/** An exchange on a fixed port, so the connectors find it again after a restart. */
interface Server { ex: Threatlink; url: string; ca: string; api<T = any>(path: string, o?: HttpsOptions): Promise<HttpsResult<T>> }

async function startAt(dataDir: string, port: number): Promise<Server> {
  const ex = await startThreatlink(buildConfig({ dataDir, listen: `127.0.0.1:${port}` }, {}), {
    logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
    env: { THREATLINK_BOOTSTRAP_CLIENT_ID: ADMIN_ID, THREATLINK_BOOTSTRAP_CLIENT_SECRET: ADMIN_SECRET },
  });
  const ca = ex.ctx.ca.certPem;
  const admin = await accessToken(ex.url, ca, ADMIN_ID, ADMIN_SECRET);
  return { ex, url: ex.url, ca, api: (path, o = {}) => https(`${ex.url}${path}`, { ca, token: admin, ...o }) };
}

let dataDir: string;
let port: number;
let s: Server;
let orgId: string;
const dirs: string[] = [];
let a: ConnectorProc;
let b: ConnectorProc;
let idA: string;
let idB: string;

async function enrolled(dir: string): Promise<{ c: ConnectorProc; id: string }> {
  const token = await registrationTokenAt(s.url, s.ca, (await accessToken(s.url, s.ca, ADMIN_ID, ADMIN_SECRET)));
  const c = await startConnector(dir, { exchange: new URL(s.url).host, token });
  const ctx = await c.waitFor((x) => x.status === 'Enrolled' && x.uplink?.state === 'connected', 20_000, 'enrolled and connected');
  return { c, id: ctx.registration.device_id };
}

const lists = (c: ConnectorProc, f: string) => readFileSync(join(c.dir, 'data', 'blocklists', f), 'utf8');

async function trigger(action: string, type: string, value: string) {
  const rc = s.ex.response.context();
  const m = await rc.modules.module(orgId, 'builtin-devices');
  assert.ok(m?.trigger, 'every org has the built-in devices module');
  return m.trigger(action, { observable_type: type, observable_value: value }, { orgId, signal: new AbortController().signal, clientId: 'response-devices-test' });
}

async function actions(): Promise<any[]> {
  const r = await s.api('/api/v1/response-actions');
  assert.equal(r.status, 200, r.text);
  return r.body.data;
}

const stateOf = (act: any, device: string) => act.devices.find((d: any) => d.device_id === device)?.state;

before(async () => {
  dataDir = tmpDir('tl-devices-');
  port = await freePort();
  s = await startAt(dataDir, port);
  orgId = (await s.api('/iroh/profile/whoami')).body.user['org-id'];
  for (let i = 0; i < 2; i++) dirs.push(tmpDir('tl-devices-conn-'));
  ({ c: a, id: idA } = await enrolled(dirs[0]!));
  ({ c: b, id: idB } = await enrolled(dirs[1]!));
  await b.kill('SIGKILL');
  await eventually(async () => !s.ex.ctx.connections.isConnected(idB), 10_000, 'sensor B disconnected');
});
after(async () => {
  await a?.kill('SIGKILL');
  await b?.kill('SIGKILL');
  await s?.ex.close();
  cleanup(dataDir);
  for (const d of dirs) cleanup(d);
});

test('respond offers block and unblock for the types a sensor can block, and nothing else', async () => {
  const r = await s.api('/iroh/iroh-response/respond/observables', { method: 'POST', body: [{ type: 'domain', value: DOMAIN }] });
  assert.equal(r.status, 200, r.text);
  const mine = r.body.data.filter((x: any) => x.module_instance_id === 'builtin-devices');
  assert.deepEqual(mine.map((x: any) => [x.id, x.title]), [['block', 'Block on sensors'], ['unblock', 'Unblock']]);
  assert.deepEqual(mine[0]['query-params'], { observable_type: 'domain', observable_value: DOMAIN });
  assert.equal(mine[0].module_type_id, 'threatlink.devices');
  const two = await s.api('/iroh/iroh-response/respond/observables', { method: 'POST', body: [{ type: 'ip', value: IP }, { type: 'sha256', value: HASH }] });
  const both = two.body.data.filter((x: any) => x.module_instance_id === 'builtin-devices');
  assert.deepEqual(both.map((x: any) => `${x.id} ${x['query-params'].observable_type}`).sort(), ['block ip', 'block sha256', 'unblock ip', 'unblock sha256']);
  const email = await s.api('/iroh/iroh-response/respond/observables', { method: 'POST', body: [{ type: 'email', value: 'a@evil.example' }] });
  assert.equal(email.body.data.filter((x: any) => x.module_instance_id === 'builtin-devices').length, 0);
});

test('block goes to the connected sensor at once: files written, acked ok; the killed one stays pending', async () => {
  const ip = await trigger('block', 'ip', IP);
  assert.equal(ip.status, 'success', ip.detail);
  assert.match(ip.detail!, /for 2 device\(s\); 1 connected now/);
  // The domain through the iroh trigger route, as a CTR client does it.
  const offered = (await s.api('/iroh/iroh-response/respond/observables', { method: 'POST', body: [{ type: 'domain', value: DOMAIN }] }))
    .body.data.find((x: any) => x.module_instance_id === 'builtin-devices' && x.id === 'block');
  const q = new URLSearchParams(offered['query-params']).toString();
  const viaHttp = await s.api(`/iroh/iroh-response/respond/trigger/${offered.module}/block?${q}`, { method: 'POST' });
  assert.equal(viaHttp.status, 200, viaHttp.text);
  assert.equal(viaHttp.body.data.status, 'success', viaHttp.text);

  const list = await eventually(async () => {
    const l = await actions();
    return l.length === 2 && l.every((x) => stateOf(x, idA) === 'ok') ? l : null;
  }, 20_000, 'sensor A acked both');
  // newest first
  assert.deepEqual(list.map((x) => [x.type, x.observable.type, x.observable.value]), [['block', 'domain', DOMAIN], ['block', 'ip', IP]]);
  for (const x of list) {
    assert.equal(stateOf(x, idB), 'pending');
    assert.deepEqual(x.counts, { pending: 1, sent: 0, ok: 1, error: 0 });
  }
  assert.equal(list[1].created_by, 'response-devices-test');
  assert.equal(list[0].created_by, ADMIN_ID, 'the route records the API client');
  assert.match(list[1].devices.find((d: any) => d.device_id === idA).detail, /ip 203\.0\.113\.80 added/);

  assert.equal(lists(a, 'ip.txt'), `${IP}\n`);
  assert.equal(lists(a, 'domain.txt'), `${DOMAIN}\n`);
  assert.equal(lists(a, 'iprep/threatlink.list'), `${IP},1,127\n`);
  assert.equal(Buffer.from(lists(a, 'domain.lst').trim(), 'base64').toString(), DOMAIN);
  const snap = (await a.local('/v1/contexts/default')).body;
  assert.deepEqual(snap.blocklist.counts, { ip: 1, ipv6: 0, domain: 1, url: 0, sha256: 0 });
  const log = readFileSync(join(a.dir, 'data', 'connector.log'), 'utf8');
  assert.match(log, /level=info msg="\[sensor-under-test\]\[blocklist\.go:\d+ blocklist:write\] block ip 203\.0\.113\.80 \(action [0-9a-f-]{36}\): added; 1 ip value\(s\) blocked"/);
});

test('block then unblock while a sensor is away; an exchange restart keeps every action', async () => {
  assert.equal((await trigger('block', 'sha256', HASH)).status, 'success');
  assert.equal((await trigger('unblock', 'sha256', HASH)).status, 'success');
  await eventually(async () => (await actions()).every((x) => stateOf(x, idA) === 'ok'), 20_000, 'sensor A acked all');
  assert.equal(lists(a, 'sha256.txt'), '');

  await s.ex.close();
  s = await startAt(dataDir, port);
  const kept = await actions();
  assert.equal(kept.length, 4);
  assert.ok(kept.every((x) => stateOf(x, idB) === 'pending' && stateOf(x, idA) === 'ok'), JSON.stringify(kept));
  await eventually(async () => s.ex.ctx.connections.isConnected(idA), 30_000, 'sensor A reconnected after the restart');
});

test('the sensor that comes back gets every action, in the order they were made, and acks', async () => {
  b = await startConnector(dirs[1]!, { exchange: new URL(s.url).host });
  const all = await eventually(async () => {
    const l = await actions();
    return l.every((x) => stateOf(x, idB) === 'ok') ? l : null;
  }, 30_000, 'sensor B acked everything');
  assert.ok(all.every((x) => x.counts.ok === 2));
  assert.equal(lists(b, 'ip.txt'), `${IP}\n`);
  assert.equal(lists(b, 'domain.txt'), `${DOMAIN}\n`);
  // block then unblock came in that order: the hash is not blocked
  assert.equal(lists(b, 'sha256.txt'), '');
  assert.equal(lists(b, 'sha256.lst'), '');
  const log = readFileSync(join(b.dir, 'data', 'connector.log'), 'utf8');
  const order = [...log.matchAll(/blocklist:write\] (block|unblock) (\S+) /g)].map((m) => `${m[1]} ${m[2]}`);
  assert.deepEqual(order, ['block ip', 'block domain', 'block sha256', 'unblock sha256']);
  // A reconnect of A (after the restart) resent nothing it had acked.
  const logA = readFileSync(join(a.dir, 'data', 'connector.log'), 'utf8');
  assert.equal([...logA.matchAll(/blocklist:write\] block ip /g)].length, 1);
});

test('unblock removes the value on every sensor', async () => {
  const r = await trigger('unblock', 'ip', IP);
  assert.match(r.detail!, /2 connected now/);
  await eventually(async () => {
    const l = await actions();
    return l[0].type === 'unblock' && l[0].counts.ok === 2;
  }, 20_000, 'both acked the unblock');
  for (const c of [a, b]) {
    assert.equal(lists(c, 'ip.txt'), '');
    assert.equal(lists(c, 'iprep/threatlink.list'), '');
    assert.equal(lists(c, 'domain.txt'), `${DOMAIN}\n`);
  }
});

test('one action, and one device\'s actions, by id', async () => {
  const [newest] = await actions();
  const one = await s.api(`/api/v1/response-actions/${newest.id}`);
  assert.equal(one.status, 200);
  assert.deepEqual(one.body, newest);
  assert.equal((await s.api('/api/v1/response-actions/nope')).status, 404);
  const dev = await s.api(`/api/v1/devices/${idB}/response-actions`);
  assert.equal(dev.status, 200, dev.text);
  assert.equal(dev.body.data.length, 5);
  assert.deepEqual(dev.body.data.map((x: any) => x.state), ['ok', 'ok', 'ok', 'ok', 'ok']);
  assert.equal(dev.body.data[0].id, newest.id);
  assert.equal((await s.api('/api/v1/devices/nope/response-actions')).status, 404);
  const limited = await s.api('/api/v1/response-actions?limit=2');
  assert.equal(limited.body.data.length, 2);
  assert.equal((await s.api('/api/v1/response-actions?limit=0')).status, 400);
});

test('a read-only client reads them; another org sees none and cannot block on these sensors', async () => {
  const c = await s.api('/api/v1/clients', { method: 'POST', body: { name: 'ro', role: 'read-only' } });
  const ro = await accessToken(s.url, s.ca, c.body.client_id, c.body.client_secret);
  assert.equal((await s.api('/api/v1/response-actions', { token: ro })).body.data.length, 5);
  assert.equal((await s.api('/iroh/iroh-response/respond/trigger/builtin-devices/block?observable_type=ip&observable_value=192.0.2.1', { method: 'POST', token: ro })).status, 403);

  const other = await createOrgWithAdmin(s.ex.ctx.stores, 'org-b');
  const tb = await accessToken(s.url, s.ca, other.clientId, other.clientSecret);
  const [newest] = await actions();
  assert.deepEqual((await s.api('/api/v1/response-actions', { token: tb })).body, { data: [] });
  assert.equal((await s.api(`/api/v1/response-actions/${newest.id}`, { token: tb })).status, 404);
  assert.equal((await s.api(`/api/v1/devices/${idA}/response-actions`, { token: tb })).status, 404);
  const t = await s.api('/iroh/iroh-response/respond/trigger/builtin-devices/block?observable_type=ip&observable_value=192.0.2.1', { method: 'POST', token: tb });
  assert.equal(t.status, 200, t.text);
  assert.equal(t.body.data.status, 'failure');
  assert.match(t.body.data.detail, /no devices/);
  assert.equal((await actions()).length, 5, 'nothing was made in org A');
  assert.equal(lists(a, 'ip.txt'), '');
});

test('a bad trigger is a failure that names the problem, and makes no action', async () => {
  assert.match((await trigger('isolate', 'ip', IP)).detail!, /offers block and unblock/);
  assert.match((await trigger('block', 'ip', '10.0.0.1\n0.0.0.0')).detail!, /not a valid ip/);
  assert.match((await trigger('block', 'email', 'a@evil.example')).detail!, /cannot be blocked/);
  assert.equal((await actions()).length, 5);
});

test('a sensor enrolled after the actions gets them all and ends up with the org\'s lists', async () => {
  dirs.push(tmpDir('tl-devices-conn-'));
  const { c, id } = await enrolled(dirs[2]!);
  try {
    await eventually(async () => (await actions()).every((x) => stateOf(x, id) === 'ok'), 20_000, 'the new sensor acked every earlier action');
    assert.equal(lists(c, 'domain.txt'), `${DOMAIN}\n`, 'still blocked in the org');
    assert.equal(lists(c, 'ip.txt'), '', 'blocked, then unblocked');
    assert.equal(lists(c, 'sha256.txt'), '', 'blocked, then unblocked');
  } finally {
    await c.kill('SIGKILL');
  }
});
