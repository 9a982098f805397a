// The note's `lsof -i | grep conn` finds the connector by lsof's COMMAND column (the kernel's
// task name, 9 characters): a connector must show there as `connector`, its local API LISTEN
// and its uplink ESTABLISHED, while its command line — which `threatlink service` reads to know
// it and to restart it with its flags — stays as it was started.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startTestExchange, registrationToken, tmpDir, cleanup } from './helpers/exchange.js';
import { startConnector, eventually } from './helpers/connector.js';
import { runningConnectorPid } from '../src/connector/pid-lock.js';
import { livePid } from '../src/service/pid-file.js';
import { connectorTarget } from '../src/service/targets.js';

const cleanups: Array<() => unknown> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

function lsofAvailable(): boolean {
  try {
    execFileSync('lsof', ['-v'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    // `lsof -v` exits non-zero on some builds; only a missing binary means no lsof.
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

test("a running connector is `connector` to lsof -i | grep conn, and still a connector to threatlink service", async (tt) => {
  const t = await startTestExchange();
  cleanups.push(async () => { await t.close(); cleanup(t.dataDir); });
  const d = tmpDir('tl-procname-');
  cleanups.push(() => cleanup(d));
  const c = await startConnector(d, { exchange: new URL(t.url).host, token: await registrationToken(t) });
  cleanups.push(() => c.kill());
  await c.waitFor((x) => x.uplink?.state === 'connected', 20_000, 'connected');
  const pid = c.run.child.pid as number;

  assert.equal(readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), 'connector');
  // The command line is untouched: service restarts re-run it, flags and all.
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  assert.ok(argv.includes('--config') && argv.includes(c.props), argv.join(' '));
  const dataDir = join(d, 'data');
  assert.equal(runningConnectorPid(dataDir), pid);
  const target = connectorTarget(c.props);
  assert.equal(livePid(target.pidFile, target.isOurs), pid);

  if (!lsofAvailable()) return tt.skip('lsof is not installed');
  // The note's command, as it is typed: every socket, then grep.
  const lines = await eventually(async () => {
    const out = execFileSync('lsof', ['-nP', '-i'], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n').filter((l) => l.includes('conn'));
    const mine = out.filter((l) => l.split(/\s+/)[1] === String(pid));
    return mine.some((l) => /ESTABLISHED/.test(l)) ? mine : null;
  }, 10_000, 'the connector in lsof -i');
  for (const l of lines) assert.equal(l.split(/\s+/)[0], 'connector', l);
  assert.ok(lines.some((l) => new RegExp(`TCP 127\\.0\\.0\\.1:${c.port} \\(LISTEN\\)`).test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => new RegExp(`->127\\.0\\.0\\.1:${new URL(t.url).port} \\(ESTABLISHED\\)`).test(l)), lines.join('\n'));
});
