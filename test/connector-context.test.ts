// The local API's context: DELETE /v1/contexts/default then POST /v1/contexts/ works with
// connector_fqdn set, and what POST sets survives a restart (saved in the data dir, not in
// connector.properties, and winning over connector_fqdn).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, runCli, runCliToEnd } from './helpers/process.js';
import { cleanup, tmpDir } from './helpers/exchange.js';
import { startConnector, propertiesText } from './helpers/connector.js';

test('with connector_fqdn set: DELETE, then POST creates the context again', async () => {
  const dir = tmpDir('tl-ctx-');
  const c = await startConnector(dir, { exchange: 'exchange-a.invalid:8443' });
  try {
    assert.deepEqual((await c.local('/v1/contexts')).body.contexts.map((x: any) => x.name), ['default']);
    assert.equal((await c.local('/v1/contexts/', { method: 'POST', body: {} })).status, 409);
    assert.equal((await c.local('/v1/contexts/default', { method: 'DELETE' })).status, 204);
    assert.deepEqual((await c.local('/v1/contexts')).body.contexts, [], 'the deleted context is not listed');
    const r = await c.local('/v1/contexts/', { method: 'POST', body: { settings: { exchange: { fqdn: 'exchange-b.invalid:9443', registration: { refreshInterval: 60 } } } } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.exchange, 'exchange-b.invalid:9443');
    assert.deepEqual((await c.local('/v1/contexts')).body.contexts.map((x: any) => x.name), ['default']);
    await c.kill('SIGTERM');
    // connector.properties is untouched; the restart keeps the POSTed exchange and says it wins.
    assert.match(readFileSync(c.props, 'utf8'), /connector_fqdn=exchange-a\.invalid:8443/);
    const again = await startConnector(dir, { exchange: 'exchange-a.invalid:8443', port: c.port });
    try {
      const ctx = (await again.local('/v1/contexts/default')).body;
      assert.equal(ctx.exchange, 'exchange-b.invalid:9443');
      assert.equal(ctx.settings.registration_interval, 60);
      assert.match(readFileSync(`${dir}/data/connector.log`, 'utf8'), /overrides connector_fqdn=exchange-a\.invalid:8443/);
      // DELETE goes back to connector.properties for the next start.
      assert.equal((await again.local('/v1/contexts/default', { method: 'DELETE' })).status, 204);
    } finally {
      await again.kill('SIGTERM');
    }
    const third = await startConnector(dir, { exchange: 'exchange-a.invalid:8443', port: c.port });
    try {
      assert.equal((await third.local('/v1/contexts/default')).body.exchange, 'exchange-a.invalid:8443');
    } finally {
      await third.kill('SIGTERM');
    }
  } finally {
    await c.kill('SIGKILL');
    cleanup(dir);
  }
});

test('without connector_fqdn: a POSTed context survives a restart', async () => {
  const dir = tmpDir('tl-ctx-');
  const c = await startConnector(dir, { exchange: '' });
  try {
    assert.deepEqual((await c.local('/v1/contexts')).body.contexts, []);
    const r = await c.local('/v1/contexts/', { method: 'POST', body: { settings: { exchange: { fqdn: 'exchange-c.invalid' } } } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    await c.kill('SIGTERM');
    const again = await startConnector(dir, { exchange: '', port: c.port });
    try {
      assert.deepEqual((await again.local('/v1/contexts')).body.contexts.map((x: any) => x.name), ['default']);
      assert.equal((await again.local('/v1/contexts/default')).body.exchange, 'exchange-c.invalid:443');
      assert.equal((await again.local('/v1/contexts/', { method: 'POST', body: {} })).status, 409);
    } finally {
      await again.kill('SIGTERM');
    }
  } finally {
    await c.kill('SIGKILL');
    cleanup(dir);
  }
});

test('connector without --config reads $THREATLINK_CONNECTOR_CONFIG, as doctor and service do; with neither, the default path is named', async () => {
  const dir = tmpDir('tl-ctx-');
  try {
    const port = await freePort();
    const props = join(dir, 'from-env.properties');
    writeFileSync(props, propertiesText({ exchange: '', port, dir }));
    const run = await runCli(['connector'], { THREATLINK_CONNECTOR_CONFIG: props }, /local API/);
    try {
      const ctx = await (await fetch(`http://127.0.0.1:${port}/v1/contexts/default`)).json() as { config_file: string };
      assert.equal(ctx.config_file, props);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
    const none = await runCliToEnd(['connector'], { THREATLINK_CONNECTOR_CONFIG: '' });
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /\/etc\/threatlink\/connector\.properties/);
  } finally {
    cleanup(dir);
  }
});
