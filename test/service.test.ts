// `threatlink service` without systemd (this machine's init is not systemd): the pid-file manager
// against a real connector and a real exchange, then the systemd mapping against a stand-in
// systemctl that records what it was asked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { startTestExchange, cleanup, registrationToken, tmpDir, type TestExchange } from './helpers/exchange.js';
import { startConnector, eventually, type ConnectorProc } from './helpers/connector.js';
import { runCli, runCliToEnd, freePort } from './helpers/process.js';
import { https } from './helpers/https.js';
import { readPid } from '../src/service/pid-file.js';
import { isAlive, cmdline as cmdlineOf } from '../src/service/proc.js';
import { splitToken, tokenEnv } from '../src/service/token-arg.js';

let t: TestExchange;
let dir: string;
let c: ConnectorProc;
/** The registration token the connector was started with, on its command line. */
let regToken: string;
const strays: number[] = [];

before(async () => {
  t = await startTestExchange();
  dir = tmpDir('tl-svc-');
  regToken = await registrationToken(t);
  c = await startConnector(dir, { exchange: new URL(t.url).host, token: regToken });
  await c.waitFor((x) => x.status === 'Enrolled', 20_000, 'enrolled');
});
after(async () => {
  await c?.kill('SIGKILL');
  // Whatever the service started detached is no child of ours: kill it by its pid file.
  for (const f of [join(dir, 'data', 'connector.pid')]) strays.push(readPid(f) ?? 0);
  for (const p of strays) if (p > 0 && isAlive(p)) process.kill(p, 'SIGKILL');
  await t.close();
  cleanup(t.dataDir);
  cleanup(dir);
});

const svc = (args: string[]) => runCliToEnd(['service', ...args]);

/** The arguments of a `threatlink …` command a hint printed, to run it as printed (the test
 * paths need no shell quoting). */
