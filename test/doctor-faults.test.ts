// The fault matrix: each fault the troubleshooting note describes, made for real — dropped
// SYNs in a network namespace, a closed port, a name that does not resolve, an exchange with
// another CA, a missing or unattached sensor socket, cloud events off, an expired token, a
// deleted device, an exchange whose clock runs 10 minutes ahead (faketime), a full spool — and
// `threatlink doctor --json` must name it, by its stable check id, in under 10 s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Push } from 'zeromq';
import { startTestExchange, cleanup, registrationToken, tmpDir, intrusion, ADMIN_ID, ADMIN_SECRET, type TestExchange } from './helpers/exchange.js';
import { startConnector, propertiesText, eventually, type ConnectorProc } from './helpers/connector.js';
import { freePort } from './helpers/process.js';
import { startExchangeAt, ADMIN_ENV } from './helpers/exchange-at.js';
import { startWrapped, type Wrapped } from './helpers/wrapped-cli.js';
import { makeNetns, netnsUnavailable, droppedSyns } from './helpers/netns.js';
import { runDoctor, expectCheck, expectNamed, summary, DOCTOR_BUDGET_MS, type DoctorRun } from './helpers/doctor.js';
import { issueRegistrationToken } from '../src/exchange/api/registration-tokens.js';
import { ExchangeCa } from '../src/exchange/pki/ca.js';
import { demoAlert } from '../src/connector/demo/simulator.js';

let t: TestExchange;
const dirs: string[] = [];
const stops: Array<() => Promise<unknown> | unknown> = [];
const timings: Array<[string, number]> = [];

before(async () => {
  t = await startTestExchange();
});
after(async () => {
  for (const s of stops.reverse()) await Promise.resolve(s()).catch(() => {});
  await t.close();
  cleanup(t.dataDir);
  for (const d of dirs) cleanup(d);
  // The per-fault times, for the record (the assertion is in each test).
  process.stdout.write(`doctor run per fault (budget ${DOCTOR_BUDGET_MS} ms):\n${timings.map(([k, ms]) => `  ${k.padEnd(28)} ${Math.round(ms)} ms`).join('\n')}\n`);
});

function dir(prefix: string): string {
  const d = tmpDir(`tl-fault-${prefix}-`);
  dirs.push(d);
  return d;
}

async function connector(d: string, exchange: string, o: { token?: string; extra?: string[] } = {}): Promise<ConnectorProc> {
  const c = await startConnector(d, { exchange, ...o });
  stops.push(() => c.kill('SIGKILL'));
  return c;
}

async function enrolledConnector(name: string, o: { exchange?: TestExchange; extra?: string[]; connected?: boolean } = {}): Promise<ConnectorProc> {
  const ex = o.exchange ?? t;
  const c = await connector(dir(name), new URL(ex.url).host, { token: await registrationToken(ex), extra: o.extra });
  await c.waitFor((x) => x.status === 'Enrolled' && (o.connected === false || x.uplink?.state === 'connected'), 20_000, 'enrolled and connected');
  return c;
}

async function doctor(name: string, config: string, o: { wrapper?: string[]; args?: string[] } = {}): Promise<DoctorRun> {
  const d = await runDoctor(config, o);
  timings.push([name, d.ms]);
  // DOCTOR_FAULTS_VERBOSE=1: every report, to read what the doctor says for each fault.
  if (process.env.DOCTOR_FAULTS_VERBOSE) process.stdout.write(`--- ${name}\n${summary(d)}\n`);
  return d;
}

const api = ['--client-id', ADMIN_ID, '--client-secret', ADMIN_SECRET];

