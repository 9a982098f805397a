// The console's user and session stores (SQLite), the sign-in limiter, and the first admin user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStores } from '../src/exchange/store/sqlite/index.js';
import { UsernameTakenError, type Stores } from '../src/exchange/store/types.js';
import { bootstrapUser } from '../src/exchange/bootstrap-user.js';
import { verifySecret } from '../src/exchange/auth/secrets.js';
import { SignInLimiter } from '../src/console/sign-in-limiter.js';

function setup(t: { after: (fn: () => void | Promise<void>) => void }): Stores {
  const dir = mkdtempSync(join(tmpdir(), 'threatlink-console-store-'));
  const stores = openSqliteStores(join(dir, 'exchange.db'));
  t.after(async () => {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return stores;
}

const session = (userId: string, now: number) => ({ user_id: userId, csrf_token: 'csrf', created_at: now, expires_at: now + 3_600_000 });

test('users: unique names, scoped to their org, role and password updates', async (t) => {
  const s = setup(t);
  const a = await s.orgs.create('a');
  const b = await s.orgs.create('b');
  const alice = await s.users.create({ org_id: a.id, username: 'alice', role: 'analyst', passwordHash: 'h1' });
  await assert.rejects(s.users.create({ org_id: b.id, username: 'alice', role: 'admin', passwordHash: 'h2' }), UsernameTakenError);
  assert.equal((await s.users.getByNameWithPassword('alice'))?.passwordHash, 'h1');
  assert.equal(await s.users.getByNameWithPassword('bob'), null);
  assert.deepEqual((await s.users.list(a.id)).map((u) => u.username), ['alice']);
  assert.deepEqual(await s.users.list(b.id), []);
  assert.equal(await s.users.get(b.id, alice.id), null, 'another org does not see the user');
  assert.equal(await s.users.update(b.id, alice.id, { role: 'admin' }), null);
  assert.equal(await s.users.delete(b.id, alice.id), false);
  assert.equal((await s.users.update(a.id, alice.id, { role: 'read-only' }))?.role, 'read-only');
  assert.equal(await s.users.count(), 1);
});

test('sessions: found by hash with the user\'s current role; expiry, idle timeout, delete', async (t) => {
  const s = setup(t);
  const org = await s.orgs.create('a');
  const u = await s.users.create({ org_id: org.id, username: 'alice', role: 'analyst', passwordHash: 'h' });
  const now = 1_000_000_000_000;
  await s.sessions.create('hash-1', session(u.id, now));
  const got = await s.sessions.get('hash-1', now + 1000, 60_000);
  assert.deepEqual({ ...got }, { user_id: u.id, org_id: org.id, username: 'alice', role: 'analyst', csrf_token: 'csrf', created_at: now, expires_at: now + 3_600_000, last_seen_at: now });
  assert.equal(await s.sessions.get('unknown', now, 60_000), null);

  await s.users.update(org.id, u.id, { role: 'read-only' });
  assert.equal((await s.sessions.get('hash-1', now, 60_000))?.role, 'read-only', 'a role change applies to live sessions');

  assert.equal(await s.sessions.get('hash-1', now + 61_000, 60_000), null, 'idle past the timeout');
  await s.sessions.touch('hash-1', now + 50_000);
  assert.ok(await s.sessions.get('hash-1', now + 61_000, 60_000), 'a touch keeps it alive');
  assert.equal(await s.sessions.get('hash-1', now + 3_600_000, 10 * 3_600_000), null, 'past its absolute expiry');

  await s.sessions.delete('hash-1');
  assert.equal(await s.sessions.get('hash-1', now, 60_000), null);
});

test('sessions end when the password changes or the user is deleted', async (t) => {
  const s = setup(t);
  const org = await s.orgs.create('a');
  const u = await s.users.create({ org_id: org.id, username: 'alice', role: 'admin', passwordHash: 'h' });
  const now = Date.now();
  await s.sessions.create('h1', session(u.id, now));
  await s.users.update(org.id, u.id, { role: 'analyst' });
  assert.ok(await s.sessions.get('h1', now, 60_000), 'a role change keeps the session');
  await s.users.update(org.id, u.id, { passwordHash: 'h2' });
  assert.equal(await s.sessions.get('h1', now, 60_000), null);
  await s.sessions.create('h2', session(u.id, now));
  assert.equal(await s.users.delete(org.id, u.id), true);
  assert.equal(await s.sessions.get('h2', now, 60_000), null);
});

test('creating a session sweeps expired ones', async (t) => {
  const s = setup(t);
  const org = await s.orgs.create('a');
  const u = await s.users.create({ org_id: org.id, username: 'alice', role: 'admin', passwordHash: 'h' });
  await s.sessions.create('old', { ...session(u.id, 0), expires_at: 1000 });
  await s.sessions.create('new', session(u.id, 2000));
  // Still found if asked about a time before its expiry: only the sweep can have removed it.
  assert.equal(await s.sessions.get('old', 0, 10_000), null);
  assert.ok(await s.sessions.get('new', 2000, 10_000));
});

test('bootstrapUser: generated once, from the environment, or refused when too short', async (t) => {
  const s = setup(t);
  await s.orgs.create('default');
  await assert.rejects(bootstrapUser(s, { THREATLINK_BOOTSTRAP_PASSWORD: 'short' }), /at least 12/);
  const made = await bootstrapUser(s, {});
  assert.equal(made.origin, 'generated');
  assert.equal(made.username, 'admin');
  const stored = await s.users.getByNameWithPassword('admin');
  assert.equal(stored?.role, 'admin');
  assert.ok(await verifySecret(made.generatedPassword as string, stored!.passwordHash));
  assert.deepEqual(await bootstrapUser(s, {}), { created: false, origin: 'existing' });

  const s2 = setup(t);
  await s2.orgs.create('default');
  const fromEnv = await bootstrapUser(s2, { THREATLINK_BOOTSTRAP_USER: 'root', THREATLINK_BOOTSTRAP_PASSWORD: 'a-long-password' });
  assert.deepEqual(fromEnv, { created: true, username: 'root', origin: 'environment' });
  assert.ok(await verifySecret('a-long-password', (await s2.users.getByNameWithPassword('root'))!.passwordHash));
});

test('sign-in limiter: per name and address, for a window, reset by success', () => {
  const l = new SignInLimiter(3, 1000);
  for (let i = 0; i < 3; i++) l.failed('Alice', '10.0.0.1', 0);
  assert.equal(l.retryAfterMs('alice', '10.0.0.1', 100), 900, 'names compare case-insensitively');
  assert.equal(l.retryAfterMs('alice', '10.0.0.2', 100), 0, 'another address is not held up');
  assert.equal(l.retryAfterMs('bob', '10.0.0.1', 100), 0);
  assert.equal(l.retryAfterMs('alice', '10.0.0.1', 1000), 0, 'the window passed');
  l.failed('bob', '10.0.0.1', 0);
  l.failed('bob', '10.0.0.1', 0);
  l.succeeded('bob', '10.0.0.1');
  l.failed('bob', '10.0.0.1', 0);
  assert.equal(l.retryAfterMs('bob', '10.0.0.1', 0), 0);
});
