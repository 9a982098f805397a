// The exchange's command line as a user runs it: first start, ca-fingerprint, token create,
// org create, an operator's own TLS certificate, and errors that name what was wrong.
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpDir, cleanup, startTestExchange } from './helpers/exchange.js';
import { needsPg, freshSchemaUrl } from './helpers/pg.js';
import { https } from './helpers/https.js';
import { freePort, runCli, runCliToEnd } from './helpers/process.js';
import { parseRegistrationToken } from '../src/protocol/registration-token.js';
import { ExchangeCa } from '../src/exchange/pki/ca.js';

test('first start prints the URL and generated credentials once; ca-fingerprint, token create and org create work on the data dir', { timeout: 60_000 }, async () => {
  const dir = tmpDir('tl-cli-');
  const port = await freePort();
  try {
    const env = { THREATLINK_BOOTSTRAP_CLIENT_ID: '', THREATLINK_BOOTSTRAP_CLIENT_SECRET: '', THREATLINK_LOG_LEVEL: 'warn' };
    const up = await runCli(['up', '--data-dir', dir, '--listen', `127.0.0.1:${port}`], env, /health/);
    const out = up.output();
    assert.match(out, new RegExp(`listening on https://127\\.0\\.0\\.1:${port}`));
    const id = /client id\s+(\S+)/.exec(out)?.[1];
    const secret = /client secret\s+(\S+)/.exec(out)?.[1];
    assert.ok(id && secret, out);
    const ca = readFileSync(join(dir, 'ca', 'ca.crt'), 'utf8');
    const health = await https(`https://127.0.0.1:${port}/healthz`, { ca });
    assert.equal(health.status, 200);
    const tok = await https(`https://127.0.0.1:${port}/iroh/oauth2/token`, {
      method: 'POST', ca, body: 'grant_type=client_credentials',
      headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(tok.status, 200, 'the printed credentials work');

    const fp = await runCliToEnd(['ca-fingerprint', '--data-dir', dir]);
    assert.equal(fp.code, 0);
    const openssl = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', join(dir, 'ca', 'ca.crt')], { encoding: 'utf8' });
    assert.equal(fp.stdout.trim(), `sha256:${openssl.split('=')[1]!.trim().replace(/:/g, '').toLowerCase()}`);

    const made = await runCliToEnd(['token', 'create', '--data-dir', dir, '--expiry', '2h', '--uses', '3', '--json']);
    assert.equal(made.code, 0, made.stderr);
    const t = JSON.parse(made.stdout);
    assert.equal(t.uses, 3);
    assert.equal(parseRegistrationToken(t.token)?.caFingerprint, fp.stdout.trim());
    assert.ok(Math.abs(Date.parse(t.expires_at) - Date.now() - 2 * 3600_000) < 60_000);
    const bad = await runCliToEnd(['token', 'create', '--data-dir', dir, '--expiry', 'soon']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--expiry: "soon" is not a duration/);
    // The API's bounds hold here too: a token the API would refuse to make is not made.
    for (const [args, why] of [
      [['--device', ''], /--device: "" is not a device id/],
      [['--device', 'sensor 1'], /--device: "sensor 1" is not a device id/],
      [['--uses', '100001'], /--uses: "100001" must be a whole number from 1 to 100000/],
    ] as const) {
      const r = await runCliToEnd(['token', 'create', '--data-dir', dir, ...args]);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, why);
      assert.equal(r.stdout, '', 'no token printed');
    }

    const org = await runCliToEnd(['org', 'create', 'blue-team', '--data-dir', dir, '--json']);
    assert.equal(org.code, 0, org.stderr);
    assert.equal(JSON.parse(org.stdout).name, 'blue-team');
    for (const [name, why] of [['blue-team', /an org named blue-team exists already/], ['   ', /org name: empty/], ['x'.repeat(101), /at most 100/]] as const) {
      const r = await runCliToEnd(['org', 'create', name, '--data-dir', dir]);
      assert.notEqual(r.code, 0, name);
      assert.match(r.stderr, why);
    }
    const byName = await runCliToEnd(['token', 'create', '--data-dir', dir, '--org', 'blue-team', '--json']);
    assert.equal(byName.code, 0, byName.stderr);
    assert.equal(JSON.parse(byName.stdout).org_id, JSON.parse(org.stdout).org_id, '--org takes the name org list shows');
    const noSuch = await runCliToEnd(['token', 'create', '--data-dir', dir, '--org', 'red-team']);
    assert.match(noSuch.stderr, /--org: no org red-team/);

    up.child.kill('SIGTERM');
    assert.equal(await up.exited, 0, 'SIGTERM stops cleanly');
    const again = await runCli(['up', '--data-dir', dir, '--listen', `127.0.0.1:${port}`], env, /health/);
    assert.doesNotMatch(again.output(), /client secret/, 'the secret is shown once');
    assert.match(again.output(), /created at first start/);
    again.child.kill('SIGTERM');
    await again.exited;
  } finally {
    cleanup(dir);
  }
});

test('a first start that fails creates no credentials: the next start shows them', { timeout: 90_000 }, async () => {
  const dir = tmpDir('tl-cli-firstfail-');
  const blocker = createServer();
  const taken = await freePort();
  await new Promise<void>((r) => blocker.listen(taken, '127.0.0.1', r));
  try {
    const env = { THREATLINK_BOOTSTRAP_CLIENT_ID: '', THREATLINK_BOOTSTRAP_CLIENT_SECRET: '', THREATLINK_LOG_LEVEL: 'warn' };
    const busy = await runCliToEnd(['up', '--data-dir', dir, '--listen', `127.0.0.1:${taken}`], env);
    assert.notEqual(busy.code, 0);
    assert.match(busy.stderr, /EADDRINUSE/);
    // A console password too short: refused before anything is made, the API client included.
    const short = await runCliToEnd(['up', '--data-dir', dir, '--listen', `127.0.0.1:${await freePort()}`], { ...env, THREATLINK_BOOTSTRAP_PASSWORD: 'short' });
    assert.notEqual(short.code, 0);
    assert.match(short.stderr, /THREATLINK_BOOTSTRAP_PASSWORD: must be at least 12 characters/);
    const port = await freePort();
    const up = await runCli(['up', '--data-dir', dir, '--listen', `127.0.0.1:${port}`], env, /health/);
    const out = up.output();
    const id = /client id\s+(\S+)/.exec(out)?.[1];
    const secret = /client secret\s+(\S+)/.exec(out)?.[1];
    assert.ok(id && secret, `the credentials are shown at the first start that works:\n${out}`);
    assert.match(out, /password\s+\S+/, 'and the console admin password');
    const ca = readFileSync(join(dir, 'ca', 'ca.crt'), 'utf8');
    const tok = await https(`https://127.0.0.1:${port}/iroh/oauth2/token`, {
      method: 'POST', ca, body: 'grant_type=client_credentials',
      headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(tok.status, 200, 'and they work');
    up.child.kill('SIGTERM');
    await up.exited;
  } finally {
    blocker.close();
    cleanup(dir);
  }
});

test('token create, org create and org list work on an exchange whose store is PostgreSQL', async (t) => {
  const skip = await needsPg();
  if (skip.skip) return t.skip(skip.skip);
  const dir = tmpDir('tl-cli-pg-');
  const { url, drop } = freshSchemaUrl();
  try {
    const ex = await startTestExchange(dir, { store: url });
    await ex.close();
    const org = await runCliToEnd(['org', 'create', 'pg-team', '--data-dir', dir, '--store', url, '--json']);
    assert.equal(org.code, 0, org.stderr);
    const list = await runCliToEnd(['org', 'list', '--data-dir', dir, '--json'], { THREATLINK_STORE: url });
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout).map((o: { name: string }) => o.name).sort(), ['default', 'pg-team']);
    const tok = await runCliToEnd(['token', 'create', '--data-dir', dir, '--store', url, '--org', 'pg-team', '--json']);
    assert.equal(tok.code, 0, tok.stderr);
    assert.equal(JSON.parse(tok.stdout).org_id, JSON.parse(org.stdout).org_id);
    const sqlite = await runCliToEnd(['token', 'create', '--data-dir', dir]);
    assert.notEqual(sqlite.code, 0, 'without --store it looks for the SQLite files, and says so');
    assert.match(sqlite.stderr, /no exchange in /);
  } finally {
    cleanup(dir);
    await drop();
  }
});

test('--tls-cert/--tls-key serve the operator\'s certificate', { timeout: 60_000 }, async () => {
  const dir = tmpDir('tl-cli-tls-');
  const port = await freePort();
  try {
    const own = await ExchangeCa.loadOrCreate(join(dir, 'corp-ca'), { commonName: 'Corp Root' });
    const { certPem, keyPem } = await own.issueServerCert(['localhost', '127.0.0.1']);
    writeFileSync(join(dir, 'server.crt'), certPem);
    writeFileSync(join(dir, 'server.key'), keyPem, { mode: 0o600 });
    const up = await runCli(['up', '--data-dir', join(dir, 'data'), '--listen', `127.0.0.1:${port}`, '--tls-cert', join(dir, 'server.crt'), '--tls-key', join(dir, 'server.key')], { THREATLINK_LOG_LEVEL: 'warn' }, /health/);
    try {
      const r = await https(`https://127.0.0.1:${port}/healthz`, { ca: own.certPem });
      assert.equal(r.status, 200);
      await assert.rejects(https(`https://127.0.0.1:${port}/healthz`, { ca: readFileSync(join(dir, 'data', 'ca', 'ca.crt'), 'utf8') }));
      assert.match(new X509Certificate(certPem).issuer, /Corp Root/);
    } finally {
      up.child.kill('SIGTERM');
      await up.exited;
    }
    const half = await runCliToEnd(['up', '--data-dir', join(dir, 'data'), '--listen', `127.0.0.1:${port}`, '--tls-cert', join(dir, 'server.crt')]);
    assert.notEqual(half.code, 0);
    assert.match(half.stderr, /--tls-cert and --tls-key go together/);
  } finally {
    cleanup(dir);
  }
});

test('every command has --help, and a bad flag is an error on stderr', async () => {
  for (const cmd of [['up'], ['token', 'create'], ['ca-fingerprint'], ['org', 'create'], ['connector']]) {
    const r = await runCliToEnd([...cmd, '--help']);
    assert.equal(r.code, 0, cmd.join(' '));
    assert.match(r.stdout, /Usage: threatlink/);
  }
  const r = await runCliToEnd(['up', '--listen', 'nonsense']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--listen: "nonsense" is not HOST:PORT/, 'named as the option typed');
  const viaEnv = await runCliToEnd(['up', '--data-dir', join(tmpDir('tl-cli-opt-'), 'd')], { THREATLINK_LISTEN: 'nowhere' });
  assert.match(viaEnv.stderr, /THREATLINK_LISTEN: "nowhere" is not HOST:PORT/);
  const host = await runCliToEnd(['up', '--public-host', 'a b', '--data-dir', join(tmpDir('tl-cli-opt-'), 'd')]);
  assert.notEqual(host.code, 0);
  assert.match(host.stderr, /--public-host: "a b" is not a host name or address/);
  // Each option's own error quotes what was typed (a NaN passed on said "NaN").
  for (const [args, why] of [
    [['--retention-days', 'abc'], /--retention-days: "abc" is not a number/],
    [['--retention-bytes', '10XB'], /--retention-bytes: "10XB" is not a whole number of at least 0/],
    [['--max-observables', '0'], /--max-observables: "0" is not a whole number of at least 1/],
    [['--log-level', 'verbose'], /--log-level: "verbose" is not a log level; one of fatal, error/],
    [['--demo', '--demo-rate', '-5'], /--demo-rate: "-5" is not a number from 0\.1 to 10000/],
    [['--demo', '--demo-connector-port', '99999'], /--demo-connector-port: "99999" is not a whole number from 1 to 65535/],
    [['--region', ''], /--region: "" is not a region name/],
    [['--region', 'eu west'], /--region: "eu west" is not a region name/],
    [['--feed-files-dir', fileURLToPath(import.meta.url)], /--feed-files-dir: .*cli-exchange\.test\.ts is a file, not a directory/],
  ] as const) {
    const bad = await runCliToEnd(['up', ...args, '--data-dir', join(tmpDir('tl-cli-opt-'), 'd')]);
    assert.notEqual(bad.code, 0, args.join(' '));
    assert.match(bad.stderr, why);
  }
  // The doctor's 1 and 2 are findings: a command line it cannot run is neither.
  for (const args of [['--timeout', 'abc'], ['--no-such-option'], ['--json', '--timeout', '-1']]) {
    const d = await runCliToEnd(['doctor', '--config', '/nonexistent.properties', ...args]);
    assert.equal(d.code, 64, `doctor ${args.join(' ')}: ${d.stderr}`);
    assert.equal(d.stdout, '', 'no report when nothing was checked');
    assert.notEqual(d.stderr.trim(), '');
  }
});

test('token create, org create and ca-fingerprint on a dir with no exchange: the hint is a command that works as printed, quoted', async () => {
  const dir = join(tmpDir('tl-cli-none-'), 'sensor data');
  try {
    for (const args of [['token', 'create'], ['org', 'create', 'acme'], ['ca-fingerprint']]) {
      const r = await runCliToEnd([...args, '--data-dir', dir]);
      assert.equal(r.code, 1, r.stderr);
      assert.ok(r.stderr.includes(`run "threatlink up --data-dir '${dir}'" once first`), r.stderr);
    }
  } finally {
    cleanup(join(dir, '..'));
  }
});
