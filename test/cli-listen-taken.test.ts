// A port already taken, as `up` and `connector` report it: the option or key that chose it, the
// address, and a way out, rather than Node's bare "listen EADDRINUSE".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { tmpDir, cleanup } from './helpers/exchange.js';
import { freePort, runCliToEnd } from './helpers/process.js';

async function holdPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { port, server };
}

test('up on a taken port names --listen and the address', { timeout: 60_000 }, async () => {
  const dir = tmpDir('tl-cli-taken-');
  const { port, server } = await holdPort();
  try {
    const r = await runCliToEnd(['up', '--data-dir', dir, '--listen', `127.0.0.1:${port}`], { THREATLINK_LOG_LEVEL: 'warn' }, 30_000);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.includes(`--listen 127.0.0.1:${port}: the port is in use by another program (EADDRINUSE)`), r.stderr);
  } finally {
    server.close();
    cleanup(dir);
  }
});

test('up on an address this host does not have names --listen and the address', { timeout: 60_000 }, async () => {
  const dir = tmpDir('tl-cli-noaddr-');
  try {
    // TEST-NET-1 (RFC 5737): never an address of this host.
    const r = await runCliToEnd(['up', '--data-dir', dir, '--listen', '192.0.2.1:18443'], { THREATLINK_LOG_LEVEL: 'warn' }, 30_000);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes('--listen 192.0.2.1:18443: 192.0.2.1 is not an address of this host (EADDRNOTAVAIL)'), r.stderr);
  } finally {
    cleanup(dir);
  }
});

test('a connector whose connector_port is taken names the key, its value and the file', { timeout: 60_000 }, async () => {
  const dir = tmpDir('tl-cli-cport-');
  const { port, server } = await holdPort();
  try {
    const props = join(dir, 'connector.properties');
    writeFileSync(props, `connector_port=${port}\ndata_dir=${join(dir, 'data')}\n`);
    const r = await runCliToEnd(['connector', '--config', props], {}, 30_000);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(`connector_port=${port} (${props}): the port is in use by another program (EADDRINUSE)`), r.stderr);
  } finally {
    server.close();
    cleanup(dir);
  }
});
