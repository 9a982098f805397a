// The exchange's stores other than events, on PostgreSQL: each case runs against SQLite (the
// reference) and PostgreSQL, so both backends are held to the same behaviour.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStores } from '../src/exchange/store/sqlite/index.js';
import { openPg } from '../src/exchange/store/postgres/db.js';
import { openPgExchangeStores } from '../src/exchange/store/postgres/exchange-stores.js';
import { CONNECTION_HISTORY_KEEP, UsernameTakenError, type Stores } from '../src/exchange/store/types.js';
import { freshSchemaUrl, needsPg } from './helpers/pg.js';
import { sideBySide, type Factory } from './helpers/side-by-side.js';

type ExchangeStores = Omit<Stores, 'events' | 'close'>;

/** The stores of one node, and `node()` to open another node (a second connection, as a
 * second process would) over the same data. Everything opened is closed after the test. */
interface Backend {
  stores: ExchangeStores;
  node(): Promise<ExchangeStores>;
}

const factories: Factory<Backend>[] = [
  {
    name: 'sqlite',
    opts: {},
    async open(after) {
      const dir = mkdtempSync(join(tmpdir(), 'threatlink-store-'));
      const file = join(dir, 'exchange.db');
      const node = async () => {
        const stores = openSqliteStores(file);
        after(() => stores.close());
        return stores;
      };
      const stores = await node();
      after(async () => rmSync(dir, { recursive: true, force: true }));
      return { stores, node };
    },
  },
  {
    name: 'postgres',
    opts: await needsPg(),
    async open(after) {
      const { url, drop } = freshSchemaUrl();
      const node = async () => {
        const db = await openPg(url);
        after(() => db.close());
        return openPgExchangeStores(db);
      };
      const stores = await node();
      after(drop);
      return { stores, node };
    },
  },
];

const both = sideBySide(factories);

/** Byte order, as both stores sort text. */
const byBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const device = (id: string, org_id: string, name = id) => ({ id, org_id, name, hostname: `${id}.local`, version: '1.0', service_type: 'snort' });

both('orgs: create, get, list in creation order, cloud events switch', async ({ stores }) => {
  const made = [];
  for (const name of ['Acme', 'Globex', 'Initech', 'Umbrella']) made.push(await stores.orgs.create(name));
  const [a, b] = made as [(typeof made)[0], (typeof made)[0]];
  assert.equal(a.cloud_events, true);
  assert.match(a.id, /^[0-9a-f-]{36}$/);
  assert.deepEqual(await stores.orgs.get(a.id), a);
  assert.equal(await stores.orgs.get('nope'), null);
  const expected = [...made].sort((x, y) => byBytes(x.created_at, y.created_at) || byBytes(x.id, y.id));
  assert.deepEqual(await stores.orgs.list(), expected);
  await stores.orgs.setCloudEvents(a.id, false);
  assert.equal((await stores.orgs.get(a.id))?.cloud_events, false);
  assert.equal((await stores.orgs.get(b.id))?.cloud_events, true);
  await stores.orgs.setCloudEvents(a.id, true);
  assert.equal((await stores.orgs.get(a.id))?.cloud_events, true);
  await stores.orgs.setCloudEvents('nope', false);
  assert.equal(await stores.orgs.get('nope'), null, 'switching an unknown org makes none');
});