test('healthy: sensor socket attached, events acknowledged — every check ok', async (tt) => {
  const d = dir('healthy');
  const sock = join(d, 'EventHandler_SSEConnector.sock');
  // The sensor binds first, as Firepower's EventHandler does before the connector starts.
  const sensor = new Push();
  await sensor.bind(`ipc://${sock}`);
  stops.push(() => sensor.close());
  writeFileSync(join(d, 'eve.json'), '');
  const c = await connector(d, new URL(t.url).host, {
    token: await registrationToken(t),
    extra: ['source.fmc.type=zmq', `source.fmc.endpoint=ipc://${sock}`, 'source.ids.type=eve', `source.ids.path=${join(d, 'eve.json')}`],
  });
  await c.waitFor((x) => x.uplink?.state === 'connected' && x.sources.find((s: any) => s.name === 'fmc')?.state === 'attached', 20_000, 'connected and attached');
  for (let i = 0; i < 5; i++) await sensor.send(JSON.stringify(intrusion()));
  await c.waitFor((x) => x.counters.events_acked >= 5, 20_000, 'five events acknowledged');
  const r = await doctor('healthy', c.props, { args: api });
  tt.diagnostic(`${Math.round(r.ms)} ms`);
  assert.ok(r.ms < DOCTOR_BUDGET_MS, `${Math.round(r.ms)} ms`);
  const bad = r.checks.filter((x) => x.status === 'warn' || x.status === 'fail');
  assert.deepEqual(bad.map((x) => x.id), [], summary(r));
  assert.equal(r.code, 0);
  for (const id of ['properties', 'cloud_events', 'registration', 'certificate', 'clock', 'dns.api', 'tcp.eventing', 'tls.eventing', 'http.api',
    'local_api', 'process', 'ipc_socket.fmc', 'uplink_tcp', 'event_flow', 'spool', 'log', 'exchange_view']) {
    expectCheck(r, id, ['ok', 'skip']);
  }
  expectCheck(r, 'uplink_tcp', ['ok'], /ESTABLISHED/);
  expectCheck(r, 'ipc_socket.fmc', ['ok'], /LISTENING/);
});

test('egress blocked: SYNs to the exchange dropped by nft in a network namespace → tcp.eventing timed out, uplink SYN_SENT', async (tt) => {
  const why = netnsUnavailable();
  if (why) {
    // CI installs iproute2 and nftables and runs as root: there, a skip would hide the fault.
    if (process.env.CI === 'true') throw new Error(`CI needs network namespaces: ${why}`);
    tt.skip(why);
    return;
  }
  const ns = makeNetns();
  stops.push(() => ns.close());
  const ex = await startExchangeAt({ listen: `${ns.hostAddr}:0` });
  stops.push(() => ex.close());
  dirs.push(ex.dataDir);
  const port = Number(new URL(ex.url).port);
  const d = dir('egress');
  const props = join(d, 'connector.properties');
  writeFileSync(props, propertiesText({ exchange: `${ns.hostAddr}:${port}`, port: await freePort(), dir: d }));
  const inNs = (args: string[]) => startWrapped(ns.exec, ['connector', '--config', props, ...args], {}, /local API/);
  // Enrolled and online first, while the path is open ...
  let c: Wrapped = await inNs(['--token', await registrationToken(ex)]);
  stops.push(() => c.stop());
  await eventually(async () => (await ex.api('/api/v1/devices')).body.data.some((x: any) => x.connected), 20_000, 'the device online');
  await c.stop();
  // ... then the firewall drops every SYN to the exchange's port, and the connector starts again.
  ns.dropSyn(ns.hostAddr, port);
  c = await inNs([]);
  stops.push(() => c.stop());
  await eventually(async () => synSent(c.child.pid as number, port), 15_000, 'the uplink in SYN_SENT');
  const r = await doctor('egress blocked', props, { wrapper: ns.exec });
  tt.diagnostic(`${Math.round(r.ms)} ms; ${droppedSyns(ns)} SYNs dropped`);
  expectNamed(r);
  expectCheck(r, 'tcp.eventing', ['fail'], /timed out/i);
  expectCheck(r, 'uplink_tcp', ['fail'], /SYN_SENT/);
  assert.ok(droppedSyns(ns) > 0, 'the rule did drop SYNs');
});

/** A SYN_SENT socket to `port` in the pid's network namespace (/proc/<pid>/net/tcp, state 02). */
function synSent(pid: number, port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync(`/proc/${pid}/net/tcp`, 'utf8').split('\n').slice(1)
    .some((l) => { const f = l.trim().split(/\s+/); return f[3] === '02' && f[2]?.endsWith(`:${hexPort}`); });
}

test('port refused: nothing listens on the exchange port any more → tcp.* fail, refused', async (tt) => {
  const ex = await startTestExchange();
  dirs.push(ex.dataDir);
  const c = await enrolledConnector('refused', { exchange: ex });
  await ex.close();
  await c.waitFor((x) => x.uplink?.state !== 'connected', 10_000, 'the uplink down');
  const r = await doctor('port refused', c.props);
  tt.diagnostic(`${Math.round(r.ms)} ms`);
  expectNamed(r);
  expectCheck(r, 'tcp.eventing', ['fail'], /refused/i);
  expectCheck(r, 'tcp.api', ['fail'], /refused/i);
});

