// `threatlink doctor bundle`: a real connector's files and local API into a .tar.gz that `tar`
// reads, with every secret out of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startTestExchange, cleanup, registrationToken, tmpDir, type TestExchange } from './helpers/exchange.js';
import { startConnector, type ConnectorProc } from './helpers/connector.js';
import { runCliToEnd } from './helpers/process.js';
import { writeBundle } from '../src/bundle/bundle.js';
import { redactProperties, REDACTED } from '../src/bundle/redact.js';

let t: TestExchange;
let dir: string;
let c: ConnectorProc;
let token: string;
const SECRETS = ['alice-proxy-pw', 'hunter2-api-secret', 'db-password-xyz', 'continued-secret-part'];

before(async () => {
  t = await startTestExchange();
  dir = tmpDir('tl-bundle-');
  c = await startConnector(dir, { exchange: new URL(t.url).host, token: await registrationToken(t) });
  await c.waitFor((x) => x.status === 'Enrolled', 20_000, 'enrolled');
  // Secrets an operator may leave in the file (read by the bundle, not by this running connector).
  token = await registrationToken(t);
  appendFileSync(c.props, [
    `registration_token=${token}`,
    'proxy=http://alice:alice-proxy-pw@proxy.example:3128',
    'partner_api_secret = hunter2-api-secret',
    'db.Password:db-password-xyz',
    'upload_token=first-line\\',
    '    continued-secret-part',
    '',
  ].join('\n'));
  // A rotated log that quotes a token, as an activation error might.
  writeFileSync(join(dir, 'data', 'connector.log.1'), `time="x" level=error msg="activation with ${token} failed"\n`);
});
after(async () => {
  await c?.kill('SIGKILL');
  await t.close();
  cleanup(t.dataDir);
  cleanup(dir);
});

let extracted = 0;
function extract(file: string): { list: string[]; root: string; read: (name: string) => string; all: string } {
  const list = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n');
  const to = join(dir, `x-${++extracted}`);
  mkdirSync(to);
  execFileSync('tar', ['-xzf', file, '-C', to]);
  const root = readdirSync(to)[0] as string;
  const read = (name: string) => readFileSync(join(to, root, name), 'utf8');
  const all = list.filter((n) => !n.endsWith('/')).map((n) => readFileSync(join(to, n), 'utf8')).join('\n');
  return { list, root, read, all };
}

test('redaction keeps the file\'s lines and keys, drops the values', () => {
  const text = '# comment\nregistration_token=tlr1.x\n  proxy = http://u:p@h:1\nlog_keep=5\nregistration_token=\nmy.secret=abc\\\n  more\nregion=eu\n';
  assert.equal(redactProperties(text),
    `# comment\nregistration_token=${REDACTED}\n  proxy = http://${REDACTED}@h:1\nlog_keep=5\nregistration_token=\nmy.secret=${REDACTED}\nregion=eu\n`);
});

test('the archive: config redacted, logs with the rotated one, local API, doctor, versions; tar lists it', async () => {
  const out = join(dir, 'case-1234.tar.gz');
  const r = await writeBundle({ config: c.props, out });
  assert.equal(r.file, out);
  assert.equal(statSync(out).mode & 0o777, 0o600);
  const x = extract(out);
  for (const f of ['connector.properties', 'logs/connector.log', 'logs/connector.log.1', 'local-api/contexts-default.json',
    'local-api/status.json', 'state/registration.json', 'doctor.json', 'versions.json', 'manifest.json']) {
    assert.ok(x.list.includes(`${r.root}/${f}`), `${f} in ${x.list.join(', ')}`);
  }
  for (const s of [...SECRETS, token]) assert.ok(!x.all.includes(s), `secret ${s} leaked`);
  assert.ok(!x.list.some((n) => /device\.key|device\.crt/.test(n)), 'no key material');
  const props = x.read('connector.properties');
  assert.match(props, new RegExp(`registration_token=\\*\\*\\*REDACTED\\*\\*\\*`));
  assert.match(props, /proxy=http:\/\/\*\*\*REDACTED\*\*\*@proxy\.example:3128/);
  assert.match(props, /partner_api_secret = \*\*\*REDACTED\*\*\*/);
  assert.match(props, /connector_port=\d+/, 'the rest is intact');
  assert.match(x.read('logs/connector.log.1'), /activation with tlr1\.[^.]+\.\*\*\*REDACTED\*\*\*\.[0-9a-f]{64} failed/);
  assert.match(x.read('logs/connector.log'), /registered as device/);
  const ctx = JSON.parse(x.read('local-api/contexts-default.json'));
  assert.equal(ctx.status, 200);
  assert.equal(ctx.body.status, 'Enrolled');
  assert.equal(JSON.parse(x.read('local-api/status.json')).body.status, 'Enrolled');
  const v = JSON.parse(x.read('versions.json'));
  assert.equal(v.node, process.version);
  assert.match(v.threatlink, /^\d+\.\d+\.\d+/);
  assert.ok(v.os.release);
  assert.match(v.suricata ?? 'not installed', /Suricata version 7|not installed/);
  const doctor = JSON.parse(x.read('doctor.json'));
  assert.ok(doctor.checks || doctor.error, 'the doctor\'s report, or why there is none');
  const m = JSON.parse(x.read('manifest.json'));
  assert.ok(m.files.some((f: any) => f.name === 'logs/connector.log' && f.bytes > 0));
});