both('clients: org isolation, order, touch, count, duplicates', async ({ stores }) => {
  const a = await stores.orgs.create('A');
  const b = await stores.orgs.create('B');
  const c1 = await stores.clients.create({ id: 'client-1', org_id: a.id, name: 'one', role: 'admin', secretHash: 'h1' });
  const c2 = await stores.clients.create({ org_id: b.id, name: 'two', role: 'analyst', secretHash: 'h2' });
  const c3 = await stores.clients.create({ id: 'client-0', org_id: a.id, name: 'three', role: 'read-only', secretHash: 'h3' });
  assert.equal(c1.id, 'client-1');
  assert.match(c2.id, /^[0-9a-f-]{36}$/);
  assert.equal(c1.last_used_at, null);
  assert.deepEqual(await stores.clients.getWithSecret('client-1'), { ...c1, secretHash: 'h1' });
  assert.equal(await stores.clients.getWithSecret('nope'), null);
  const inA = [c1, c3].sort((x, y) => byBytes(x.created_at, y.created_at) || byBytes(x.id, y.id));
  assert.deepEqual(await stores.clients.list(a.id), inA);
  assert.deepEqual(await stores.clients.list(b.id), [c2]);
  assert.deepEqual(await stores.clients.list('nope'), []);
  assert.equal(await stores.clients.count(), 3);

  // A time comes back exactly as written, not normalised.
  await stores.clients.touch('client-1', '2025-03-01T10:00:00Z');
  assert.equal((await stores.clients.getWithSecret('client-1'))?.last_used_at, '2025-03-01T10:00:00Z');

  await assert.rejects(stores.clients.create({ id: 'client-1', org_id: b.id, name: 'dup', role: 'admin', secretHash: 'x' }));
  await assert.rejects(stores.clients.create({ org_id: 'no-such-org', name: 'orphan', role: 'admin', secretHash: 'x' }));
  await assert.rejects(stores.clients.create({ org_id: a.id, name: 'bad', role: 'root' as 'admin', secretHash: 'x' }));
  assert.equal(await stores.clients.count(), 3);
});

both('clients: access tokens expire, are replaced, and go with their client', async ({ stores }) => {
  const a = await stores.orgs.create('A');
  const b = await stores.orgs.create('B');
  await stores.clients.create({ id: 'client-1', org_id: a.id, name: 'one', role: 'admin', secretHash: 'h1' });
  const live = { client_id: 'client-1', org_id: a.id, role: 'admin' as const, expires_at: Date.now() + 60_000 };
  await stores.clients.saveAccessToken('tok-live', live);
  await stores.clients.saveAccessToken('tok-old', { ...live, expires_at: Date.now() - 1 });
  assert.deepEqual(await stores.clients.getAccessToken('tok-live'), live);
  assert.equal(await stores.clients.getAccessToken('tok-old'), null, 'expired');
  assert.equal(await stores.clients.getAccessToken('tok-unknown'), null);

  // Saving a hash again replaces it, even one whose old row has expired.
  await stores.clients.saveAccessToken('tok-old', { ...live, role: 'analyst' });
  assert.deepEqual(await stores.clients.getAccessToken('tok-old'), { ...live, role: 'analyst' });
  await stores.clients.saveAccessToken('tok-live', { ...live, expires_at: live.expires_at + 1 });
  assert.equal((await stores.clients.getAccessToken('tok-live'))?.expires_at, live.expires_at + 1);
  await assert.rejects(stores.clients.saveAccessToken('tok-orphan', { ...live, client_id: 'no-such-client' }));

  assert.equal(await stores.clients.delete(b.id, 'client-1'), false, 'not in that org');
  assert.ok(await stores.clients.getWithSecret('client-1'));
  assert.ok(await stores.clients.getAccessToken('tok-live'));
  assert.equal(await stores.clients.delete(a.id, 'client-1'), true);
  assert.equal(await stores.clients.getWithSecret('client-1'), null);
  assert.equal(await stores.clients.getAccessToken('tok-live'), null, 'token went with its client');
  assert.equal(await stores.clients.getAccessToken('tok-old'), null);
  assert.equal(await stores.clients.delete(a.id, 'client-1'), false, 'already gone');
  assert.equal(await stores.clients.count(), 0);
});

