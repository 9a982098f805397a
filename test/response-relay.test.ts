// The relay module kind against Relay API modules written here from the contract
// (interfaces.md §4), each checking its own auth as real modules do: HS256 with a shared
// secret, a configuration token checked against threatlink's real /.well-known/jwks over TLS,
// or none. Calls go through the module manager and the fan-out, as enrich makes them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, createLocalJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { startTestExchange, cleanup, type TestExchange } from './helpers/exchange.js';
import { https } from './helpers/https.js';
import type { ResponseContext } from '../src/response/context.js';
import type { Module, ModuleAuth, ModuleInstance } from '../src/response/module.js';
import { ModuleConfigError } from '../src/response/modules/kind.js';
import { FanOut } from '../src/response/enrich/fanout.js';
import { signingKeyDir } from '../src/response/jwks/signing-key.js';
import { MAX_ANSWER_BYTES } from '../src/response/modules/relay/transport.js';

let t: TestExchange;
let rc: ResponseContext;
let orgId: string;
const servers: RelayModule[] = [];

before(async () => {
  t = await startTestExchange();
  rc = t.ex.response.context();
  const orgs = await rc.exchange.stores.orgs.list();
  assert.equal(orgs.length, 1, 'a fresh exchange has the admin\'s org only');
  orgId = orgs[0]!.id;
});
after(async () => {
  for (const s of servers) await s.close();
  await t.close();
  cleanup(t.dataDir);
});

// ---- a Relay API module ------------------------------------------------------------------

type Check = 'none' | { hs256: string; key: string } | 'configuration-token';
/** How the module misbehaves on observe, for the error tests. */
type Fault = 'ok' | 'http500' | 'html' | 'errors' | 'partial' | 'shape' | 'huge' | 'huge-chunked';

interface RelayModule {
  url: string;
  /** Per path: calls whose auth passed. */
  passed: Record<string, number>;
  /** Claims of the last token that passed. */
  claims: JWTPayload | null;
  bodies: Array<{ path: string; body: any }>;
  fault: Fault;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => (s += c));
    req.on('end', () => resolve(s));
  });
}

/** Our jwks, fetched as a module does: from the token's jwks_host, over TLS we trust via the CA. */
async function jwksOf(host: string) {
  const r = await https<any>(`https://${host}/.well-known/jwks`, { ca: t.ca });
  if (r.status !== 200) throw new Error(`jwks: ${r.status}`);
  return createLocalJWKSet(r.body);
}

async function checkAuth(check: Check, base: string, header: string | undefined): Promise<JWTPayload | null> {
  if (check === 'none') return null;
  const token = /^Bearer (\S+)$/.exec(header ?? '')?.[1];
  if (!token) throw new Error('no bearer token');
  if (check === 'configuration-token') {
    const host = decodeJwt(token).jwks_host;
    if (typeof host !== 'string') throw new Error('no jwks_host in the token');
    const { payload } = await jwtVerify(token, await jwksOf(host), { algorithms: ['RS256'], audience: base });
    return payload;
  }
  const { payload } = await jwtVerify(token, new TextEncoder().encode(check.hs256), { algorithms: ['HS256'] });
  if (payload.key !== check.key) throw new Error(`key claim ${String(payload.key)} is not ours`);
  return payload;
}

