// `threatlink up` on a data dir another exchange already runs on: two processes on one SQLite
// database (two retention loops, two incident engines), and the second's pid file would hide
// the first from `threatlink service`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir, cleanup } from './helpers/exchange.js';
import { freePort, runCli, runCliToEnd } from './helpers/process.js';

test('a second up on a data dir whose exchange runs is refused, naming it; the running one keeps its pid file', { timeout: 60_000 }, async () => {
  const dir = tmpDir('tl-cli-twice-');
  const env = { THREATLINK_LOG_LEVEL: 'warn' };
  const first = await runCli(['up', '--data-dir', dir, '--listen', `127.0.0.1:${await freePort()}`], env, /health/);
  try {
    const second = await runCliToEnd(['up', '--data-dir', dir, '--listen', `127.0.0.1:${await freePort()}`], env, 20_000);
    assert.equal(second.timedOut, false, `it must not start beside the first:\n${second.stdout}`);
    assert.equal(second.code, 1);
    assert.equal(second.stdout, '');
    assert.ok(second.stderr.includes(`an exchange (pid ${first.child.pid}) already runs on --data-dir ${dir}`), second.stderr);
    assert.ok(second.stderr.includes(`threatlink service disable exchange --data-dir ${dir}`), second.stderr);
    assert.equal(readFileSync(join(dir, 'exchange.pid'), 'utf8').trim(), String(first.child.pid));
    const status = await runCliToEnd(['service', 'status', 'exchange', '--data-dir', dir, '--json']);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(JSON.parse(status.stdout).pid, first.child.pid);
  } finally {
    first.child.kill('SIGTERM');
    await first.exited;
    cleanup(dir);
  }
});