both('users: unique names across orgs, isolation, byte order, role and password updates', async ({ stores }) => {
  const a = await stores.orgs.create('a');
  const b = await stores.orgs.create('b');
  const alice = await stores.users.create({ org_id: a.id, username: 'alice', role: 'analyst', passwordHash: 'h1' });
  assert.deepEqual(alice, { id: alice.id, org_id: a.id, username: 'alice', role: 'analyst', created_at: alice.created_at, last_login_at: null });
  await assert.rejects(stores.users.create({ org_id: b.id, username: 'alice', role: 'admin', passwordHash: 'h2' }), UsernameTakenError);
  await assert.rejects(stores.users.create({ org_id: 'no-such-org', username: 'zoe', role: 'admin', passwordHash: 'h' }), (e) => !(e instanceof UsernameTakenError));
  const upper = await stores.users.create({ org_id: a.id, username: 'Zed', role: 'admin', passwordHash: 'h3' });
  const bob = await stores.users.create({ org_id: b.id, username: 'bob', role: 'admin', passwordHash: 'h4' });
  assert.equal(await stores.users.getByNameWithPassword('ALICE'), null, 'names match exactly');
  assert.deepEqual(await stores.users.getByNameWithPassword('alice'), { ...alice, passwordHash: 'h1' });
  assert.equal(await stores.users.getByNameWithPassword('carol'), null);

  assert.deepEqual(await stores.users.list(a.id), [upper, alice], 'byte order: upper case first');
  assert.deepEqual(await stores.users.list(b.id), [bob]);
  assert.deepEqual(await stores.users.get(a.id, alice.id), alice);
  assert.equal(await stores.users.get(b.id, alice.id), null, 'another org does not see the user');
  assert.equal(await stores.users.update(b.id, alice.id, { role: 'admin' }), null);
  assert.equal(await stores.users.delete(b.id, alice.id), false);
  assert.equal(await stores.users.count(), 3);

  assert.deepEqual(await stores.users.update(a.id, alice.id, { role: 'read-only' }), { ...alice, role: 'read-only' });
  assert.deepEqual(await stores.users.update(a.id, alice.id, {}), { ...alice, role: 'read-only' }, 'an empty patch changes nothing');
  await stores.users.update(a.id, alice.id, { passwordHash: 'h9' });
  assert.equal((await stores.users.getByNameWithPassword('alice'))?.passwordHash, 'h9');
  await stores.users.update(a.id, alice.id, { passwordHash: '' });
  assert.equal((await stores.users.getByNameWithPassword('alice'))?.passwordHash, 'h9', 'an empty hash sets nothing');
  assert.equal(await stores.users.update(a.id, 'nope', { role: 'admin' }), null);

  await stores.users.touchLogin(alice.id, '2025-03-01T10:00:00.000Z');
  assert.equal((await stores.users.get(a.id, alice.id))?.last_login_at, '2025-03-01T10:00:00.000Z');

  assert.equal(await stores.users.delete(a.id, alice.id), true);
  assert.equal(await stores.users.get(a.id, alice.id), null);
  assert.equal(await stores.users.delete(a.id, alice.id), false);
  assert.equal(await stores.users.count(), 2);
  // The name is free again.
  await stores.users.create({ org_id: b.id, username: 'alice', role: 'admin', passwordHash: 'h5' });
});

const session = (userId: string, now: number) => ({ user_id: userId, csrf_token: 'csrf', created_at: now, expires_at: now + 3_600_000 });

both('sessions: lookup with the current role, idle and absolute expiry, touch, delete', async ({ stores }) => {
  const org = await stores.orgs.create('o');
  const u = await stores.users.create({ org_id: org.id, username: 'alice', role: 'analyst', passwordHash: 'h' });
  const now = Date.parse('2025-03-01T00:00:00.000Z');
  await stores.sessions.create('hash-1', session(u.id, now));
  assert.deepEqual(await stores.sessions.get('hash-1', now + 1000, 60_000), {
    user_id: u.id, org_id: org.id, username: 'alice', role: 'analyst', csrf_token: 'csrf', created_at: now, expires_at: now + 3_600_000, last_seen_at: now,
  });
  assert.equal(await stores.sessions.get('unknown', now, 60_000), null);
  await assert.rejects(stores.sessions.create('hash-x', session('no-such-user', now)));
  await assert.rejects(stores.sessions.create('hash-1', session(u.id, now)), 'a live session keeps its hash');

  await stores.users.update(org.id, u.id, { role: 'read-only' });
  assert.equal((await stores.sessions.get('hash-1', now, 60_000))?.role, 'read-only', 'a role change applies to live sessions');
  assert.equal(await stores.sessions.get('hash-1', now + 60_000, 60_000), null, 'idle for the whole timeout');
  await stores.sessions.touch('hash-1', now + 50_000);
  assert.equal((await stores.sessions.get('hash-1', now + 61_000, 60_000))?.last_seen_at, now + 50_000, 'a touch keeps it alive');
  assert.equal(await stores.sessions.get('hash-1', now + 3_600_000, 10 * 3_600_000), null, 'past its absolute expiry');

  await stores.sessions.delete('hash-1');
  assert.equal(await stores.sessions.get('hash-1', now, 60_000), null);
  await stores.sessions.delete('hash-1');
});

