// token, org and ca-fingerprint on a data dir they cannot use: one this user may not read is not
// "no exchange, run up once" (which would make a second one), and a file that is not what an
// exchange writes is named, not left as SQLite's or OpenSSL's bare complaint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir, cleanup, startTestExchange } from './helpers/exchange.js';
import { runCliToEnd } from './helpers/process.js';

const COMMANDS = [['token', 'create'], ['org', 'create', 'acme'], ['org', 'list'], ['ca-fingerprint']];

test('a data dir this user may not read: permission denied, the file named, no "run up once"', { timeout: 120_000 }, async () => {
  const parent = tmpDir('tl-cli-eacces-');
  const dir = join(parent, 'data');
  const t = await startTestExchange(dir);
  await t.close();
  // Root reads anything: run as nobody then; anyone else is kept out by the mode alone.
  const root = process.getuid?.() === 0;
  const as = root ? { uid: 65534, gid: 65534 } : undefined;
  chmodSync(parent, 0o755);
  chmodSync(dir, root ? 0o700 : 0o000);
  try {
    for (const args of COMMANDS) {
      const r = await runCliToEnd([...args, '--data-dir', dir], {}, 30_000, as);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
      assert.equal(r.stdout, '');
      assert.ok(r.stderr.includes(`cannot read ${join(dir, 'ca', 'ca.crt')}: permission denied`), `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /once first/, args.join(' '));
    }
  } finally {
    chmodSync(dir, 0o700);
    cleanup(parent);
  }
});

test('files that are not an exchange\'s: the file is named', { timeout: 60_000 }, async () => {
  const dir = tmpDir('tl-cli-junk-');
  try {
    mkdirSync(join(dir, 'ca'));
    writeFileSync(join(dir, 'ca', 'ca.crt'), 'not a certificate\n');
    writeFileSync(join(dir, 'exchange.db'), 'not a database either, but long enough to be read as a header by SQLite\n'.repeat(10));
    for (const args of [['token', 'create'], ['org', 'list']]) {
      const r = await runCliToEnd([...args, '--data-dir', dir], {}, 30_000);
      assert.equal(r.code, 1, args.join(' '));
      assert.ok(r.stderr.includes(`${join(dir, 'exchange.db')}: file is not a database`), `${args.join(' ')}: ${r.stderr}`);
    }
    const fp = await runCliToEnd(['ca-fingerprint', '--data-dir', dir], {}, 30_000);
    assert.equal(fp.code, 1);
    assert.ok(fp.stderr.includes(`${join(dir, 'ca', 'ca.crt')} is not a PEM certificate`), fp.stderr);
  } finally {
    cleanup(dir);
  }
});

test('service status where this user may not read the pid file: unknown (exit 4, as the LSB says), not stopped', { timeout: 60_000 }, async () => {
  const parent = tmpDir('tl-svc-eacces-');
  const dir = join(parent, 'data');
  mkdirSync(dir);
  writeFileSync(join(dir, 'exchange.pid'), `${process.pid}\n`);
  const root = process.getuid?.() === 0;
  const as = root ? { uid: 65534, gid: 65534 } : undefined;
  chmodSync(parent, 0o755);
  chmodSync(dir, root ? 0o700 : 0o000);
  try {
    const r = await runCliToEnd(['service', 'status', 'exchange', '--data-dir', dir, '--manager', 'pidfile'], {}, 30_000, as);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stdout, /^exchange: unknown/);
    assert.ok(r.stdout.includes(`cannot read ${join(dir, 'exchange.pid')}: permission denied`), r.stdout);
    const j = await runCliToEnd(['service', 'status', 'exchange', '--data-dir', dir, '--manager', 'pidfile', '--json'], {}, 30_000, as);
    assert.equal(j.code, 4);
    assert.equal(JSON.parse(j.stdout).state, 'unknown');
  } finally {
    chmodSync(dir, 0o700);
    cleanup(parent);
  }
});
