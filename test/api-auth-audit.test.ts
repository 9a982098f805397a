// An audit of every route the whole server answers: without a token each one is refused,
// except the few that are public by design. A new route that forgets its auth fails here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestExchange, cleanup, type TestExchange } from './helpers/exchange.js';

/** Public by design: liveness, OAuth, enrollment (the token is the credential), EST CA certs,
 * the JWKS relay modules fetch, and the device endpoints that check a client certificate; the
 * console's sign-in and sign-out (the password or the session is the credential) and its web
 * app (which signs in through the API). */
const PUBLIC = new Set([
  'GET /healthz',
  'POST /console/api/session',
  'DELETE /console/api/session',
  'GET /console',
  'GET /console/*',
  'POST /iroh/oauth2/token',
  'POST /providers/sse/services/token/api/v2/oauth/service/access_token',
  'POST /providers/sse/services/registration/api/v2/clients',
  'GET /.well-known/est/cacerts',
  'GET /.well-known/jwks',
]);
/** Checked by the device certificate, not a bearer token: refused without one all the same. */
const CERT = new Set([
  'POST /.well-known/est/simplereenroll',
  'GET /providers/sse/services/registration/api/v2/clients/self',
  'PUT /providers/sse/services/registration/api/v2/clients/self',
  'DELETE /providers/sse/services/registration/api/v2/clients/self',
]);
/** The note's reachability checks (curl without credentials): answered 403, as SSE does. */
const PROBES = new Set(['GET /', 'GET /providers/sse/services/registration/api/v2/clients']);

let t: TestExchange;
before(async () => { t = await startTestExchange(); });
after(async () => { await t.close(); cleanup(t.dataDir); });

test('every route but the public ones refuses a caller without credentials', async () => {
  const routes = t.ex.routes.filter((r) => !PUBLIC.has(`${r.method} ${r.url}`));
  assert.ok(routes.length > 40, `only ${routes.length} routes found`);
  const open: string[] = [];
  for (const r of routes) {
    const path = r.url.replace(/:[a-zA-Z_]+/g, 'x').replace(/\*$/, 'x');
    const res = await t.api(path, { method: r.method, as: 'none', ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { body: {} }) });
    const key = `${r.method} ${r.url}`;
    const expected = CERT.has(key) ? [401, 403] : PROBES.has(key) ? [403] : [401];
    if (!expected.includes(res.status)) open.push(`${r.method} ${r.url} → ${res.status}`);
  }
  assert.deepEqual(open, [], 'routes answering without credentials');
});

test('a wrong token is refused the same way everywhere', async () => {
  for (const path of ['/iroh/iroh-enrich/settings', '/ctia/incident/search', '/api/v1/incident-rules', '/api/v1/response-actions']) {
    const r = await t.api(path, { token: 'tla_not-a-real-token' });
    assert.equal(r.status, 401, path);
    assert.equal(r.body.error, 'invalid_token');
  }
});