both('sessions: a new password or deleting the user ends them; expired ones are swept', async ({ stores }) => {
  const org = await stores.orgs.create('o');
  const u = await stores.users.create({ org_id: org.id, username: 'alice', role: 'admin', passwordHash: 'h' });
  const other = await stores.users.create({ org_id: org.id, username: 'bob', role: 'admin', passwordHash: 'h' });
  const now = 10_000;
  await stores.sessions.create('h1', session(u.id, now));
  await stores.sessions.create('h-bob', session(other.id, now));
  await stores.users.update(org.id, u.id, { role: 'analyst' });
  assert.ok(await stores.sessions.get('h1', now, 60_000), 'a role change keeps the session');
  await stores.users.update(org.id, u.id, { passwordHash: 'h2' });
  assert.equal(await stores.sessions.get('h1', now, 60_000), null);
  assert.ok(await stores.sessions.get('h-bob', now, 60_000), "another user's session stays");
  await stores.sessions.create('h2', session(u.id, now));
  assert.equal(await stores.users.delete(org.id, u.id), true);
  assert.equal(await stores.sessions.get('h2', now, 60_000), null);

  // An expired session is swept by the next sign-in, so its hash can be issued again.
  await stores.sessions.create('old', { ...session(other.id, 0), expires_at: 1000 });
  await stores.sessions.create('old', session(other.id, 2000));
  assert.equal((await stores.sessions.get('old', 2000, 10_000))?.created_at, 2000);
});

both('registration tokens: fields, order, org isolation, revoke, spend', async ({ stores }) => {
  const a = await stores.orgs.create('A');
  const b = await stores.orgs.create('B');
  const base = { org_id: a.id, device_id: null, service_type: ['snort', 'eve "json"'], expires_at: '2030-01-01T00:00:00Z', secretHash: 's' };
  const once = await stores.tokens.create({ ...base, id: 'rt-once', uses_allowed: 1 });
  const twice = await stores.tokens.create({ ...base, id: 'rt-twice', uses_allowed: 2, device_id: 'dev-9', service_type: [] });
  const other = await stores.tokens.create({ ...base, id: 'rt-b', org_id: b.id, uses_allowed: 5 });
  assert.deepEqual(once, { id: 'rt-once', org_id: a.id, device_id: null, service_type: ['snort', 'eve "json"'], created_at: once.created_at, expires_at: '2030-01-01T00:00:00Z', uses_allowed: 1, uses: 0, revoked: false });
  assert.deepEqual(await stores.tokens.get('rt-once'), { ...once, secretHash: 's' });
  assert.deepEqual(await stores.tokens.get('rt-twice'), { ...twice, secretHash: 's' });
  assert.equal(await stores.tokens.get('nope'), null);
  const newestFirst = [once, twice].sort((x, y) => byBytes(y.created_at, x.created_at) || byBytes(x.id, y.id));
  assert.deepEqual(await stores.tokens.list(a.id), newestFirst);
  assert.deepEqual(await stores.tokens.list(b.id), [other]);
  await assert.rejects(stores.tokens.create({ ...base, id: 'rt-once', uses_allowed: 1 }), 'ids are unique');

  assert.equal(await stores.tokens.spend('rt-once'), true);
  assert.equal(await stores.tokens.spend('rt-once'), false, 'its one use is gone');
  assert.equal((await stores.tokens.get('rt-once'))?.uses, 1);
  assert.equal(await stores.tokens.spend('nope'), false);

  assert.equal(await stores.tokens.revoke(a.id, 'rt-b'), false, 'not in that org');
  assert.equal((await stores.tokens.get('rt-b'))?.revoked, false);
  assert.equal(await stores.tokens.revoke(b.id, 'rt-b'), true);
  assert.equal((await stores.tokens.get('rt-b'))?.revoked, true);
  assert.equal(await stores.tokens.spend('rt-b'), false, 'revoked');
  assert.equal((await stores.tokens.get('rt-b'))?.uses, 0);
  assert.equal(await stores.tokens.revoke(b.id, 'nope'), false);
});

both('registration tokens: many spends at once from two nodes win exactly uses_allowed times', async ({ stores, node }) => {
  const other = await node();
  const org = await stores.orgs.create('A');
  const allowed = 5;
  await stores.tokens.create({ id: 'rt-race', org_id: org.id, device_id: null, service_type: ['snort'], expires_at: '2030-01-01T00:00:00.000Z', uses_allowed: allowed, secretHash: 's' });
  const spends = Array.from({ length: 40 }, (_, i) => (i % 2 ? other : stores).tokens.spend('rt-race'));
  const wins = await Promise.all(spends);
  assert.equal(wins.filter(Boolean).length, allowed);
  assert.equal((await other.tokens.get('rt-race'))?.uses, allowed);
});

