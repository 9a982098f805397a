// The doctor's report never carries a secret from connector.properties, and its remedies name
// the config that was diagnosed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir, cleanup } from './helpers/exchange.js';
import { freePort, runCliToEnd } from './helpers/process.js';
import { redactUrl } from '../src/doctor/redact-url.js';

test('redactUrl keeps the user and hides the password', () => {
  assert.equal(redactUrl('http://alice:s3cr%40t@proxy.lab:3128'), 'http://alice:REDACTED@proxy.lab:3128/');
  assert.equal(redactUrl('http://proxy.lab:3128'), 'http://proxy.lab:3128/');
});

test('a proxy password in connector.properties never reaches the report; remedies name --config', async () => {
  const dir = tmpDir('tl-doctor-redact-');
  try {
    const props = join(dir, 'connector.properties');
    writeFileSync(props, [
      `connector_port=${await freePort()}`, 'connector_fqdn=127.0.0.1:9', `data_dir=${join(dir, 'data')}`,
      'proxy=http://alice:hunter2-secret@127.0.0.1:9', '',
    ].join('\n'));
    const r = await runCliToEnd(['doctor', '--config', props, '--json', '--timeout', '3000']);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(!r.stdout.includes('hunter2-secret'), 'the password is in the report');
    assert.match(r.stdout, /alice:REDACTED@/);
    const report = JSON.parse(r.stdout) as { checks: Array<{ id: string; remedy?: string }> };
    const restart = report.checks.map((c) => c.remedy ?? '').filter((x) => x.includes('threatlink service'));
    assert.ok(restart.length > 0, 'some remedy restarts the connector');
    for (const x of restart) assert.ok(x.includes(`--config ${props}`), x);
  } finally {
    cleanup(dir);
  }
});