test('DNS failure: the exchange\'s names do not resolve (.invalid) → dns.* fail', async (tt) => {
  const host = 'exchange.tl-doctor-fault.invalid';
  const ex = await startExchangeAt({ listen: '127.0.0.1:0', publicHost: host });
  stops.push(() => ex.close());
  dirs.push(ex.dataDir);
  // Enrolled by address; the exchange hands out its endpoints by a name nobody resolves.
  const c = await enrolledConnector('dns', { exchange: ex, connected: false });
  const ctx = await c.waitFor((x) => /no such host/.test(x.uplink?.last_error?.message ?? ''), 15_000, 'the uplink failing its lookup');
  assert.match(ctx.registration.endpoints.eventing, /tl-doctor-fault\.invalid/);
  const r = await doctor('DNS failure', c.props);
  tt.diagnostic(`${Math.round(r.ms)} ms`);
  expectNamed(r);
  expectCheck(r, 'dns.eventing', ['fail'], /tl-doctor-fault\.invalid/);
  expectCheck(r, 'dns.api', ['fail'], /tl-doctor-fault\.invalid/);
});

test('wrong CA / interception: another exchange with its own CA on the configured address → tls.* fail naming the issuer', async (tt) => {
  const a = await startExchangeAt({ listen: '127.0.0.1:0' });
  dirs.push(a.dataDir);
  const c = await enrolledConnector('wrong-ca', { exchange: a });
  const port = new URL(a.url).port;
  await a.close();
  // B's CA is made first, under a name the report must quote.
  const bDir = dir('wrong-ca-b');
  await ExchangeCa.loadOrCreate(join(bDir, 'ca'), { commonName: 'Corp TLS Inspection CA' });
  const b = await startExchangeAt({ listen: `127.0.0.1:${port}`, dataDir: bDir });
  stops.push(() => b.close());
  const r = await doctor('wrong CA', c.props);
  tt.diagnostic(`${Math.round(r.ms)} ms`);
  expectNamed(r);
  expectCheck(r, 'tls.eventing', ['fail'], /Corp TLS Inspection CA/);
  expectCheck(r, 'tls.api', ['fail'], /Corp TLS Inspection CA/);
});

test('sensor socket missing: the zmq ipc path nobody binds → ipc_socket fail', async (tt) => {
  const d = dir('nosock');
  const sock = join(d, 'EventHandler_SSEConnector.sock');
  const c = await connector(d, new URL(t.url).host, { token: await registrationToken(t), extra: ['source.fmc.type=zmq', `source.fmc.endpoint=ipc://${sock}`] });
  await c.waitFor((x) => x.sources.find((s: any) => s.name === 'fmc')?.state === 'waiting', 20_000, 'the source waiting');
  const r = await doctor('sensor socket missing', c.props);
  tt.diagnostic(`${Math.round(r.ms)} ms`);
  expectNamed(r);
  expectCheck(r, 'ipc_socket.fmc', ['fail'], /no such file or directory/);
});

test('socket present, connector not attached: the sensor listens, no CONNECTED peer → ipc_socket fail/warn', async (tt) => {
  const d = dir('unattached');
  const sock = join(d, 'EventHandler_SSEConnector.sock');
  const sensor = new Push();
  await sensor.bind(`ipc://${sock}`);
  stops.push(() => sensor.close());
  // Not enrolled: the connector runs, but starts no source until it has an identity.
  const c = await connector(d, new URL(t.url).host, { extra: ['source.fmc.type=zmq', `source.fmc.endpoint=ipc://${sock}`] });
  await c.waitFor((x) => x.status === 'Unregistered', 10_000, 'up, unregistered');
  const r = await doctor('socket not attached', c.props);
  tt.diagnostic(`${Math.round(r.ms)} ms`);
  expectNamed(r);
  expectCheck(r, 'ipc_socket.fmc', ['fail', 'warn'], /LISTENING/);
});

test('cloud events off at the exchange (PATCH the device) → cloud_events fail', async (tt) => {
  const c = await enrolledConnector('cloud-off');
  const id = (await c.local('/v1/contexts/default')).body.registration.device_id;
  const p = await t.api(`/api/v1/devices/${id}`, { method: 'PATCH', body: { cloud_events: false } });
  assert.equal(p.status, 200, p.text);
  await c.waitFor((x) => x.cloud_events.effective === false, 10_000, 'cloud events off');
  const r = await doctor('cloud events off', c.props);
  tt.diagnostic(`${Math.round(r.ms)} ms`);
  expectNamed(r);
  expectCheck(r, 'cloud_events', ['fail'], /exchange/i);
});

test('cloud events off locally (cloud_events=off in connector.properties) → cloud_events fail', async (tt) => {
  const c = await enrolledConnector('cloud-off-local', { extra: ['cloud_events=off'] });
  const r = await doctor('cloud events off (local)', c.props);
  tt.diagnostic(`${Math.round(r.ms)} ms`);
  expectNamed(r);
  expectCheck(r, 'cloud_events', ['fail'], /cloud_events/);
});