function answer(path: string, body: any, fault: Fault, name: string): { status?: number; raw?: string; json?: unknown } {
  const obs = (Array.isArray(body) ? body : []) as Array<{ type: string; value: string }>;
  const now = new Date().toISOString();
  if (path === '/observe/observables' && fault !== 'ok') {
    const sighting = { id: `transient:sighting-${name}`, type: 'sighting', count: 1, confidence: 'High', observed_time: { start_time: now }, observables: obs };
    switch (fault) {
      case 'http500': return { status: 500, raw: 'Internal Server Error' };
      case 'html': return { raw: '<html>login page</html>' };
      case 'errors': return { json: { errors: [{ type: 'fatal', code: 'too many requests', message: 'upstream quota exhausted' }] } };
      case 'partial': return { json: { data: { sightings: { count: 1, docs: [sighting] } }, errors: [{ type: 'fatal', code: 'partial', message: 'one source failed' }] } };
      case 'shape': return { json: { data: [sighting] } };
    }
  }
  switch (path) {
    case '/health': return { json: { data: { status: 'ok' } } };
    case '/observe/observables':
      return { json: { data: { sightings: { count: obs.length, docs: obs.map((o) => ({
        id: `transient:sighting-${name}-${o.value}`, type: 'sighting', schema_version: '1.3.9', count: 1, confidence: 'High',
        observed_time: { start_time: now }, observables: [o], source: name,
      })) } } } };
    case '/deliberate/observables':
      return { json: { data: { verdicts: { count: obs.length, docs: obs.map((o) => ({ type: 'verdict', observable: o, disposition: 2, disposition_name: 'Malicious', valid_time: { start_time: now } })) } } } };
    case '/refer/observables':
      return { json: { data: obs.map((o) => ({ id: `ref-${name}-${o.value}`, title: `${name} on ${o.value}`, description: 'more', url: `https://${name}.example/${o.value}`, categories: [name] })) } };
    case '/respond/observables':
      return { json: { data: obs.map((o) => ({ id: `${name}-block`, title: `Block in ${name}`, description: 'x', categories: [name], 'query-params': { observable_type: o.type, observable_value: o.value } })) } };
    case '/respond/trigger':
      return { json: { data: { status: body?.['action-id'] === `${name}-block` ? 'success' : 'failure' } } };
    default:
      return { status: 404, json: { errors: [{ type: 'fatal', code: 'not found', message: path }] } };
  }
}

