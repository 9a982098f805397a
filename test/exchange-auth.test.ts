// OAuth2 client credentials, API clients and roles, security headers, over real HTTPS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestExchange, cleanup, ADMIN_ID, ADMIN_SECRET, type TestExchange } from './helpers/exchange.js';
import { https } from './helpers/https.js';
import { statSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { TEST_BACKEND } from './helpers/pg.js';

let t: TestExchange;
before(async () => { t = await startTestExchange(); });
after(async () => { await t.close(); cleanup(t.dataDir); });

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const form = { 'content-type': 'application/x-www-form-urlencoded' };

function assertSecurityHeaders(h: Record<string, unknown>) {
  assert.equal(h['content-security-policy'], "default-src 'self'");
  assert.equal(h['x-content-type-options'], 'nosniff');
  assert.equal(h['x-xss-protection'], '1; mode=block');
  assert.match(String(h['strict-transport-security']), /max-age=31536000; includeSubdomains/);
  assert.equal(h['cache-control'], 'no-store');
}

test('healthz answers without auth, with the security headers', async () => {
  const r = await t.api('/healthz', { as: 'none' });
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'ok');
  assert.match(r.body.ca_fingerprint, /^sha256:[0-9a-f]{64}$/);
  assertSecurityHeaders(r.headers);
});

test('plain HTTP is not served: TLS only', async () => {
  const port = new URL(t.url).port;
  const res = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, (e: Error) => e);
  // Either the TLS server drops the plaintext connection or answers with a 400; never a 200.
  assert.notEqual(res, 200);
});

test('unauthenticated API requests are refused with a JSON error and the headers', async () => {
  for (const path of ['/api/v1/devices', '/api/v1/events', '/api/v1/clients', '/api/v1/tokens', '/metrics']) {
    const r = await t.api(path, { as: 'none' });
    assert.equal(r.status, 401, path);
    assert.equal(r.body.error, 'unauthorized');
    assertSecurityHeaders(r.headers);
  }
  const bad = await t.api('/api/v1/devices', { token: 'tla_not-a-real-token' });
  assert.equal(bad.status, 401);
  assert.equal(bad.body.error, 'invalid_token');
  const reg = await t.api('/providers/sse/services/token/api/v2/auth_tokens/registration', { as: 'none', method: 'POST', body: {} });
  assert.equal(reg.status, 401);
});

test('client credentials at both token paths; wrong secret and wrong grant refused', async () => {
  for (const path of ['/iroh/oauth2/token', '/providers/sse/services/token/api/v2/oauth/service/access_token']) {
    const r = await https(`${t.url}${path}`, { method: 'POST', ca: t.ca, headers: { ...form, authorization: basic(ADMIN_ID, ADMIN_SECRET) }, body: 'grant_type=client_credentials' });
    assert.equal(r.status, 200, path);
    assert.equal(r.body.token_type, 'bearer');
    assert.equal(r.body.expires_in, 600);
    assert.equal(typeof r.body.access_token, 'string');
    const who = await t.api('/api/v1/devices', { token: r.body.access_token });
    assert.equal(who.status, 200);
  }
  const wrong = await https(`${t.url}/iroh/oauth2/token`, { method: 'POST', ca: t.ca, headers: { ...form, authorization: basic(ADMIN_ID, 'nope') }, body: 'grant_type=client_credentials' });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.error, 'invalid_client');
  const grant = await https(`${t.url}/iroh/oauth2/token`, { method: 'POST', ca: t.ca, headers: { ...form, authorization: basic(ADMIN_ID, ADMIN_SECRET) }, body: 'grant_type=password' });
  assert.equal(grant.status, 400);
  assert.equal(grant.body.error, 'unsupported_grant_type');
});

test('the CA key and the database are readable by the owner alone', () => {
  assert.equal(statSync(join(t.dataDir, 'ca', 'ca.key')).mode & 0o777, 0o600);
  // On PostgreSQL the database is the server's, behind its own access control.
  if (TEST_BACKEND === 'sqlite') assert.equal(statSync(join(t.dataDir, 'exchange.db')).mode & 0o777, 0o600);
  assert.equal(statSync(t.dataDir).mode & 0o777, 0o700);
});

