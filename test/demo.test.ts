// `threatlink up --demo`: a newcomer sees events flow within seconds, through the real path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir, cleanup, ADMIN_ID, ADMIN_SECRET } from './helpers/exchange.js';
import { https, accessToken } from './helpers/https.js';
import { freePort, runCli, runCliToEnd } from './helpers/process.js';
import { runDoctor, expectCheck, summary } from './helpers/doctor.js';
import { eventually } from './helpers/connector.js';

test('up --demo enrolls a local connector and simulated alerts reach the exchange', { timeout: 60_000 }, async () => {
  const dir = tmpDir('tl-demo-');
  const port = await freePort();
  const cport = await freePort();
  const env = { THREATLINK_BOOTSTRAP_CLIENT_ID: ADMIN_ID, THREATLINK_BOOTSTRAP_CLIENT_SECRET: ADMIN_SECRET, THREATLINK_LOG_LEVEL: 'warn' };
  const up = await runCli(['up', '--demo', '--data-dir', dir, '--listen', `127.0.0.1:${port}`, '--demo-connector-port', String(cport), '--demo-rate', '20'], env, /demo sensor/);
  try {
    assert.match(up.output(), /demo connector\s+Enrolled/);
    const ca = readFileSync(join(dir, 'ca', 'ca.crt'), 'utf8');
    const token = await accessToken(`https://127.0.0.1:${port}`, ca, ADMIN_ID, ADMIN_SECRET);
    const events = await eventually(async () => {
      const r = await https(`https://127.0.0.1:${port}/api/v1/events?limit=100`, { ca, token });
      return r.body.data.length >= 20 ? r.body.data : null;
    }, 20_000, 'demo events at the exchange');
    // varied, realistic alerts: several signatures, internal and external hosts, observables
    assert.ok(new Set(events.map((e: any) => e.signature.sid)).size >= 3);
    assert.ok(events.some((e: any) => e.src_ip.startsWith('10.') || e.src_ip.startsWith('192.168.')));
    assert.ok(events.some((e: any) => (e.observables?.domain ?? []).length > 0));
    const devices = await https(`https://127.0.0.1:${port}/api/v1/devices`, { ca, token });
    assert.equal(devices.body.data.length, 1);
    assert.equal(devices.body.data[0].connection_state, 'connected');
    const local = await (await fetch(`http://127.0.0.1:${cport}/v1/contexts/default`)).json() as any;
    assert.equal(local.status, 'Enrolled');
    assert.equal(local.uplink.state, 'connected');
    assert.equal(local.embedded_in, 'threatlink up --demo');

    // A newcomer's next step: the doctor on the demo's connector finds nothing wrong, and knows
    // the connector lives inside `up --demo` (no pid file of its own is not a fault).
    const props = join(dir, 'demo', 'connector.properties');
    const d = await runDoctor(props);
    assert.equal(d.code, 0, summary(d));
    expectCheck(d, 'process', ['ok'], /inside `threatlink up --demo`/);
    // The service tools do not start a second connector beside it.
    const restart = await runCliToEnd(['service', 'restart', 'connector', '--config', props]);
    assert.notEqual(restart.code, 0);
    assert.match(restart.stderr, /runs inside `threatlink up --demo` \(pid \d+\).*restart that command/);
    const st = await runCliToEnd(['service', 'status', 'connector', '--config', props, '--json']);
    assert.equal(st.code, 0, st.stderr);
    const status = JSON.parse(st.stdout);
    assert.equal(status.state, 'running');
    assert.equal(status.pid, local.pid);
  } finally {
    up.child.kill('SIGTERM');
    assert.equal(await up.exited, 0);
    cleanup(dir);
  }
});