both('devices: defaults, isolation, order, update', async ({ stores }) => {
  const a = await stores.orgs.create('A');
  const b = await stores.orgs.create('B');
  const d = await stores.devices.create(device('dev-1', a.id, 'edge'));
  const upper = await stores.devices.create(device('dev-3', a.id, 'Zulu'));
  const same = await stores.devices.create(device('dev-0', a.id, 'edge'));
  await stores.devices.create(device('dev-2', b.id, 'other'));
  assert.deepEqual(d, {
    id: 'dev-1', org_id: a.id, name: 'edge', hostname: 'dev-1.local', version: '1.0', service_type: 'snort',
    registered_at: d.registered_at, last_seen: null, connection_state: 'never', state_since: d.registered_at, remote_address: null,
    events_received: 0, events_rejected: 0, last_error: null, cloud_events: true, status: null,
  });
  assert.deepEqual(await stores.devices.get(a.id, 'dev-1'), d);
  assert.equal(await stores.devices.get(b.id, 'dev-1'), null);
  assert.deepEqual(await stores.devices.getAny('dev-1'), d);
  assert.equal(await stores.devices.getAny('nope'), null);
  assert.deepEqual(await stores.devices.list(a.id), [upper, same, d], 'by name in byte order, then id');
  assert.deepEqual((await stores.devices.list(b.id)).map((x) => x.id), ['dev-2']);
  await assert.rejects(stores.devices.create(device('dev-1', b.id)), 'ids are unique across orgs');
  await assert.rejects(stores.devices.create(device('dev-9', 'no-such-org')));

  assert.equal(await stores.devices.update(b.id, 'dev-1', { name: 'x' }), null);
  assert.equal((await stores.devices.get(a.id, 'dev-1'))?.name, 'edge');
  assert.deepEqual(await stores.devices.update(a.id, 'dev-1', { name: 'edge-2', cloud_events: false }), { ...d, name: 'edge-2', cloud_events: false });
  assert.deepEqual(await stores.devices.update(a.id, 'dev-1', { cloud_events: true }), { ...d, name: 'edge-2' });
  assert.deepEqual(await stores.devices.update(a.id, 'dev-1', {}), { ...d, name: 'edge-2' });
});

both('devices: connection state, heartbeat, counters', async ({ stores }) => {
  const a = await stores.orgs.create('A');
  await stores.devices.create(device('dev-1', a.id));
  const untouched = await stores.devices.create(device('dev-2', a.id));
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
  assert.equal(got?.remote_address, null);
  assert.equal(got?.last_seen, '2025-03-01T11:00:00.000Z');
  await stores.devices.setConnection('dev-1', 'never', null, '2025-03-01T11:30:00.000Z');
  got = await stores.devices.get(a.id, 'dev-1');
  assert.equal(got?.connection_state, 'never');
  assert.equal(got?.state_since, '2025-03-01T11:30:00.000Z');
  assert.equal(got?.last_seen, '2025-03-01T11:00:00.000Z', '"never" is no sighting');

  const err = { message: 'spool full', time: '2025-03-01T11:01:00.000Z' };
  // A device's status is its own: any JSON, including a NUL character, round-trips.
  const status = { spool: 3, nested: { a: [1, 2.5, null, true] }, odd: 'a\u0000b' };
  await stores.devices.heartbeat('dev-1', '2025-03-01T11:02:00.000Z', status, err);
  got = await stores.devices.get(a.id, 'dev-1');
  assert.deepEqual(got?.status, status);
  assert.deepEqual(got?.last_error, err);
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
  assert.equal(got?.last_seen, '2025-03-01T11:06:00.000Z');
  assert.deepEqual(await stores.devices.get(a.id, 'dev-2'), untouched, 'another device is untouched');
  // Reports for an unknown device change nothing and do not fail.
  await stores.devices.setConnection('nope', 'connected', null, '2025-03-01T11:00:00.000Z');
  await stores.devices.heartbeat('nope', '2025-03-01T11:00:00.000Z', {}, null);
  await stores.devices.addCounters('nope', 1, 1, '2025-03-01T11:00:00.000Z');
  assert.equal(await stores.devices.getAny('nope'), null);
});

