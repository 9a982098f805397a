// The whole server on PostgreSQL (`--store postgres://…`): the same API and ingest as on SQLite,
// and two exchange nodes on one database sharing orgs, devices and events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { startTestExchange, cleanup, enrollDevice, DeviceSocket, intrusion, tmpDir } from './helpers/exchange.js';
import { freshSchemaUrl, needsPg } from './helpers/pg.js';

const opts = await needsPg();

test('one node on PostgreSQL: enroll, ingest with acks and dedup, search, incidents, console users', opts, async () => {
  const { url, drop } = freshSchemaUrl();
  const t = await startTestExchange(tmpDir(), { store: url });
  try {
    const dev = await enrollDevice(t, 'pg-sensor');
    const s = await DeviceSocket.connect(dev);
    await s.hello();
    const events = Array.from({ length: 20 }, (_, i) => intrusion({ dst_ip: `198.51.100.${i + 1}`, signature: { gid: 1, sid: 2024217, rev: 1, message: 'ET MALWARE pg', classification: 'trojan-activity', priority: 1 } }));
    const ack = await s.sendBatch(1, events);
    assert.equal(ack.accepted, 20);
    const again = await s.sendBatch(2, events.slice(0, 5));
    assert.equal(again.duplicates, 5, 'a resent batch is acked as duplicates…');
    const stored = await t.api('/api/v1/events?limit=100');
    assert.equal(stored.body.data.length, 20, '…and stored once');
    assert.equal((await t.api('/api/v1/events?observable=198.51.100.7')).body.data.length, 1);
    assert.equal((await t.api(`/api/v1/devices/${dev.deviceId}`)).body.connection_state, 'connected');
    // Response on the same database: the priority-1 rule opens an incident from these events.
    const incident = await waitFor(async () => (await t.api('/ctia/incident/search?limit=5')).body[0]);
    assert.match(incident.title, /ET MALWARE pg/);
    // The bootstrap console user lives there too.
    assert.equal((await t.api('/console/api/users')).body.data[0].username, 'admin');
    s.close();
  } finally {
    await t.close();
    cleanup(t.dataDir);
    await drop();
  }
});

test('two nodes on one database: a device enrolled on A streams to B; both see the same events', opts, async () => {
  const { url, drop } = freshSchemaUrl();
  const a = await startTestExchange(tmpDir(), { store: url });
  // B shares A's CA (the data dir's ca/), as nodes behind one name do.
  const bDir = tmpDir();
  cpSync(join(a.dataDir, 'ca'), join(bDir, 'ca'), { recursive: true });
  const b = await startTestExchange(bDir, { store: url });
  try {
    const dev = await enrollDevice(a, 'roaming-sensor');
    const onB = await DeviceSocket.connect(dev, (dev.endpoints.eventing as string).replace(new URL(a.url).host, new URL(b.url).host));
    await onB.hello();
    const ack = await onB.sendBatch(1, Array.from({ length: 10 }, () => intrusion()));
    assert.equal(ack.accepted, 10);
    onB.close();
    assert.equal((await a.api('/api/v1/events?limit=100')).body.data.length, 10, 'node A sees what B stored');
    assert.equal((await b.api(`/api/v1/devices/${dev.deviceId}`)).body.name, 'roaming-sensor');
  } finally {
    await b.close();
    await a.close();
    cleanup(a.dataDir);
    cleanup(bDir);
    await drop();
  }
});

async function waitFor<T>(f: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
