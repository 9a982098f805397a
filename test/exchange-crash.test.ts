// kill -9 of the exchange while devices stream: after a restart every acknowledged event is
// stored, and replaying everything makes no second row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir, cleanup, DeviceSocket, intrusion, ADMIN_ID, ADMIN_SECRET, type EnrolledDevice } from './helpers/exchange.js';
import { https, accessToken, registrationTokenAt } from './helpers/https.js';
import { freePort, runCli, type Running } from './helpers/process.js';
import { generateKeyAndCsr } from '../src/pki/x509.js';
import { openSqliteStores } from '../src/exchange/store/sqlite/index.js';
import type { NormalizedEvent } from '../src/events/event.js';

const env = { THREATLINK_BOOTSTRAP_CLIENT_ID: ADMIN_ID, THREATLINK_BOOTSTRAP_CLIENT_SECRET: ADMIN_SECRET, THREATLINK_LOG_LEVEL: 'warn' };

async function start(dataDir: string, port: number): Promise<Running> {
  return runCli(['up', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`], env, /listening on/);
}

async function enrollOver(url: string, ca: string): Promise<EnrolledDevice> {
  const token = await registrationTokenAt(url, ca, await accessToken(url, ca, ADMIN_ID, ADMIN_SECRET));
  const { keyPem, csrPem } = await generateKeyAndCsr('crash-sensor');
  const r = await https(`${url}/providers/sse/services/registration/api/v2/clients`, { method: 'POST', ca, body: { token, csr: csrPem, name: 'crash-sensor' } });
  assert.equal(r.status, 201, r.text);
  return { deviceId: r.body.device_id, key: keyPem, cert: r.body.certificate, ca: r.body.ca, endpoints: r.body.endpoints };
}

/** Streams batches with several in flight until the socket dies; returns the acked event ids. */
async function streamUntilDeath(dev: EnrolledDevice, events: NormalizedEvent[], onAcks: (n: number) => void): Promise<Set<string>> {
  const acked = new Set<string>();
  const s = await DeviceSocket.connect(dev);
  await s.hello();
  const batches = new Map<number, NormalizedEvent[]>();
  const size = 200;
  let next = 0;
  let seq = 0;
  const window = 6;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (batches.size < window && next < events.length && s.ws.readyState === s.ws.OPEN) {
        const b = events.slice(next, next + size);
        next += size;
        batches.set(++seq, b);
        s.ws.send(JSON.stringify({ type: 'batch', seq, events: b }));
      }
      if (next >= events.length && batches.size === 0) resolve();
    };
    s.ws.on('message', (d) => {
      const f = JSON.parse(d.toString());
      if (f.type !== 'ack') return;
      for (const e of batches.get(f.seq) ?? []) acked.add(e.event_id);
      batches.delete(f.seq);
      onAcks(acked.size);
      pump();
    });
    s.ws.on('close', () => resolve());
    s.ws.on('error', () => resolve());
    pump();
  });
  return acked;
}

test('kill -9 during ingest loses no acknowledged event', { timeout: 180_000 }, async () => {
  const dataDir = tmpDir('tl-crash-');
  const port = await freePort();
  let ex = await start(dataDir, port);
  const url = `https://127.0.0.1:${port}`;
  const ca = readFileSync(join(dataDir, 'ca', 'ca.crt'), 'utf8');
  const dev = await enrollOver(url, ca);
  const all = Array.from({ length: 30_000 }, (_, i) => intrusion({ event_id: `crash-${i}` }));
  const ackedEver = new Set<string>();
  let offset = 0;
  for (let round = 0; round < 3; round++) {
    const target = 2000 + round * 1500;
    const acked = await streamUntilDeath(dev, all.slice(offset), (n) => {
      if (n >= target && ex.child.exitCode === null && !ex.child.killed) ex.child.kill('SIGKILL');
    });
    for (const id of acked) ackedEver.add(id);
    await ex.exited;
    assert.ok(acked.size >= target, `round ${round}: ${acked.size} acked before the kill`);
    offset += acked.size;
    ex = await start(dataDir, port);
  }
  // Replay everything from the start, as a connector that lost its place would.
  const acked = await streamUntilDeath(dev, all, () => {});
  assert.equal(acked.size, all.length);
  ex.child.kill('SIGTERM');
  await ex.exited;

  const stores = openSqliteStores(join(dataDir, 'exchange.db'));
  try {
    const org = (await stores.orgs.list())[0]!;
    const stored = new Map<string, number>();
    let cursor: string | undefined;
    do {
      const page = await stores.events.query(org.id, { device: dev.deviceId, limit: 1000, cursor });
      for (const e of page.data) stored.set(e.event_id, (stored.get(e.event_id) ?? 0) + 1);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    const missing = [...ackedEver].filter((id) => !stored.has(id));
    assert.deepEqual(missing.slice(0, 5), [], `${missing.length} acknowledged events lost`);
    assert.equal(stored.size, all.length, 'every event stored once after the replay');
    assert.ok([...stored.values()].every((n) => n === 1), 'no event stored twice');
    assert.equal(await stores.events.count(org.id), all.length);
  } finally {
    await stores.close();
    cleanup(dataDir);
  }
});