async function startModule(name: string, check: Check, tls?: { cert: string; key: string }): Promise<RelayModule> {
  const m: RelayModule = { url: '', passed: {}, claims: null, bodies: [], fault: 'ok', close: async () => {} };
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const text = await readBody(req);
    const send = (a: { status?: number; raw?: string; json?: unknown }) => {
      res.statusCode = a.status ?? 200;
      if (a.json !== undefined) res.setHeader('content-type', 'application/json');
      res.end(a.raw ?? JSON.stringify(a.json));
    };
    if (req.method !== 'POST') return send({ status: 405, json: { errors: [{ type: 'fatal', code: 'method', message: req.method }] } });
    try {
      const claims = await checkAuth(check, m.url, req.headers.authorization);
      m.claims = claims ?? m.claims;
    } catch (err) {
      // The Relay template's refusal: HTTP 200 with an error, not a 401.
      return send({ json: { errors: [{ type: 'fatal', code: 'permission denied', message: `authorization failed: ${(err as Error).message}` }] } });
    }
    m.passed[path] = (m.passed[path] ?? 0) + 1;
    let body: unknown = null;
    try { body = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    m.bodies.push({ path, body });
    if (path === '/observe/observables' && (m.fault === 'huge' || m.fault === 'huge-chunked')) {
      // An answer past the cap: with its length declared, or streamed without one.
      const piece = Buffer.alloc(1024 * 1024, 0x20);
      const pieces = MAX_ANSWER_BYTES / piece.length + 1;
      res.setHeader('content-type', 'application/json');
      if (m.fault === 'huge') res.setHeader('content-length', String(pieces * piece.length));
      res.on('error', () => {});
      for (let i = 0; i < pieces && !res.destroyed; i++) {
        if (!res.write(piece)) await new Promise((r) => { res.once('drain', r); res.once('close', r); });
      }
      return res.end();
    }
    send(answer(path, body, m.fault, name));
  };
  const server: Server = tls
    ? createHttpsServer({ cert: tls.cert, key: tls.key }, (req, res) => void handler(req, res))
    : createHttpServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  m.url = `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  m.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  servers.push(m);
  return m;
}

// ---- instances and calls -----------------------------------------------------------------

async function instance(name: string, url: string, auth: ModuleAuth, over: Partial<ModuleInstance> = {}): Promise<ModuleInstance> {
  const now = new Date().toISOString();
  const m: ModuleInstance = {
    id: `module-instance-${randomUUID()}`, org_id: orgId, kind: 'relay', name, enabled: true, url, auth, settings: {},
    timeout_ms: 5000, concurrency: 4, rate_limit_per_minute: 0, cache_ttl_seconds: 0, created_at: now, updated_at: now, ...over,
  };
  rc.modules.validate(m);
  const made = await rc.stores.modules.create(m);
  await rc.modules.forget(orgId, m.id);
  return made;
}

async function live(...ms: ModuleInstance[]): Promise<Module[]> {
  const ids = new Set(ms.map((m) => m.id));
  return (await rc.modules.modules(orgId)).filter((m) => ids.has(m.instance.id));
}

const fanout = () => new FanOut((m) => rc.modules.typeId(m.instance));
const ctx = () => ({ orgId, signal: AbortSignal.timeout(5000) });
const OBS = [{ type: 'ip', value: '198.51.100.5' }, { type: 'domain', value: 'evil.example.org' }];

// ---- tests -------------------------------------------------------------------------------

test('validate names the field: url, auth and settings.ca', () => {
  const base: ModuleInstance = {
    id: 'x', org_id: 'o', kind: 'relay', name: 'x', enabled: true, url: 'https://relay.example.com/m', auth: { type: 'none' }, settings: {},
    timeout_ms: 1000, concurrency: 1, rate_limit_per_minute: 0, cache_ttl_seconds: 0, created_at: '', updated_at: '',
  };
  const fieldOf = (over: Partial<ModuleInstance>) => {
    try {
      rc.modules.validate({ ...base, ...over });
      return null;
    } catch (err) {
      assert.ok(err instanceof ModuleConfigError, String(err));
      return err.field;
    }
  };
  assert.equal(fieldOf({}), null);
  assert.equal(fieldOf({ url: undefined }), 'url');
  assert.equal(fieldOf({ url: 'ftp://relay.example.com' }), 'url');
  assert.equal(fieldOf({ url: 'not a url' }), 'url');
  assert.equal(fieldOf({ url: 'https://relay.example.com/m?x=1' }), 'url');
  assert.equal(fieldOf({ auth: { type: 'hs256', key: '' } }), 'auth.key');
  assert.equal(fieldOf({ auth: { type: 'basic' } as unknown as ModuleAuth }), 'auth.type');
  assert.equal(fieldOf({ settings: { ca: 'not a pem' } }), 'settings.ca');
  assert.equal(fieldOf({ settings: { ca: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' } }), 'settings.ca');
  assert.equal(fieldOf({ settings: { ca: t.ca } }), null);
  assert.equal(fieldOf({ auth: { type: 'configuration-token' } }), null);
});

test('/.well-known/jwks serves the public signing key without auth; the private key file is 0600', async () => {
  const r = await t.api('/.well-known/jwks', { as: 'none' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.keys.length, 1);
  const k = r.body.keys[0];
  assert.equal(k.kty, 'RSA');
  assert.equal(k.alg, 'RS256');
  assert.equal(k.use, 'sig');
  assert.equal(k.d, undefined, 'no private part');
  assert.equal(k.kid, await calculateJwkThumbprint({ kty: k.kty, n: k.n, e: k.e }, 'sha256'));
  const file = join(signingKeyDir(t.dataDir), 'signing-key.pem');
  assert.equal(statSync(file).mode & 0o777, 0o600);
});

test('observe, deliberate, refer and respond reach modules with none, HS256 and configuration-token auth', async () => {
  const open = await startModule('open', 'none');
  const shared = await startModule('shared', { hs256: 'hs-secret-1', key: 'vendor-api-key' });
  const cfg = await startModule('configured', 'configuration-token');
  const ms = [
    await instance('open', open.url, { type: 'none' }),
    await instance('shared', `${shared.url}/`, { type: 'hs256', key: 'hs-secret-1' }, { settings: { key: 'vendor-api-key' } }),
    await instance('configured', cfg.url, { type: 'configuration-token' }, { settings: { tenant: 'acme', region: 'eu', ca: t.ca } }),
  ];
  const mods = await live(...ms);
  assert.equal(mods.length, 3);
  const f = fanout();

  const observed = await f.run('observe', mods, OBS, orgId);
  assert.deepEqual(observed.errors, []);
  for (const name of ['open', 'shared', 'configured']) {
    const a = observed.answers.find((x) => x.ref.module === name);
    assert.ok(a, name);
    assert.equal(a.ref.module_type_id, 'threatlink.relay');
    assert.equal((a.data as any).sightings.count, 2, name);
  }
  const deliberated = await f.run('deliberate', mods, OBS, orgId);
  assert.deepEqual(deliberated.errors, []);
  assert.equal(deliberated.answers.length, 3);
  const referred = await f.run('refer', mods, OBS, orgId);
  assert.deepEqual(referred.errors, []);
  assert.equal(referred.answers.length, 6, 'a link per observable per module');
  const offered = await f.run('respond', mods, OBS.slice(0, 1), orgId);
  assert.deepEqual(offered.errors, []);
  assert.deepEqual(offered.answers.map((a) => (a.data as any).id).sort(), ['configured-block', 'open-block', 'shared-block']);

  for (const s of [open, shared, cfg]) {
    for (const p of ['/observe/observables', '/deliberate/observables', '/refer/observables', '/respond/observables']) assert.equal(s.passed[p], 1, `${p} passed auth once`);
  }
  // what each module was sent: the observables, as given
  assert.deepEqual(open.bodies.find((b) => b.path === '/observe/observables')?.body, OBS);
  // the configuration token: aud is the module, jwks_host is us, settings ride along but not our CA
  const c = cfg.claims!;
  assert.equal(c.aud, cfg.url);
  assert.equal(c.jwks_host, new URL(t.url).host);
  assert.equal(c.iss, rc.baseUrl());
  assert.equal(c.tenant, 'acme');
  assert.equal(c.region, 'eu');
  assert.equal(c.ca, undefined);
  assert.ok(c.exp! - c.iat! <= 300 && c.exp! > Date.now() / 1000);
  assert.equal(shared.claims!.key, 'vendor-api-key');
});

test('trigger posts the action with its query params; health answers ok', async () => {
  const s = await startModule('acts', { hs256: 'hs-secret-2', key: 'hs-secret-2' });
  const [m] = await live(await instance('acts', s.url, { type: 'hs256', key: 'hs-secret-2' }));
  assert.ok(m?.trigger && m.health);
  const r = await m.trigger('acts-block', { observable_type: 'ip', observable_value: '198.51.100.5', reason: 'test' }, ctx());
  assert.equal(r.status, 'success');
  assert.deepEqual(s.bodies.find((b) => b.path === '/respond/trigger')?.body, {
    'action-id': 'acts-block', observable_type: 'ip', observable_value: '198.51.100.5', reason: 'test',
  });
  // an action-id smuggled in the params does not replace the one asked for
  const other = await m.trigger('no-such-action', { observable_type: 'ip', observable_value: '1.2.3.4', 'action-id': 'acts-block' }, ctx());
  assert.equal(other.status, 'failure');
  assert.deepEqual(await m.health(ctx()), { status: 'ok' });
  assert.equal(s.passed['/health'], 1);
  // with no settings.key, the HS256 key claim is the shared key itself
  assert.equal(s.claims!.key, 'hs-secret-2');
});

test('a wrong HS256 key gives the module\'s refusal as an error naming the module', async () => {
  const s = await startModule('strict', { hs256: 'right-secret', key: 'right-secret' });
  const ms = await live(await instance('strict-module', s.url, { type: 'hs256', key: 'wrong-secret' }));
  const r = await fanout().run('observe', ms, OBS, orgId);
  assert.equal(r.answers.length, 0);
  assert.equal(r.errors.length, 1);
  const e = r.errors[0]!;
  assert.equal(e.module, 'strict-module');
  assert.equal(e.code, 'permission denied');
  assert.match(e.message, /relay module "strict-module"/);
  assert.match(e.message, /signature verification failed/);
  assert.equal(s.passed['/observe/observables'], undefined);
});

test('a configuration token for another audience is refused by the module', async () => {
  const s = await startModule('aud-check', 'configuration-token');
  // the module sits behind a path it does not know about: the token names a different URL
  const [m] = await live(await instance('aud-check', `${s.url}/other-base`, { type: 'configuration-token' }));
  await assert.rejects(m!.observe!(OBS, ctx()), (err: any) => err.code === 'permission denied' && /"aud" claim/.test(err.message));
});

test('HTTP errors, non-JSON, wrong shapes and unreachable modules become clear errors; partial data comes through', async () => {
  const s = await startModule('flaky', 'none');
  const [m] = await live(await instance('flaky', s.url, { type: 'none' }));
  const observe = () => m!.observe!(OBS, ctx());
  const fails = async (fault: Fault, code: string, text: RegExp) => {
    s.fault = fault;
    await assert.rejects(observe(), (err: any) => {
      assert.equal(err.code, code, `${fault}: ${err.message}`);
      assert.match(err.message, /relay module "flaky"/);
      assert.match(err.message, text);
      return true;
    });
  };
  await fails('http500', 'http_status', new RegExp(`${s.url}/observe/observables answered HTTP 500`));
  await fails('html', 'bad_answer', /not JSON: <html>login page/);
  await fails('errors', 'too many requests', /upstream quota exhausted/);
  await fails('shape', 'bad_answer', /should be an object/);
  await fails('huge', 'bad_answer', /answer larger than 16777216 bytes/);
  await fails('huge-chunked', 'bad_answer', /answer larger than 16777216 bytes/);
  s.fault = 'partial';
  const partial = await observe();
  assert.equal(partial.sightings?.count, 1);
  // Through the fan-out, as enrich asks: the data, and beside it the errors the module gave with it.
  const r = await fanout().run('observe', [m!], OBS, orgId);
  assert.equal(r.answers.length, 1);
  assert.equal((r.answers[0]!.data as any).sightings.count, 1);
  assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
  assert.equal(r.errors[0]!.module, 'flaky');
  assert.equal(r.errors[0]!.code, 'partial');
  assert.equal(r.errors[0]!.type, 'fatal');
  assert.match(r.errors[0]!.message, /relay module "flaky": one source failed/);
  // A partial answer is not cached: the next ask reaches the module again.
  const [cachedM] = await live(await instance('flaky-cached', s.url, { type: 'none' }, { cache_ttl_seconds: 60 }));
  const f = fanout();
  const before = s.passed['/observe/observables'] ?? 0;
  await f.run('observe', [cachedM!], OBS, orgId);
  const again = await f.run('observe', [cachedM!], OBS, orgId);
  assert.equal(s.passed['/observe/observables'], before + 2, 'the partial answer was served from the cache');
  assert.equal(again.errors.length, 1);
  s.fault = 'ok';
  await f.run('observe', [cachedM!], OBS, orgId);
  const whole = await f.run('observe', [cachedM!], OBS, orgId);
  assert.equal(s.passed['/observe/observables'], before + 3, 'a whole answer is cached');
  assert.deepEqual(whole.errors, []);
  // a wrong base path: the module's 404, Relay error shape and all, is still an HTTP status error
  const [lost] = await live(await instance('lost', `${s.url}/nowhere`, { type: 'none' }));
  await assert.rejects(lost!.observe!(OBS, ctx()), (err: any) => err.code === 'http_status' && /answered HTTP 404: .*not found/.test(err.message));

  const gone = await startModule('gone', 'none');
  await gone.close();
  const [g] = await live(await instance('gone', gone.url, { type: 'none' }));
  await assert.rejects(g!.observe!(OBS, ctx()), (err: any) => err.code === 'unreachable' && /relay module "gone"/.test(err.message) && /ECONNREFUSED/.test(err.message));
});

test('https modules: trusted through settings.ca, refused without it', async () => {
  const { certPem, keyPem } = await t.ex.ctx.ca.issueServerCert(['127.0.0.1']);
  const s = await startModule('private-ca', 'none', { cert: certPem, key: keyPem });
  const [trusted, untrusted] = await live(
    await instance('private-ca', s.url, { type: 'none' }, { settings: { ca: t.ca } }),
    await instance('no-ca', s.url, { type: 'none' }),
  );
  assert.equal(trusted!.instance.name, 'private-ca');
  const r = await trusted!.deliberate!(OBS, ctx());
  assert.equal(r.verdicts?.count, 2);
  await assert.rejects(untrusted!.deliberate!(OBS, ctx()), (err: any) => err.code === 'unreachable' && /settings\.ca/.test(err.message));
});

test('a module that does not answer in time is cut off at its deadline', async () => {
  const server = createHttpServer(() => { /* never answers */ });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const ms = await live(await instance('slow', url, { type: 'none' }, { timeout_ms: 300 }));
    const t0 = Date.now();
    const r = await fanout().run('observe', ms, OBS, orgId);
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(r.errors[0]?.code, 'timeout');
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('an instance stored with a bad URL fails on its own, not the whole fan-out', async () => {
  const now = new Date().toISOString();
  const bad = await rc.stores.modules.create({
    id: `module-instance-${randomUUID()}`, org_id: orgId, kind: 'relay', name: 'stale', enabled: true, url: 'gopher://old', auth: { type: 'none' },
    settings: {}, timeout_ms: 1000, concurrency: 1, rate_limit_per_minute: 0, cache_ttl_seconds: 0, created_at: now, updated_at: now,
  });
  await rc.modules.forget(orgId, bad.id);
  const all = await rc.modules.modules(orgId);
  assert.ok(all.some((m) => m.instance.id === bad.id));
  const r = await fanout().run('refer', all, OBS.slice(0, 1), orgId);
  assert.equal(r.errors.find((e) => e.module === 'stale')?.code, 'misconfigured');
  assert.ok(r.answers.some((a) => a.ref.module_type_id === 'threatlink.exchange-sightings'));
});

test('the upstream API key in settings.key is never shown; echoing the redaction back keeps it', async () => {
  const s = await startModule('keyed', { hs256: 'hs-secret-3', key: 'vendor-key-3' });
  const made = await t.api('/iroh/iroh-int/module_instance', { method: 'POST', body: {
    kind: 'relay', name: 'keyed', url: s.url, auth: { type: 'hs256', key: 'hs-secret-3' }, settings: { key: 'vendor-key-3', tenant: 'acme' },
  } });
  assert.equal(made.status, 201, made.text);
  assert.deepEqual(made.body.settings, { key: '********', tenant: 'acme' });
  for (const path of [`/iroh/iroh-int/module_instance/${made.body.id}`, '/iroh/iroh-int/module_instance', '/iroh/iroh-enrich/settings']) {
    const r = await t.api(path);
    assert.ok(!r.text.includes('vendor-key-3') && !r.text.includes('hs-secret-3'), `${path} shows no secret`);
  }
  // An edit that sends the settings back as read keeps the stored key: the module still gets it.
  const edited = await t.api(`/iroh/iroh-int/module_instance/${made.body.id}`, { method: 'PATCH', body: { name: 'keyed-2', settings: made.body.settings } });
  assert.equal(edited.status, 200, edited.text);
  const [m] = await live({ id: made.body.id } as ModuleInstance);
  assert.deepEqual(await m!.health!(ctx()), { status: 'ok' });
  assert.equal(s.claims!.key, 'vendor-key-3');
  // A new key replaces it (and this module refuses it, naming the key it was sent).
  await t.api(`/iroh/iroh-int/module_instance/${made.body.id}`, { method: 'PATCH', body: { settings: { key: 'vendor-key-4' } } });
  const [m2] = await live({ id: made.body.id } as ModuleInstance);
  await assert.rejects(m2!.health!(ctx()), /key claim vendor-key-4 is not ours/);
});
