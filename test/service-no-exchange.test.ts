// `threatlink service … exchange --data-dir DIR` where DIR holds no exchange (a typo, the wrong
// host): a start from there would make a new exchange, with a new CA and admin credentials
// printed only into its log file. Refused instead, naming the dir and the first start to run.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir, cleanup } from './helpers/exchange.js';
import { freePort, runCliToEnd } from './helpers/process.js';
import { isAlive } from '../src/service/proc.js';

const parent = tmpDir('tl-svc-none-');
const started: number[] = [];
after(() => {
  for (const p of started) if (isAlive(p)) process.kill(p, 'SIGKILL');
  cleanup(parent);
});

test('enable, restart and disable refuse a data dir with no exchange and make nothing; status says why', { timeout: 90_000 }, async () => {
  const d = join(parent, 'typo');
  // Should one start anyway, it listens where nothing else does and is killed after.
  const env = { THREATLINK_LISTEN: `127.0.0.1:${await freePort()}`, THREATLINK_LOG_LEVEL: 'warn' };
  for (const verb of ['enable', 'restart', 'disable']) {
    const r = await runCliToEnd(['service', verb, 'exchange', '--data-dir', d, '--start-timeout', '20000'], env, 40_000);
    const pid = /started exchange \(pid (\d+)\)/.exec(r.stdout)?.[1];
    if (pid) started.push(Number(pid));
    assert.equal(r.code, 1, `${verb}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stdout, '', verb);
    assert.ok(r.stderr.includes(`--data-dir ${d}: no exchange there (no ca/ca.crt)`), `${verb}: ${r.stderr}`);
    assert.ok(r.stderr.includes(`threatlink up --data-dir ${d}`), `${verb}: ${r.stderr}`);
  }
  assert.equal(existsSync(d), false, 'nothing was made');
  const st = await runCliToEnd(['service', 'status', 'exchange', '--data-dir', d]);
  assert.equal(st.code, 3);
  assert.ok(st.stdout.includes('no exchange there (no ca/ca.crt)'), st.stdout);
});