test('secrets are stored hashed', async () => {
  const c = await t.ex.ctx.stores.clients.getWithSecret(ADMIN_ID);
  assert.ok(c);
  assert.ok(!c.secretHash.includes(ADMIN_SECRET));
  assert.match(c.secretHash, /^scrypt\$/);
});

test('roles: read-only reads but cannot change; deleting a client ends its tokens', async () => {
  const made = await t.api('/api/v1/clients', { method: 'POST', body: { name: 'dashboard', role: 'read-only' } });
  assert.equal(made.status, 201);
  assert.equal(made.body.role, 'read-only');
  const ro = await t.token(made.body.client_id, made.body.client_secret);
  assert.equal((await t.api('/api/v1/devices', { token: ro })).status, 200);
  assert.equal((await t.api('/api/v1/events', { token: ro })).status, 200);
  const denied = await t.api('/providers/sse/services/token/api/v2/auth_tokens/registration', { token: ro, method: 'POST', body: { expiry: 3600 } });
  assert.equal(denied.status, 403);
  assert.equal(denied.body.error, 'forbidden');
  assert.equal((await t.api('/api/v1/clients', { token: ro })).status, 403);
  const list = await t.api('/api/v1/clients');
  assert.ok(list.body.data.some((c: { id: string }) => c.id === made.body.client_id));
  assert.ok(!JSON.stringify(list.body).includes(made.body.client_secret), 'secret never listed');
  const del = await t.api(`/api/v1/clients/${made.body.client_id}`, { method: 'DELETE' });
  assert.equal(del.status, 204);
  const after = await t.api('/api/v1/devices', { token: ro });
  assert.equal(after.status, 401);
  const bad = await t.api('/api/v1/clients', { method: 'POST', body: { name: 'x', role: 'root' } });
  assert.equal(bad.status, 400);
  assert.match(bad.body.message, /role/);
});

test('metrics need an admin token and expose the ingest series', async () => {
  const r = await t.api('/metrics');
  assert.equal(r.status, 200);
  for (const m of ['threatlink_events_received_total', 'threatlink_events_committed_total', 'threatlink_events_rejected_total', 'threatlink_batch_commit_seconds', 'threatlink_connected_devices']) {
    assert.ok(r.text.includes(m), m);
  }
});

test("the note's curl checks: GET / and GET the registration path without credentials answer 403, as SSE does", async () => {
  const caFile = join(t.dataDir, 'connectorCA-for-curl.pem');
  writeFileSync(caFile, t.ca);
  for (const path of ['/', '/providers/sse/services/registration/api/v2/clients']) {
    // The note's command, as an operator runs it: curl -v https://HOST<path> --cacert connectorCA.pem
    // Not spawnSync: the exchange answering it runs in this process.
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile('curl', ['-sS', '-v', `${t.url}${path}`, '--cacert', caFile], (err, stdout, stderr) => resolve({ status: err ? (err.code as number) ?? 1 : 0, stdout, stderr }));
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /< HTTP\/1\.1 403 Forbidden/, run.stderr);
    assert.match(run.stderr, /Connection #0 to host \S+ left intact/);
    assert.equal(JSON.parse(run.stdout).error, 'forbidden');
    const r = await t.api(path, { as: 'none' });
    assert.equal(r.status, 403);
    assert.equal(r.body.error, 'forbidden');
    assert.match(r.body.message, /reachable/);
    assertSecurityHeaders(r.headers);
  }
  // Enrollment itself, POST on the same path, still answers as before.
  const post = await t.api('/providers/sse/services/registration/api/v2/clients', { as: 'none', method: 'POST', body: { token: 'nope', csr: 'x' } });
  assert.equal(post.status, 401);
  assert.equal(post.body.error, 'token_unknown');
});

test('unknown routes answer 404 JSON with the headers', async () => {
  const r = await t.api('/nope', { as: 'none' });
  assert.equal(r.status, 404);
  assert.equal(r.body.error, 'not_found');
  assertSecurityHeaders(r.headers);
});