both('devices: certificates listed latest expiry first, per org, and revoked on delete', async ({ stores }) => {
  const a = await stores.orgs.create('A');
  const b = await stores.orgs.create('B');
  await stores.devices.create(device('dev-1', a.id));
  await stores.devices.create(device('dev-2', a.id));
  const cert = { serial: '0a1b', device_id: 'dev-1', org_id: a.id, not_after: '2026-03-01T00:00:00.000Z', revoked: false };
  const later = { ...cert, serial: '0a1c', not_after: '2027-03-01T00:00:00.000Z' };
  const revoked = { ...cert, serial: '0a1a', not_after: '2025-03-01T00:00:00.000Z', revoked: true };
  const other = { ...cert, serial: '0b00', device_id: 'dev-2' };
  for (const c of [cert, later, revoked, other]) await stores.devices.addCert(c);
  await assert.rejects(stores.devices.addCert(cert), 'serials are unique');
  assert.deepEqual(await stores.devices.getCert('0a1b'), cert);
  assert.deepEqual(await stores.devices.getCert('0a1a'), revoked);
  assert.equal(await stores.devices.getCert('ffff'), null);
  assert.deepEqual(await stores.devices.listCerts(a.id, 'dev-1'), [later, cert, revoked]);
  assert.deepEqual(await stores.devices.listCerts(b.id, 'dev-1'), [], 'not in that org');
  assert.deepEqual(await stores.devices.listCerts(a.id, 'nope'), []);

  assert.equal(await stores.devices.delete(b.id, 'dev-1'), false, 'not in that org');
  assert.equal((await stores.devices.getCert('0a1b'))?.revoked, false);
  assert.equal(await stores.devices.delete(a.id, 'dev-1'), true);
  assert.equal(await stores.devices.getAny('dev-1'), null);
  assert.deepEqual(await stores.devices.getCert('0a1b'), { ...cert, revoked: true }, 'kept, revoked');
  assert.deepEqual(await stores.devices.listCerts(a.id, 'dev-1'), [later, cert, revoked].map((c) => ({ ...c, revoked: true })));
  assert.deepEqual(await stores.devices.getCert('0b00'), other, "another device's certificate stays valid");
  assert.equal(await stores.devices.delete(a.id, 'dev-1'), false);
  // The id is free again, and the old certificates stay revoked.
  await stores.devices.create(device('dev-1', a.id));
  assert.equal((await stores.devices.getCert('0a1c'))?.revoked, true);
});

both('connection history: open, version, close once, newest first, per org, gone with the device', async ({ stores }) => {
  const a = await stores.orgs.create('A');
  const b = await stores.orgs.create('B');
  await stores.devices.create(device('dev-1', a.id));
  const first = await stores.connectionHistory.opened({ device_id: 'dev-1', org_id: a.id, connected_at: '2025-03-01T10:00:00.000Z', remote_address: '10.0.0.1:1' });
  const second = await stores.connectionHistory.opened({ device_id: 'dev-1', org_id: a.id, connected_at: '2025-03-01T10:00:00.000Z', remote_address: '10.0.0.1:2' });
  assert.match(first, /^\d+$/);
  assert.ok(Number(second) > Number(first));
  await stores.connectionHistory.versionSeen(first, '2.4.0');
  const close = { closed_at: '2025-03-01T10:01:00.000Z', close_code: 1000, close_reason: 'connector stopping', closed_by: 'device', events_received: 3 } as const;
  await stores.connectionHistory.closed(first, close);
  await stores.connectionHistory.closed(first, { ...close, close_code: 1006, close_reason: 'second', closed_by: 'network', events_received: 9 });

  const rows = await stores.connectionHistory.list(a.id, 'dev-1', 10);
  assert.deepEqual(rows, [
    { id: second, device_id: 'dev-1', org_id: a.id, connected_at: '2025-03-01T10:00:00.000Z', remote_address: '10.0.0.1:2', closed_at: null, close_code: null, close_reason: null, closed_by: null, version: null, events_received: null },
    { id: first, device_id: 'dev-1', org_id: a.id, connected_at: '2025-03-01T10:00:00.000Z', remote_address: '10.0.0.1:1', version: '2.4.0', ...close },
  ]);
  assert.deepEqual((await stores.connectionHistory.list(a.id, 'dev-1', 1)).map((r) => r.id), [second]);
  assert.deepEqual(await stores.connectionHistory.list(a.id, 'dev-1', 0), []);
  assert.deepEqual(await stores.connectionHistory.list(b.id, 'dev-1', 10), [], 'another org sees none');
  await assert.rejects(stores.connectionHistory.opened({ device_id: 'nope', org_id: a.id, connected_at: '2025-03-01T10:00:00.000Z', remote_address: 'x' }));

  assert.equal(await stores.devices.delete(a.id, 'dev-1'), true);
  assert.deepEqual(await stores.connectionHistory.list(a.id, 'dev-1', 10), []);
  await stores.devices.create(device('dev-1', a.id));
  assert.deepEqual(await stores.connectionHistory.list(a.id, 'dev-1', 10), [], 'a new device of the same id starts afresh');
});