test('a stopped connector and a missing config still give an archive that says what is missing', async () => {
  const out = join(dir, 'empty.tar.gz');
  const r = await writeBundle({ config: join(dir, 'nope.properties'), out, doctor: async () => ({ exitCode: 2, report: { verdict: 'x', checks: [] }, error: null }) });
  const x = extract(out);
  assert.ok(x.list.includes(`${r.root}/manifest.json`));
  const m = JSON.parse(x.read('manifest.json'));
  assert.ok(m.problems.some((p: string) => /cannot read .*nope\.properties: ENOENT/.test(p)), m.problems.join('; '));
  assert.match(JSON.parse(x.read('local-api/contexts-default.json')).error, /connector_port unknown/);
});

test('--out: a directory gets the archive under its default name; a path that cannot be written is named before anything is collected', async () => {
  const outDir = join(dir, `outdir-${Date.now()}`);
  mkdirSync(outDir);
  let doctorRan = 0;
  const doctor = async () => { doctorRan++; return { exitCode: 0, report: { verdict: 'ok', checks: [] }, error: null }; };
  const r = await writeBundle({ config: join(dir, 'nope.properties'), out: outDir, doctor });
  assert.equal(r.file, join(outDir, `${r.root}.tar.gz`));
  assert.ok(statSync(r.file).isFile());
  doctorRan = 0;
  await assert.rejects(writeBundle({ config: join(dir, 'nope.properties'), out: join(dir, 'missing', 'x.tar.gz'), doctor }), /^Error: --out .*x\.tar\.gz: the directory .*missing does not exist$/);
  assert.equal(doctorRan, 0, 'nothing collected for an archive that could not be written');
  const cli = await runCliToEnd(['doctor', 'bundle', '--config', join(dir, 'nope.properties'), '--out', join(dir, 'missing', 'y.tar.gz')]);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /--out .*y\.tar\.gz: the directory .*missing does not exist/);
  assert.equal(cli.stdout, '');
});

test('through the CLI: threatlink doctor bundle --config … --out … (registered by the doctor command)', async (tt) => {
  const help = await runCliToEnd(['doctor', 'bundle', '--help']);
  if (help.code !== 0 || !/troubleshoot archive/.test(help.stdout)) {
    tt.skip('src/cli/doctor.ts does not call registerBundle(doctor) yet');
    return;
  }
  const out = join(dir, 'cli.tar.gz');
  const r = await runCliToEnd(['doctor', 'bundle', '--config', c.props, '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout);
  assert.equal(res.file, out);
  const x = extract(out);
  for (const s of [...SECRETS, token]) assert.ok(!x.all.includes(s), `secret ${s} leaked`);
  const doctor = JSON.parse(x.read('doctor.json'));
  assert.ok(Array.isArray(doctor.checks), 'the doctor ran and its JSON is in the archive');
  assert.ok(doctor.checks.some((ch: any) => ch.id === 'properties'));
  // The doctor's own --config, given before `bundle`, counts as well.
  const out2 = join(dir, 'cli2.tar.gz');
  const r2 = await runCliToEnd(['doctor', '--config', c.props, 'bundle', '--out', out2]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(r2.stdout, /wrote .*cli2\.tar\.gz/);
});