test('token expired: enrolling with a token whose expiry passed → registration fail', async (tt) => {
  const org = (await t.ex.ctx.stores.orgs.list())[0]!;
  const expired = await issueRegistrationToken(t.ex.ctx.stores.tokens, t.ex.ctx.ca.fingerprint, org.id, { expirySeconds: -60 });
  // registration_token in connector.properties: a refused --token ends the command instead.
  const c = await connector(dir('expired'), new URL(t.url).host, { extra: [`registration_token=${expired.token}`] });
  await c.waitFor((x) => /token_expired/.test(x.last_error?.message ?? ''), 10_000, 'the activation refused');
  const r = await doctor('token expired', c.props);
  tt.diagnostic(`${Math.round(r.ms)} ms`);
  expectNamed(r);
  expectCheck(r, 'registration', ['fail'], /token_expired/);
});

test('device deleted at the exchange → registration fail, remedy: enroll again', async (tt) => {
  const c = await enrolledConnector('deleted');
  const id = (await c.local('/v1/contexts/default')).body.registration.device_id;
  const del = await t.api(`/providers/sse/services/scim/v2/Devices/${id}`, { method: 'DELETE' });
  assert.equal(del.status, 202, del.text);
  await c.waitFor((x) => x.status === 'Revoked', 10_000, 'revoked');
  const r = await doctor('device deleted', c.props, { args: api });
  tt.diagnostic(`${Math.round(r.ms)} ms`);
  expectNamed(r);
  const reg = expectCheck(r, 'registration', ['fail'], /deleted|revoked/);
  assert.match(reg.remedy ?? '', /enroll again/i);
  // Valid dates do not make a certificate the exchange refuses valid.
  const cert = expectCheck(r, 'certificate', ['fail'], /refuses it: 403 certificate_revoked/);
  assert.match(cert.cause ?? '', /no longer honours this certificate/);
  assert.match(r.verdict, /^fail: registration:/, 'the verdict names the root cause');
});

test('clock skew: the exchange runs 10 minutes ahead (faketime) → clock fail', async (tt) => {
  const faketime = ((): string | null => { try { return execFileSync('sh', ['-c', 'command -v faketime'], { encoding: 'utf8' }).trim(); } catch { return null; } })();
  if (!faketime) {
    if (process.env.CI === 'true') throw new Error('CI needs faketime (.ci/install-deps.sh installs it)');
    tt.skip('faketime is not installed (apt-get install faketime; .ci/install-deps.sh does)');
    return;
  }
  // The exchange's CA and certificates are made at the true time, the device enrolled ...
  const ex = await startExchangeAt({ listen: '127.0.0.1:0' });
  dirs.push(ex.dataDir);
  const c = await enrolledConnector('clock', { exchange: ex });
  const port = new URL(ex.url).port;
  await ex.close();
  // ... then the same exchange comes back with its clock 10 minutes fast.
  const skewed = await startWrapped([faketime, '-f', '+10m'], ['up', '--data-dir', ex.dataDir, '--listen', `127.0.0.1:${port}`, '--log-level', 'warn'], ADMIN_ENV, /health/);
  stops.push(() => skewed.stop());
  const r = await doctor('clock skew', c.props);
  tt.diagnostic(`${Math.round(r.ms)} ms`);
  expectNamed(r);
  expectCheck(r, 'clock', ['fail'], /behind/);
});

test('spool full: tiny spool_max_bytes, exchange down, the sensor keeps writing → spool fail', async (tt) => {
  const ex = await startTestExchange();
  dirs.push(ex.dataDir);
  const d = dir('spool');
  const eve = join(d, 'eve.json');
  writeFileSync(eve, '');
  const c = await connector(d, new URL(ex.url).host, {
    token: await registrationToken(ex),
    extra: ['spool_max_bytes=64KiB', 'source.ids.type=eve', `source.ids.path=${eve}`],
  });
  await c.waitFor((x) => x.uplink?.state === 'connected', 20_000, 'connected');
  await ex.close();
  await c.waitFor((x) => x.uplink?.state !== 'connected', 10_000, 'the uplink down');
  appendFileSync(eve, `${Array.from({ length: 600 }, () => JSON.stringify(demoAlert())).join('\n')}\n`);
  await c.waitFor((x) => x.spool.full === true, 15_000, 'the spool full');
  const r = await doctor('spool full', c.props);
  tt.diagnostic(`${Math.round(r.ms)} ms`);
  expectNamed(r);
  expectCheck(r, 'spool', ['fail'], /full/);
});