both('connection history: the newest CONNECTION_HISTORY_KEEP per device are kept', async ({ stores }) => {
  const org = await stores.orgs.create('bounded');
  for (const id of ['dev-a', 'dev-b']) await stores.devices.create(device(id, org.id));
  const ids: string[] = [];
  for (let i = 0; i < CONNECTION_HISTORY_KEEP + 5; i++) {
    ids.push(await stores.connectionHistory.opened({ device_id: 'dev-a', org_id: org.id, connected_at: new Date(i * 1000).toISOString(), remote_address: `10.0.0.1:${i}` }));
  }
  await stores.connectionHistory.opened({ device_id: 'dev-b', org_id: org.id, connected_at: new Date(0).toISOString(), remote_address: '10.0.0.2:1' });
  const kept = await stores.connectionHistory.list(org.id, 'dev-a', 1000);
  assert.deepEqual(kept.map((r) => r.id), ids.slice(5).reverse(), 'the newest, newest first');
  assert.equal((await stores.connectionHistory.list(org.id, 'dev-b', 1000)).length, 1, "another device's history is its own");
});

both('connection history: a NUL in a device\'s version or close reason is kept (as U+FFFD where the store cannot hold it)', async ({ stores }) => {
  const a = await stores.orgs.create('A');
  await stores.devices.create(device('dev-nul', a.id));
  const id = await stores.connectionHistory.opened({ device_id: 'dev-nul', org_id: a.id, connected_at: '2025-03-01T10:00:00.000Z', remote_address: '10.0.0.1:1' });
  await stores.connectionHistory.versionSeen(id, '2.4\u00000');
  await stores.connectionHistory.closed(id, { closed_at: '2025-03-01T10:01:00.000Z', close_code: 4000, close_reason: 'bye\u0000now', closed_by: 'device', events_received: 0 });
  const [row] = await stores.connectionHistory.list(a.id, 'dev-nul', 1);
  assert.ok(['2.4\u00000', '2.4\uFFFD0'].includes(row!.version ?? ''), row!.version ?? 'no version');
  assert.ok(['bye\u0000now', 'bye\uFFFDnow'].includes(row!.close_reason ?? ''), row!.close_reason ?? 'no reason');
});

both('devices: a late "disconnected" from a connection that moved to another node leaves the new one connected', async ({ stores }) => {
  const a = await stores.orgs.create('A');
  await stores.devices.create(device('dev-m', a.id));
  await stores.devices.setConnection('dev-m', 'connected', '192.0.2.1:5000', '2025-03-01T10:00:00.000Z');
  // The device reconnects through node B before node A notices the old socket closed.
  await stores.devices.setConnection('dev-m', 'connected', '192.0.2.1:6000', '2025-03-01T10:00:05.000Z');
  await stores.devices.setConnection('dev-m', 'disconnected', '192.0.2.1:5000', '2025-03-01T10:00:06.000Z');
  let got = await stores.devices.get(a.id, 'dev-m');
  assert.equal(got?.connection_state, 'connected');
  assert.equal(got?.remote_address, '192.0.2.1:6000');
  await stores.devices.setConnection('dev-m', 'disconnected', '192.0.2.1:6000', '2025-03-01T10:01:00.000Z');
  got = await stores.devices.get(a.id, 'dev-m');
  assert.equal(got?.connection_state, 'disconnected');
});
