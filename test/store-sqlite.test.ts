import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStores } from '../src/exchange/store/sqlite/index.js';
import { MIGRATIONS } from '../src/exchange/store/sqlite/schema.js';
import type { CommitItem, Stores } from '../src/exchange/store/types.js';
import type { NormalizedEvent, StoredEvent } from '../src/events/event.js';

/** A fresh database file in its own tmp dir (a subdirectory, so open must create it). */
function setup(t: { after: (fn: () => void | Promise<void>) => void }): { file: string; stores: Stores; reopen: () => Promise<Stores> } {
  const dir = mkdtempSync(join(tmpdir(), 'threatlink-store-'));
  const file = join(dir, 'data', 'exchange.db');
  const state = { stores: openSqliteStores(file) };
  t.after(async () => {
    await state.stores.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    file,
    stores: state.stores,
    reopen: async () => {
      await state.stores.close();
      state.stores = openSqliteStores(file);
      return state.stores;
    },
  };
}

const T0 = Date.parse('2025-03-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function alert(id: string, over: Partial<NormalizedEvent> = {}): NormalizedEvent {
  return {
    event_id: id,
    type: 'intrusion',
    time: iso(T0),
    src_ip: '10.0.0.5',
    src_port: 51234,
    dst_ip: '203.0.113.7',
    dst_port: 80,
    protocol: 'tcp',
    signature: { gid: 1, sid: 2024897, rev: 3, message: 'ET USER_AGENTS Go HTTP Client', classification: 'Potentially Bad Traffic', priority: 2 },
    action: 'allowed',
    app_proto: 'http',
    ...over,
  };
}

function items(org: string, device: string, events: NormalizedEvent[]): CommitItem[] {
  return events.map((event) => ({ org_id: org, device_id: device, event }));
}

async function all(stores: Stores, org: string, q: Parameters<Stores['events']['query']>[1]): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await stores.events.query(org, { ...q, cursor, limit: 1000 });
    out.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

test('open creates the directory, applies the migrations, and reopening keeps the version', async (t) => {
  const { file, reopen } = setup(t);
  await reopen();
  const db = new Database(file, { readonly: true });
  try {
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  } finally {
    db.close();
  }
});

test('orgs: create, get, list, cloud events switch', async (t) => {
  const { stores } = setup(t);
  const a = await stores.orgs.create('Acme');
  const b = await stores.orgs.create('Globex');
  assert.equal(a.cloud_events, true);
  assert.deepEqual(await stores.orgs.get(a.id), a);
  assert.equal(await stores.orgs.get('nope'), null);
  assert.deepEqual((await stores.orgs.list()).map((o) => o.id).sort(), [a.id, b.id].sort());
  await stores.orgs.setCloudEvents(a.id, false);
  assert.equal((await stores.orgs.get(a.id))?.cloud_events, false);
  assert.equal((await stores.orgs.get(b.id))?.cloud_events, true);
});

test('clients: org isolation, access token expiry, and delete cascading to tokens', async (t) => {
  const { stores } = setup(t);
  const a = await stores.orgs.create('A');
  const b = await stores.orgs.create('B');
  const c1 = await stores.clients.create({ id: 'client-1', org_id: a.id, name: 'one', role: 'admin', secretHash: 'h1' });
  const c2 = await stores.clients.create({ org_id: b.id, name: 'two', role: 'analyst', secretHash: 'h2' });
  assert.equal(c1.id, 'client-1');
  assert.match(c2.id, /^[0-9a-f-]{36}$/);
  assert.equal(c1.last_used_at, null);
  assert.deepEqual(await stores.clients.getWithSecret('client-1'), { ...c1, secretHash: 'h1' });
  assert.deepEqual((await stores.clients.list(a.id)).map((c) => c.id), ['client-1']);
  assert.deepEqual((await stores.clients.list(b.id)).map((c) => c.id), [c2.id]);
  assert.equal(await stores.clients.count(), 2);

  await stores.clients.touch('client-1', '2025-03-01T10:00:00.000Z');
  assert.equal((await stores.clients.getWithSecret('client-1'))?.last_used_at, '2025-03-01T10:00:00.000Z');

  const live = { client_id: 'client-1', org_id: a.id, role: 'admin' as const, expires_at: Date.now() + 60_000 };
  await stores.clients.saveAccessToken('tok-live', live);
  await stores.clients.saveAccessToken('tok-old', { ...live, expires_at: Date.now() - 1 });
  assert.deepEqual(await stores.clients.getAccessToken('tok-live'), live);
  assert.equal(await stores.clients.getAccessToken('tok-old'), null, 'expired');
  assert.equal(await stores.clients.getAccessToken('tok-unknown'), null);

  assert.equal(await stores.clients.delete(b.id, 'client-1'), false, 'not in that org');
  assert.ok(await stores.clients.getWithSecret('client-1'));
  assert.ok(await stores.clients.getAccessToken('tok-live'));
  assert.equal(await stores.clients.delete(a.id, 'client-1'), true);
  assert.equal(await stores.clients.getWithSecret('client-1'), null);
  assert.equal(await stores.clients.getAccessToken('tok-live'), null, 'token went with its client');
  assert.equal(await stores.clients.count(), 1);
});

test('registration tokens: org isolation, revoke, and spend is atomic', async (t) => {
  const { stores } = setup(t);
  const a = await stores.orgs.create('A');
  const b = await stores.orgs.create('B');
  const base = { org_id: a.id, device_id: null, service_type: ['snort'], expires_at: '2030-01-01T00:00:00.000Z', secretHash: 's' };
  const once = await stores.tokens.create({ ...base, id: 'rt-once', uses_allowed: 1 });
  await stores.tokens.create({ ...base, id: 'rt-twice', uses_allowed: 2, device_id: 'dev-9' });
  await stores.tokens.create({ ...base, id: 'rt-b', org_id: b.id, uses_allowed: 5 });
  assert.equal(once.uses, 0);
  assert.equal(once.revoked, false);
  assert.deepEqual(await stores.tokens.get('rt-once'), { ...once, secretHash: 's' });
  assert.deepEqual((await stores.tokens.list(a.id)).map((x) => x.id).sort(), ['rt-once', 'rt-twice']);
  assert.deepEqual((await stores.tokens.list(b.id)).map((x) => x.id), ['rt-b']);
  assert.equal((await stores.tokens.get('rt-twice'))?.device_id, 'dev-9');

  assert.equal(await stores.tokens.spend('rt-once'), true);
  assert.equal(await stores.tokens.spend('rt-once'), false, 'its one use is gone');
  assert.equal((await stores.tokens.get('rt-once'))?.uses, 1);
  // Racing spends: exactly uses_allowed of them win.
  const wins = await Promise.all([1, 2, 3, 4].map(() => stores.tokens.spend('rt-twice')));
  assert.equal(wins.filter(Boolean).length, 2);
  assert.equal(await stores.tokens.spend('nope'), false);

  assert.equal(await stores.tokens.revoke(a.id, 'rt-b'), false, 'not in that org');
  assert.equal(await stores.tokens.revoke(b.id, 'rt-b'), true);
  assert.equal((await stores.tokens.get('rt-b'))?.revoked, true);
  assert.equal(await stores.tokens.spend('rt-b'), false, 'revoked');
});

test('devices: defaults, isolation, connection state, heartbeat, counters, certs revoked on delete', async (t) => {
  const { stores } = setup(t);
  const a = await stores.orgs.create('A');
  const b = await stores.orgs.create('B');
  const d = await stores.devices.create({ id: 'dev-1', org_id: a.id, name: 'edge', hostname: 'edge.local', version: '1.0', service_type: 'snort' });
  await stores.devices.create({ id: 'dev-2', org_id: b.id, name: 'other', hostname: 'o', version: '1.0', service_type: 'snort' });
  assert.equal(d.cloud_events, true);
  assert.equal(d.connection_state, 'never');
  assert.equal(d.state_since, d.registered_at);
  assert.deepEqual(await stores.devices.get(a.id, 'dev-1'), d);
  assert.equal(await stores.devices.get(b.id, 'dev-1'), null);
  assert.equal((await stores.devices.getAny('dev-1'))?.org_id, a.id);
  assert.deepEqual((await stores.devices.list(a.id)).map((x) => x.id), ['dev-1']);

  assert.equal(await stores.devices.update(b.id, 'dev-1', { name: 'x' }), null);
  const u = await stores.devices.update(a.id, 'dev-1', { name: 'edge-2', cloud_events: false });
  assert.equal(u?.name, 'edge-2');
  assert.equal(u?.cloud_events, false);
  assert.equal((await stores.devices.update(a.id, 'dev-1', { cloud_events: true }))?.name, 'edge-2');

  await stores.devices.setConnection('dev-1', 'connected', '192.0.2.1:5000', '2025-03-01T10:00:00.000Z');
  await stores.devices.setConnection('dev-1', 'connected', '192.0.2.1:5001', '2025-03-01T10:05:00.000Z');
  let got = await stores.devices.get(a.id, 'dev-1');
  assert.equal(got?.connection_state, 'connected');
  assert.equal(got?.state_since, '2025-03-01T10:00:00.000Z', 'unchanged state keeps its since');
  assert.equal(got?.remote_address, '192.0.2.1:5001');
  assert.equal(got?.last_seen, '2025-03-01T10:05:00.000Z');
  await stores.devices.setConnection('dev-1', 'disconnected', null, '2025-03-01T11:00:00.000Z');
  got = await stores.devices.get(a.id, 'dev-1');
  assert.equal(got?.connection_state, 'disconnected');
  assert.equal(got?.state_since, '2025-03-01T11:00:00.000Z');

  const err = { message: 'spool full', time: '2025-03-01T11:01:00.000Z' };
  await stores.devices.heartbeat('dev-1', '2025-03-01T11:02:00.000Z', { spool: 3, nested: { a: [1] } }, err);
  await stores.devices.heartbeat('dev-1', '2025-03-01T11:03:00.000Z', { spool: 0 }, undefined);
  got = await stores.devices.get(a.id, 'dev-1');
  assert.deepEqual(got?.status, { spool: 0 });
  assert.deepEqual(got?.last_error, err, 'undefined keeps the last error');
  assert.equal(got?.last_seen, '2025-03-01T11:03:00.000Z');
  await stores.devices.heartbeat('dev-1', '2025-03-01T11:04:00.000Z', { spool: 0 }, null);
  assert.equal((await stores.devices.get(a.id, 'dev-1'))?.last_error, null, 'null clears it');

  await stores.devices.addCounters('dev-1', 10, 2, '2025-03-01T11:05:00.000Z');
  await stores.devices.addCounters('dev-1', 5, 0, '2025-03-01T11:06:00.000Z');
  got = await stores.devices.get(a.id, 'dev-1');
  assert.equal(got?.events_received, 15);
  assert.equal(got?.events_rejected, 2);

  const cert = { serial: '0a1b', device_id: 'dev-1', org_id: a.id, not_after: '2026-03-01T00:00:00.000Z', revoked: false };
  await stores.devices.addCert(cert);
  await stores.devices.addCert({ ...cert, serial: '0a1c' });
  assert.deepEqual(await stores.devices.getCert('0a1b'), cert);
  assert.equal(await stores.devices.getCert('ffff'), null);

  assert.equal(await stores.devices.delete(b.id, 'dev-1'), false, 'not in that org');
  assert.equal((await stores.devices.getCert('0a1b'))?.revoked, false);
  assert.equal(await stores.devices.delete(a.id, 'dev-1'), true);
  assert.equal(await stores.devices.getAny('dev-1'), null);
  assert.deepEqual(await stores.devices.getCert('0a1b'), { ...cert, revoked: true }, 'kept, revoked');
  assert.equal((await stores.devices.getCert('0a1c'))?.revoked, true);
  assert.equal(await stores.devices.delete(a.id, 'dev-1'), false);
});

test('events: dedup per device, same event_id from two devices, round trip of fields', async (t) => {
  const { stores } = setup(t);
  const org = (await stores.orgs.create('A')).id;
  const e = alert('eve.json:100', {
    observables: { domain: ['example.test'], url: ['http://example.test/x'] },
    raw: { event_type: 'alert', flow_id: 123, nested: [1, 'two'] },
    impact: 1,
    policy: 'p',
  });
  const first = await stores.events.commit(items(org, 'dev-a', [e, alert('eve.json:200')]));
  assert.deepEqual(first.inserted, [true, true]);
  const again = await stores.events.commit(items(org, 'dev-a', [alert('eve.json:300'), e]));
  assert.deepEqual(again.inserted, [true, false], 'a resent event is not stored twice');
  const inBatch = await stores.events.commit(items(org, 'dev-a', [alert('eve.json:400'), alert('eve.json:400')]));
  assert.deepEqual(inBatch.inserted, [true, false], 'a duplicate within one batch too');
  const other = await stores.events.commit(items(org, 'dev-b', [e]));
  assert.deepEqual(other.inserted, [true], 'another device may use the same event_id');
  assert.equal(await stores.events.count(org), 5);
  assert.deepEqual((await stores.events.commit([])).inserted, []);

  const rows = await all(stores, org, { device: 'dev-a' });
  assert.equal(rows.length, 4);
  const stored = rows.find((r) => r.event_id === 'eve.json:100');
  assert.ok(stored);
  assert.match(stored.id, /^ev-[0-9a-z]+$/);
  assert.ok(Date.parse(stored.received_at) > 0);
  const { id, received_at: _r, ...rest } = stored;
  assert.deepEqual(rest, { ...e, org_id: org, device_id: 'dev-a' });
  assert.equal(Object.hasOwn(stored, 'tags'), false, 'absent fields are omitted, not null');
  assert.deepEqual(await stores.events.get(org, id), stored);
  assert.equal(await stores.events.get(org, 'ev-zzzzz'), null);
  assert.equal(await stores.events.get(org, 'not-an-id'), null);

  // A bare event: only what was given comes back.
  await stores.events.commit(items(org, 'dev-c', [{ event_id: 'x', type: 'connection', time: '2025-03-01T01:00:00.123456+0100' }]));
  const bare = (await stores.events.query(org, { device: 'dev-c' })).data[0];
  assert.ok(bare);
  const { id: _i, received_at: _r2, ...bareRest } = bare;
  assert.deepEqual(bareRest, { event_id: 'x', type: 'connection', time: '2025-03-01T00:00:00.123Z', org_id: org, device_id: 'dev-c' });
});

test('events: org isolation on query, get, unique, histogram and count', async (t) => {
  const { stores } = setup(t);
  const a = (await stores.orgs.create('A')).id;
  const b = (await stores.orgs.create('B')).id;
  await stores.events.commit([
    ...items(a, 'dev-a', [alert('1', { observables: { domain: ['shared.test'] } })]),
    ...items(b, 'dev-b', [alert('1', { observables: { domain: ['shared.test'] } }), alert('2')]),
  ]);
  const pa = await stores.events.query(a, {});
  assert.equal(pa.data.length, 1);
  assert.equal(pa.data[0]?.org_id, a);
  const idA = pa.data[0]?.id as string;
  assert.equal(await stores.events.get(b, idA), null, "another org's event id finds nothing");
  assert.ok(await stores.events.get(a, idA));
  assert.equal((await stores.events.query(a, { observable: 'shared.test' })).data.length, 1);
  assert.equal((await stores.events.query(b, { observable: 'shared.test' })).data.length, 1);
  assert.equal((await stores.events.query(a, { observable: '10.0.0.5' })).data.length, 1);
  assert.equal((await stores.events.query(a, { sid: 2024897 })).data.length, 1);
  assert.equal((await stores.events.query(b, { device: 'dev-a' })).data.length, 0);
  const ua = await stores.events.unique(a, {});
  const ub = await stores.events.unique(b, {});
  assert.equal(ua.data[0]?.count, 1);
  assert.equal(ub.data[0]?.count, 2);
  assert.deepEqual(ua.data[0]?.devices, ['dev-a']);
  assert.equal(ua.data[0]?.org_id, a);
  assert.deepEqual(await stores.events.histogram(a, { intervalSeconds: 60 }), [{ start: iso(T0), count: 1 }]);
  assert.equal(await stores.events.count(a), 1);
  assert.equal(await stores.events.count(b), 2);
  assert.equal(await stores.events.count(), 3);
  assert.equal(await stores.events.count('nobody'), 0);
  assert.deepEqual(await stores.events.query('nobody', {}), { data: [], next_cursor: null });
  assert.deepEqual(await stores.events.unique('nobody', {}), { data: [], next_cursor: null });
});

test('events: keyset paging walks 2,500 events exactly once, newest first', async (t) => {
  const { stores } = setup(t);
  const org = (await stores.orgs.create('A')).id;
  // Many share a timestamp, so the rowid tie-break is exercised across page edges.
  const evs = Array.from({ length: 2500 }, (_, i) => alert(`e${i}`, { time: iso(T0 + Math.floor(i / 7) * 1000) }));
  for (let i = 0; i < evs.length; i += 600) await stores.events.commit(items(org, 'dev-a', evs.slice(i, i + 600)));
  const seen: StoredEvent[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await stores.events.query(org, { limit: 1000, cursor });
    pages++;
    seen.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  assert.equal(pages, 3);
  assert.equal(seen.length, 2500);
  assert.equal(new Set(seen.map((e) => e.id)).size, 2500);
  // Newest first, and among equal times the later stored first: e2499 … e0.
  assert.deepEqual(
    seen.map((e) => Number(e.event_id.slice(1))),
    Array.from({ length: 2500 }, (_, i) => 2499 - i),
  );
  // The same walk through an observable lookup and a sid lookup.
  assert.equal(new Set((await all(stores, org, { observable: '203.0.113.7' })).map((e) => e.id)).size, 2500);
  assert.equal(new Set((await all(stores, org, { sid: 2024897 })).map((e) => e.id)).size, 2500);
  // Default and maximum page sizes; exactly one page leaves no cursor.
  assert.equal((await stores.events.query(org, {})).data.length, 100);
  assert.equal((await stores.events.query(org, { limit: 5000 })).data.length, 1000);
  const exact = await stores.events.query(org, { since: iso(T0), until: iso(T0 + 2000), limit: 14 });
  assert.equal(exact.data.length, 14);
  assert.equal(exact.next_cursor, null);
  await assert.rejects(stores.events.query(org, { cursor: 'garbage' }), RangeError);
});

test('events: each filter', async (t) => {
  const { stores } = setup(t);
  const org = (await stores.orgs.create('A')).id;
  const sig = (sid: number, message: string, classification = 'Misc') => ({ gid: 1, sid, message, classification, priority: 3 });
  await stores.events.commit([
    ...items(org, 'dev-a', [
      alert('a1', { time: iso(T0), signature: sig(1, 'ET SCAN Nmap probe') }),
      alert('a2', { time: iso(T0 + 60_000), src_ip: '198.51.100.9', signature: sig(2, 'ET MALWARE 100% evil_thing') }),
      alert('a3', { time: iso(T0 + 120_000), dst_ip: '198.51.100.9', signature: sig(2, 'ET MALWARE 100 evilXthing') }),
    ]),
    ...items(org, 'dev-b', [
      { event_id: 'c1', type: 'connection', time: iso(T0 + 180_000), src_ip: '10.9.9.9', dst_ip: '10.8.8.8', observables: { domain: ['bad.example'], user: ['CORP\\bob'] } },
      { event_id: 'f1', type: 'file', time: iso(T0 + 240_000), observables: { sha256: ['ab'.repeat(32)], file_name: ['setup.exe'] } },
    ]),
  ]);
  const ids = async (q: Parameters<Stores['events']['query']>[1]) => (await all(stores, org, q)).map((e) => e.event_id);
  assert.deepEqual(await ids({}), ['f1', 'c1', 'a3', 'a2', 'a1']);
  assert.deepEqual(await ids({ since: iso(T0 + 60_000) }), ['f1', 'c1', 'a3', 'a2'], 'since is inclusive');
  assert.deepEqual(await ids({ until: iso(T0 + 120_000) }), ['a2', 'a1'], 'until is exclusive');
  assert.deepEqual(await ids({ since: iso(T0 + 60_000), until: iso(T0 + 180_001) }), ['c1', 'a3', 'a2']);
  assert.deepEqual(await ids({ device: 'dev-b' }), ['f1', 'c1']);
  assert.deepEqual(await ids({ device: 'no-such-device' }), []);
  assert.deepEqual(await ids({ type: 'intrusion' }), ['a3', 'a2', 'a1']);
  assert.deepEqual(await ids({ type: 'malware' }), []);
  assert.deepEqual(await ids({ sid: 2 }), ['a3', 'a2']);
  assert.deepEqual(await ids({ sid: 2, since: iso(T0 + 100_000) }), ['a3']);
  assert.deepEqual(await ids({ observable: '198.51.100.9' }), ['a3', 'a2'], 'source or destination');
  assert.deepEqual(await ids({ observable: '198.51.100.9', sid: 2, type: 'intrusion' }), ['a3', 'a2']);
  assert.deepEqual(await ids({ observable: '198.51.100.9', device: 'dev-b' }), []);
  assert.deepEqual(await ids({ observable: 'bad.example' }), ['c1']);
  assert.deepEqual(await ids({ observable: 'CORP\\bob' }), ['c1']);
  assert.deepEqual(await ids({ observable: 'ab'.repeat(32) }), ['f1']);
  assert.deepEqual(await ids({ observable: 'setup.exe', until: iso(T0) }), []);
  assert.deepEqual(await ids({ observable: 'nothing' }), []);
  assert.deepEqual(await ids({ q: 'nmap' }), ['a1'], 'case-insensitive');
  assert.deepEqual(await ids({ q: 'misc' }), ['a3', 'a2', 'a1'], 'classification too');
  assert.deepEqual(await ids({ q: '100%' }), ['a2'], '% is literal');
  assert.deepEqual(await ids({ q: 'evil_thing' }), ['a2'], '_ is literal');
  assert.deepEqual(await ids({ q: 'evil', type: 'intrusion', device: 'dev-a', sid: 2 }), ['a3', 'a2']);
  await assert.rejects(stores.events.query(org, { since: 'yesterday' }), RangeError);
});

test('events: unique events group by type and key, count, first and last seen, devices', async (t) => {
  const { stores } = setup(t);
  const org = (await stores.orgs.create('A')).id;
  // Three of the same alert, in two commits and from two devices; out of time order.
  await stores.events.commit(items(org, 'dev-a', [alert('1', { time: iso(T0 + 5000) }), alert('2', { time: iso(T0) })]));
  await stores.events.commit(items(org, 'dev-b', [alert('3', { time: iso(T0 + 2000) })]));
  await stores.events.commit(items(org, 'dev-a', [alert('1', { time: iso(T0 + 5000) })])); // a duplicate: not counted
  // A different sid: another unique event.
  await stores.events.commit(items(org, 'dev-a', [alert('4', { time: iso(T0 + 1000), signature: { gid: 1, sid: 99, message: 'other' } })]));
  // Connection events group by message; files by hash.
  await stores.events.commit(
    items(org, 'dev-a', [
      { event_id: 'c1', type: 'connection', time: iso(T0 + 10_000), src_ip: '10.0.0.1', dst_ip: '10.0.0.2' },
      { event_id: 'c2', type: 'connection', time: iso(T0 + 11_000), src_ip: '10.0.0.1', dst_ip: '10.0.0.2' },
      { event_id: 'f1', type: 'file', time: iso(T0 + 12_000), src_ip: '10.0.0.1', dst_ip: '10.0.0.2', observables: { sha256: ['aa'] } },
      { event_id: 'f2', type: 'file', time: iso(T0 + 13_000), src_ip: '10.0.0.1', dst_ip: '10.0.0.2', observables: { sha256: ['bb'] } },
    ]),
  );
  const { data, next_cursor } = await stores.events.unique(org, {});
  assert.equal(next_cursor, null);
  assert.deepEqual(
    data.map((u) => [u.type, u.count, u.last_seen]),
    [
      ['file', 1, iso(T0 + 13_000)],
      ['file', 1, iso(T0 + 12_000)],
      ['connection', 2, iso(T0 + 11_000)],
      ['intrusion', 3, iso(T0 + 5000)],
      ['intrusion', 1, iso(T0 + 1000)],
    ],
  );
  const three = data[3];
  assert.ok(three);
  assert.equal(three.first_seen, iso(T0));
  assert.equal(three.src_ip, '10.0.0.5');
  assert.equal(three.dst_ip, '203.0.113.7');
  assert.equal(three.gid, 1);
  assert.equal(three.sid, 2024897);
  assert.equal(three.message, 'ET USER_AGENTS Go HTTP Client');
  assert.equal(three.priority, 2);
  assert.deepEqual(three.devices, ['dev-a', 'dev-b']);
  assert.equal(typeof three.key, 'string');

  // The latest message wins; an older event does not overwrite it.
  await stores.events.commit(items(org, 'dev-a', [alert('5', { time: iso(T0 + 6000), signature: { gid: 1, sid: 2024897, message: 'renamed', priority: 1 } })]));
  await stores.events.commit(items(org, 'dev-a', [alert('6', { time: iso(T0 - 1000), signature: { gid: 1, sid: 2024897, message: 'ancient' } })]));
  const after = (await stores.events.unique(org, { sid: 2024897 })).data;
  assert.equal(after.length, 1);
  assert.deepEqual([after[0]?.count, after[0]?.message, after[0]?.priority, after[0]?.first_seen], [5, 'renamed', 1, iso(T0 - 1000)]);

  // Filters and paging.
  assert.deepEqual((await stores.events.unique(org, { type: 'connection' })).data.map((u) => u.count), [2]);
  assert.equal((await stores.events.unique(org, { observable: '10.0.0.2' })).data.length, 3);
  assert.equal((await stores.events.unique(org, { device: 'dev-b' })).data.length, 1);
  assert.equal((await stores.events.unique(org, { since: iso(T0 + 11_000) })).data.length, 3);
  assert.equal((await stores.events.unique(org, { until: iso(T0 + 11_000) })).data.length, 2);
  assert.equal((await stores.events.unique(org, { q: 'OTHER' })).data.length, 1);
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await stores.events.unique(org, { limit: 2, cursor });
    keys.push(...page.data.map((u) => u.key));
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  assert.equal(keys.length, 5);
  assert.equal(new Set(keys).size, 5);
});

test('events: histogram counts per bucket, ascending, only non-empty buckets', async (t) => {
  const { stores } = setup(t);
  const org = (await stores.orgs.create('A')).id;
  const at = [0, 10, 59, 60, 61, 300, 301, 302].map((s) => T0 + s * 1000);
  await stores.events.commit(items(org, 'dev-a', at.map((ms, i) => alert(`h${i}`, { time: iso(ms), src_ip: i < 3 ? '10.1.1.1' : '10.2.2.2' }))));
  assert.deepEqual(await stores.events.histogram(org, { intervalSeconds: 60 }), [
    { start: iso(T0), count: 3 },
    { start: iso(T0 + 60_000), count: 2 },
    { start: iso(T0 + 300_000), count: 3 },
  ]);
  assert.deepEqual(await stores.events.histogram(org, { intervalSeconds: 3600 }), [{ start: iso(T0), count: 8 }]);
  assert.deepEqual(await stores.events.histogram(org, { intervalSeconds: 60, observable: '10.1.1.1' }), [{ start: iso(T0), count: 3 }]);
  assert.deepEqual(await stores.events.histogram(org, { intervalSeconds: 60, since: iso(T0 + 61_000) }), [
    { start: iso(T0 + 60_000), count: 1 },
    { start: iso(T0 + 300_000), count: 3 },
  ]);
  assert.deepEqual(await stores.events.histogram(org, { intervalSeconds: 60, sid: 1 }), []);
  assert.deepEqual(await stores.events.histogram(org, { intervalSeconds: 60, sid: 2024897, type: 'intrusion', until: iso(T0 + 60_000) }), [
    { start: iso(T0), count: 3 },
  ]);
  await assert.rejects(stores.events.histogram(org, { intervalSeconds: 0 }), RangeError);
});

test('events: pruneOldest removes the oldest first, with their observables', async (t) => {
  const { stores, file } = setup(t);
  const a = (await stores.orgs.create('A')).id;
  const b = (await stores.orgs.create('B')).id;
  // Committed out of time order, across two orgs.
  await stores.events.commit(items(a, 'dev-a', [alert('a5', { time: iso(T0 + 5000) }), alert('a1', { time: iso(T0 + 1000), observables: { domain: ['old.test'] } })]));
  await stores.events.commit(items(b, 'dev-b', [alert('b2', { time: iso(T0 + 2000), observables: { domain: ['old.test'] } }), alert('b4', { time: iso(T0 + 4000) })]));
  await stores.events.commit(items(a, 'dev-a', [alert('a3', { time: iso(T0 + 3000) })]));
  assert.equal((await stores.events.query(a, { observable: 'old.test' })).data.length, 1);

  assert.equal(await stores.events.pruneOldest(2), 2);
  assert.deepEqual((await all(stores, a, {})).map((e) => e.event_id), ['a5', 'a3']);
  assert.deepEqual((await all(stores, b, {})).map((e) => e.event_id), ['b4']);
  assert.equal((await stores.events.query(a, { observable: 'old.test' })).data.length, 0);
  assert.equal((await stores.events.query(b, { observable: 'old.test' })).data.length, 0);
  assert.equal(await stores.events.count(a), 2);
  assert.equal(await stores.events.count(b), 1);

  assert.equal(await stores.events.pruneOldest(10, iso(T0 + 4000)), 1, 'only older than before');
  assert.deepEqual((await all(stores, a, {})).map((e) => e.event_id), ['a5']);
  assert.equal(await stores.events.pruneOldest(10, iso(T0)), 0);
  assert.equal(await stores.events.pruneOldest(10), 2);
  assert.equal(await stores.events.count(), 0);
  assert.ok((await stores.events.sizeBytes()) > 0);

  const db = new Database(file, { readonly: true });
  try {
    assert.equal(db.prepare('SELECT count(*) FROM event_keys').pluck().get(), 0, 'no lookup rows left behind');
  } finally {
    db.close();
  }
  // Ids are never reused after the newest rows are gone.
  await stores.events.commit(items(a, 'dev-a', [alert('new')]));
  const fresh = (await stores.events.query(a, {})).data[0];
  assert.ok(fresh && parseInt(fresh.id.slice(3), 36) > 5);
});

test('events: the background indexer catches up after ingest pauses; two opens of one file never count twice', async (t) => {
  const { stores, file } = setup(t);
  const org = (await stores.orgs.create('A')).id;
  await stores.events.commit(items(org, 'dev-a', [alert('1', { observables: { domain: ['bg.test'] } }), alert('2')]));
  const indexed = () => {
    const db = new Database(file, { readonly: true });
    try {
      return [db.prepare('SELECT indexed_upto FROM event_index_state').pluck().get(), db.prepare('SELECT count(*) FROM event_keys').pluck().get()];
    } finally {
      db.close();
    }
  };
  assert.deepEqual(indexed(), [0, 0], 'not yet: ingest does not wait for the indexer');
  await new Promise((r) => setTimeout(r, 1300));
  assert.deepEqual(indexed(), [2, 7], 'a second after the last commit it has caught up');

  // A second store on the same file (as the CLI opens it beside a running exchange).
  const other = openSqliteStores(file);
  t.after(() => other.close());
  await stores.events.commit(items(org, 'dev-a', [alert('3')]));
  assert.equal((await other.events.unique(org, {})).data[0]?.count, 3);
  assert.equal((await stores.events.unique(org, {})).data[0]?.count, 3, 'indexed once, by whichever got there first');
  await other.events.commit(items(org, 'dev-b', [alert('4')]));
  assert.equal((await stores.events.unique(org, {})).data[0]?.count, 4);
  assert.equal((await other.events.unique(org, {})).data[0]?.count, 4);
});

test('reopening the file keeps everything, and indexes what was committed before close', async (t) => {
  const { stores, reopen } = setup(t);
  const org = await stores.orgs.create('A');
  await stores.clients.create({ id: 'c', org_id: org.id, name: 'n', role: 'read-only', secretHash: 'h' });
  await stores.clients.saveAccessToken('tok', { client_id: 'c', org_id: org.id, role: 'read-only', expires_at: Date.now() + 60_000 });
  await stores.tokens.create({ id: 'rt', org_id: org.id, device_id: null, service_type: ['x'], expires_at: '2030-01-01T00:00:00.000Z', uses_allowed: 3, secretHash: 's' });
  await stores.tokens.spend('rt');
  await stores.devices.create({ id: 'dev-a', org_id: org.id, name: 'd', hostname: 'h', version: 'v', service_type: 's' });
  await stores.devices.addCert({ serial: '01', device_id: 'dev-a', org_id: org.id, not_after: '2030-01-01T00:00:00.000Z', revoked: false });
  await stores.events.commit(items(org.id, 'dev-a', [alert('1', { observables: { domain: ['x.test'] } }), alert('2')]));
  const before = await stores.events.query(org.id, {});

  const s2 = await reopen();
  assert.deepEqual(await s2.orgs.get(org.id), org);
  assert.equal((await s2.clients.getWithSecret('c'))?.secretHash, 'h');
  assert.equal((await s2.clients.getAccessToken('tok'))?.client_id, 'c');
  assert.equal((await s2.tokens.get('rt'))?.uses, 1);
  assert.equal((await s2.devices.get(org.id, 'dev-a'))?.name, 'd');
  assert.equal((await s2.devices.getCert('01'))?.revoked, false);
  assert.deepEqual(await s2.events.query(org.id, {}), before);
  assert.equal((await s2.events.query(org.id, { observable: 'x.test' })).data.length, 1);
  assert.equal((await s2.events.unique(org.id, {})).data[0]?.count, 2);
  assert.deepEqual((await s2.events.commit(items(org.id, 'dev-a', [alert('1')]))).inserted, [false], 'dedup survives too');
  assert.equal(await s2.events.count(org.id), 2);
});

test('named: which values any of the org\'s events names, in one call, per org', async (t) => {
  const { stores } = setup(t);
  const a = await stores.orgs.create('a');
  const b = await stores.orgs.create('b');
  await stores.events.commit([
    ...items(a.id, 'dev-a', [alert('n1', { src_ip: '10.1.1.1', dst_ip: '198.51.100.1', observables: { domain: ['named.example'] } })]),
    ...items(b.id, 'dev-b', [alert('n2', { src_ip: '10.2.2.2', dst_ip: '198.51.100.2' })]),
  ]);
  const got = await stores.events.named(a.id, ['10.1.1.1', '198.51.100.1', 'named.example', '198.51.100.2', 'never.example', '10.1.1.1']);
  assert.deepEqual([...got].sort(), ['10.1.1.1', '198.51.100.1', 'named.example']);
  assert.deepEqual([...(await stores.events.named(b.id, ['198.51.100.1', '198.51.100.2']))], ['198.51.100.2']);
  assert.equal((await stores.events.named('no-such-org', ['10.1.1.1'])).size, 0);
  // every value the store finds by query, named() names too
  for (const v of ['10.1.1.1', '198.51.100.1', 'named.example']) assert.ok((await all(stores, a.id, { observable: v })).length > 0);
});