function printed(cmd: string): string[] {
  const words = cmd.split(' ');
  assert.equal(words[0], 'threatlink', cmd);
  assert.doesNotMatch(cmd, /['"\\]/, 'a command this helper can split');
  return words.slice(1);
}
let printedEnable = '';
const json = (r: { stdout: string }) => JSON.parse(r.stdout.trim().split('\n').pop() as string);

test('status: the running connector, from its pid file; exit 0', async () => {
  const r = await svc(['status', 'connector', '--config', c.props, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = json(r);
  assert.equal(s.manager, 'pidfile');
  assert.equal(s.state, 'running');
  assert.equal(s.enabled, true);
  assert.equal(s.pid, c.run.child.pid);
  assert.ok(Date.parse(s.since) <= Date.now() && Date.now() - Date.parse(s.since) < 120_000, s.since);
  const text = await svc(['status', 'connector', '--config', c.props]);
  assert.match(text.stdout, new RegExp(`connector: running, enabled \\(pid ${c.run.child.pid}`));
});

test('disable stops it with SIGTERM (clean exit) and keeps it stopped; restart refuses', async () => {
  const r = await svc(['disable', 'connector', '--config', c.props]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /stopped connector \(pid \d+\) with SIGTERM/);
  // The way back names this connector's config: without it, it would act on /etc/threatlink's.
  assert.ok(r.stdout.includes(`until "threatlink service enable connector --config ${c.props}"`), r.stdout);
  assert.equal(await c.run.exited, 0, 'the connector drained and exited 0');
  assert.ok(existsSync(join(dir, 'data', 'connector.disabled')));
  const st = await svc(['status', 'connector', '--config', c.props, '--json']);
  assert.equal(st.code, 3, 'not running: exit 3, as systemctl status');
  assert.equal(json(st).state, 'stopped');
  assert.equal(json(st).enabled, false);
  const again = await svc(['restart', 'connector', '--config', c.props]);
  assert.equal(again.code, 1);
  const hint = /disabled .*: run "(threatlink service enable connector[^"]*)" first/.exec(again.stderr);
  assert.ok(hint, again.stderr);
  assert.equal(hint[1], `threatlink service enable connector --config ${c.props}`);
  printedEnable = hint[1];
});

test('enable, run as the refusal printed it, removes the marker and starts the same command line again, detached', async () => {
  assert.ok(printedEnable, 'the restart refusal printed an enable command');
  const r = await runCliToEnd([...printed(printedEnable), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const res = json(r);
  assert.equal(res.status.state, 'running');
  assert.equal(res.status.enabled, true);
  assert.notEqual(res.status.pid, c.run.child.pid);
  strays.push(res.status.pid);
  assert.equal(existsSync(join(dir, 'data', 'connector.disabled')), false);
  // Same credentials, same data dir: enrolled and on its way online again.
  const ctx = await c.waitFor((x) => x.pid === res.status.pid && x.status === 'Enrolled', 20_000, 'the new connector');
  assert.equal(ctx.exchange, new URL(t.url).host);
  assert.ok(readFileSync(join(dir, 'data', 'connector.out.log'), 'utf8').includes('local API'));
});

test('the registration token stays off every command line the service starts: restart, disable and enable hand it over in the environment', async () => {
  const secret = regToken.split('.')[2] as string;
  const cleanArgv = (pid: number, what: string) => {
    const argv = cmdlineOf(pid);
    assert.ok(argv.includes('connector'), `${what}: ${argv.join(' ')}`);
    assert.ok(!argv.some((a) => a.includes(secret) || a.startsWith('--token')), `${what}: the token is on the command line: ${argv.join(' ')}`);
    // Its owner still has it, as the connector would have had it from --token.
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    assert.ok(env.includes(`THREATLINK_CONNECTOR_TOKEN=${regToken}`), `${what}: no token in the environment`);
  };
  // The connector of the test before was started by enable from the command line saved at disable.
  const running = json(await svc(['status', 'connector', '--config', c.props, '--json'])).pid as number;
  cleanArgv(running, 'enable');
  const r = await svc(['restart', 'connector', '--config', c.props, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const restarted = json(r).status.pid as number;
  strays.push(restarted);
  cleanArgv(restarted, 'restart');
  await c.waitFor((x) => x.pid === restarted && x.status === 'Enrolled', 20_000, 'the restarted connector');
  const d = await svc(['disable', 'connector', '--config', c.props]);
  assert.equal(d.code, 0, d.stderr);
  const marker = join(dir, 'data', 'connector.disabled');
  assert.equal(statSync(marker).mode & 0o777, 0o600, 'the marker keeps the token for its owner only');
  assert.ok(!(JSON.parse(readFileSync(marker, 'utf8')).argv as string[]).some((a) => a.includes(secret)), 'the saved command line holds no token');
  const e = await svc(['enable', 'connector', '--config', c.props, '--json']);
  assert.equal(e.code, 0, e.stderr);
  const enabled = json(e).status.pid as number;
  strays.push(enabled);
  cleanArgv(enabled, 'enable after disable');
  await c.waitFor((x) => x.pid === enabled && x.status === 'Enrolled', 20_000, 'the enabled connector');
});

test('a relaunch takes --token out of the command line in either spelling, and a token in our own environment is not passed on', () => {
  assert.deepEqual(splitToken(['node', 'run.js', 'connector', '--config', 'f', '--token', 'tlr1.a.b.c']), { argv: ['node', 'run.js', 'connector', '--config', 'f'], token: 'tlr1.a.b.c' });
  assert.deepEqual(splitToken(['node', 'run.js', 'connector', '--token=tlr1.a.b.c', '--config', 'f']), { argv: ['node', 'run.js', 'connector', '--config', 'f'], token: 'tlr1.a.b.c' });
  assert.deepEqual(splitToken(['node', 'run.js', 'up', '--data-dir', 'd']), { argv: ['node', 'run.js', 'up', '--data-dir', 'd'], token: null });
  assert.equal(tokenEnv(null, { PATH: '/bin', THREATLINK_CONNECTOR_TOKEN: 'x' }).THREATLINK_CONNECTOR_TOKEN, undefined);
  assert.deepEqual(tokenEnv('tlr1.a.b.c', { PATH: '/bin' }), { PATH: '/bin', THREATLINK_CONNECTOR_TOKEN: 'tlr1.a.b.c' });
});

test('restart: a new pid, the old one gone', async () => {
  const before = json(await svc(['status', 'connector', '--config', c.props, '--json'])).pid as number;
  const r = await svc(['restart', 'connector', '--config', c.props, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const res = json(r);
  strays.push(res.status.pid);
  assert.equal(res.status.state, 'running');
  assert.notEqual(res.status.pid, before);
  assert.equal(isAlive(before), false);
  assert.match(res.steps.join('\n'), /stopped connector .* with SIGTERM[\s\S]*started connector \(pid \d+\)/);
  await c.waitFor((x) => x.pid === res.status.pid, 10_000, 'the restarted connector');
  const d = await svc(['disable', 'connector', '--config', c.props]);
  assert.equal(d.code, 0, d.stderr);
  assert.equal(isAlive(res.status.pid), false);
});

test('restart of a connector that is not running starts it from --config (no earlier command line known)', async () => {
  const d = tmpDir('tl-svc-fresh-');
  const props = join(d, 'connector.properties');
  const port = await freePort();
  writeFileSync(props, `data_dir=${join(d, 'data')}\nconnector_port=${port}\nhostname=fresh-sensor\n`);
  try {
    const r = await svc(['restart', 'connector', '--config', props, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const res = json(r);
    strays.push(res.status.pid);
    assert.match(res.steps[0], /was not running/);
    assert.equal(res.status.state, 'running');
    const ctx = await (await fetch(`http://127.0.0.1:${port}/v1/contexts/default`)).json() as any;
    assert.equal(ctx.pid, res.status.pid);
    assert.equal(ctx.config_file, props);
    assert.deepEqual(cmdlineOf(res.status.pid).slice(-3), ['connector', '--config', props]);
    assert.equal((await svc(['disable', 'connector', '--config', props])).code, 0);
  } finally {
    cleanup(d);
  }
});

test('a process that ignores SIGTERM is killed after --stop-timeout', async () => {
  const d = tmpDir('tl-svc-stuck-');
  const props = join(d, 'connector.properties');
  writeFileSync(props, `data_dir=${join(d, 'data')}\nconnector_port=${await freePort()}\n`);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(d, 'data'));
  // argv carries "connector", so the pid file's process passes the identity test.
  const stuck = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)", 'connector'], { stdio: 'ignore' });
  strays.push(stuck.pid as number);
  const gone = new Promise((r) => stuck.on('exit', (_c, s) => r(s)));
  writeFileSync(join(d, 'data', 'connector.pid'), `${stuck.pid}\n`);
  await eventually(async () => isAlive(stuck.pid as number), 5000, 'the stand-in');
  const r = await svc(['disable', 'connector', '--config', props, '--stop-timeout', '300']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /with SIGKILL/);
  assert.equal(await gone, 'SIGKILL');
  cleanup(d);
});

test('the exchange: status from exchange.pid, restart keeps its flags (same port), disable stops it', async () => {
  const d = tmpDir('tl-svc-ex-');
  const port = await freePort();
  const env = { THREATLINK_BOOTSTRAP_CLIENT_ID: 'svc-admin', THREATLINK_BOOTSTRAP_CLIENT_SECRET: 'svc-admin-secret-123' };
  const ex = await runCli(['up', '--data-dir', d, '--listen', `127.0.0.1:${port}`, '--log-level', 'warn'], env, /health/);
  try {
    const st = await svc(['status', 'exchange', '--data-dir', d, '--json']);
    assert.equal(st.code, 0, st.stderr);
    assert.equal(json(st).pid, ex.child.pid);
    const r = await svc(['restart', 'exchange', '--data-dir', d, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const res = json(r);
    strays.push(res.status.pid);
    assert.equal(await ex.exited, 0, 'SIGTERM: a clean exit');
    assert.notEqual(res.status.pid, ex.child.pid);
    const ca = readFileSync(join(d, 'ca', 'ca.crt'), 'utf8');
    const h = await https(`https://127.0.0.1:${port}/healthz`, { ca });
    assert.equal(h.status, 200);
    const off = await svc(['disable', 'exchange', '--data-dir', d]);
    assert.equal(off.code, 0, off.stderr);
    assert.ok(off.stdout.includes(`until "threatlink service enable exchange --data-dir ${d}"`), off.stdout);
    const refused = await svc(['restart', 'exchange', '--data-dir', d]);
    assert.equal(refused.code, 1);
    assert.ok(refused.stderr.includes(`run "threatlink service enable exchange --data-dir ${d}" first`), refused.stderr);
    assert.equal(isAlive(res.status.pid), false);
    assert.equal(existsSync(join(d, 'exchange.pid')), false, 'a clean stop removes its pid file');
  } finally {
    ex.child.kill('SIGKILL');
    cleanup(d);
  }
});

test('with systemd: each action is the matching systemctl call on the packaged unit', async () => {
  const d = tmpDir('tl-svc-sd-');
  const calls = join(d, 'calls');
  writeFileSync(join(d, 'systemctl'), `#!/bin/sh
echo "$@" >> ${calls}
case "$1" in show) printf 'LoadState=loaded\\nActiveState=active\\nSubState=running\\nMainPID=${process.pid}\\nUnitFileState=enabled\\n';; esac
`);
  chmodSync(join(d, 'systemctl'), 0o755);
  const env = { PATH: `${d}:${process.env.PATH}` };
  const run = (args: string[]) => runCliToEnd(['service', ...args, '--manager', 'systemd'], env);
  const st = await run(['status', 'connector', '--json']);
  assert.equal(st.code, 0, st.stderr);
  assert.deepEqual({ ...json(st), since: null }, {
    service: 'connector', manager: 'systemd', state: 'running', enabled: true, pid: process.pid, since: null,
    unit: 'threatlink-connector.service', detail: 'active (running), unit file enabled',
  });
  for (const a of ['disable', 'enable', 'restart']) assert.equal((await run([a, 'exchange'])).code, 0);
  const lines = readFileSync(calls, 'utf8').trim().split('\n').filter((l) => !l.startsWith('show'));
  assert.deepEqual(lines, [
    'disable --now threatlink-exchange.service',
    'enable --now threatlink-exchange.service',
    'restart threatlink-exchange.service',
  ]);
  cleanup(d);
});

test('--help everywhere; a wrong service name is refused', async () => {
  const h = await runCliToEnd(['service', '--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /status[\s\S]*enable[\s\S]*disable[\s\S]*restart/);
  assert.match(h.stdout, /disable connector --config FILE/);
  const hs = await runCliToEnd(['service', 'restart', '--help']);
  assert.match(hs.stdout, /--stop-timeout/);
  const bad = await runCliToEnd(['service', 'status', 'eventhandler']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /connector, exchange/);
});
