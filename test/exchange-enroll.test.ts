// Registration tokens, enrollment with a CSR, EST renewal, the device registry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import {
  startTestExchange, cleanup, registrationToken, enroll, enrollDevice, DeviceSocket, type TestExchange,
} from './helpers/exchange.js';
import { https } from './helpers/https.js';
import { issueRegistrationToken } from '../src/exchange/api/registration-tokens.js';
import { parseRegistrationToken } from '../src/protocol/registration-token.js';
import { generateKeyAndCsr, csrDerBase64, certsFromPkcs7, fingerprint } from '../src/pki/x509.js';

let t: TestExchange;
before(async () => { t = await startTestExchange(); });
after(async () => { await t.close(); cleanup(t.dataDir); });

test('a registration token carries the CA fingerprint and is stored hashed', async () => {
  const token = await registrationToken(t, { principal: { serviceType: ['ngfw'] }, expiry: 129600 });
  const parts = parseRegistrationToken(token);
  assert.ok(parts);
  assert.equal(parts.caFingerprint, t.ex.ctx.ca.fingerprint);
  assert.equal(parts.caFingerprint, fingerprint(t.ca));
  const stored = await t.ex.ctx.stores.tokens.get(parts.id);
  assert.ok(stored);
  assert.ok(!stored.secretHash.includes(parts.secret));
  const list = await t.api('/api/v1/tokens');
  const row = list.body.data.find((x: { id: string }) => x.id === parts.id);
  assert.equal(row.uses_allowed, 1);
  assert.ok(!JSON.stringify(list.body).includes(parts.secret));
});

test('enrollment signs the CSR with the exchange CA and hands out the endpoint map', async () => {
  const dev = await enrollDevice(t, 'fw-east');
  const cert = new X509Certificate(dev.cert);
  const ca = new X509Certificate(t.ca);
  assert.ok(cert.verify(ca.publicKey), 'signed by the exchange CA');
  assert.ok(cert.checkIssued(ca));
  assert.match(cert.subject, new RegExp(`CN=${dev.deviceId}`));
  assert.equal(dev.ca, t.ca);
  for (const role of ['api', 'est', 'eventing', 'mx']) assert.ok(dev.endpoints[role], role);
  assert.match(dev.endpoints.eventing as string, /^wss:\/\/.*\/eventing\/v1\/ws$/);
  const rec = await t.api(`/api/v1/devices/${dev.deviceId}`);
  assert.equal(rec.status, 200);
  assert.equal(rec.body.name, 'fw-east');
  assert.equal(rec.body.hostname, 'fw-east.lab');
  assert.equal(rec.body.version, '0.1.0');
  assert.equal(rec.body.connection_state, 'never');
  assert.equal(rec.body.cloud_events, true);
  assert.ok(rec.body.registered_at);
});

test('each token error has its own code', async () => {
  // used: single use by default
  const once = await registrationToken(t);
  assert.equal((await enroll(t, once, 'a')).r.status, 201);
  const used = (await enroll(t, once, 'b')).r;
  assert.equal(used.status, 401);
  assert.equal(used.body.error, 'token_used');
  // revoked
  const rev = await registrationToken(t);
  const id = parseRegistrationToken(rev)!.id;
  assert.equal((await t.api(`/api/v1/tokens/${id}`, { method: 'DELETE' })).status, 204);
  const revoked = (await enroll(t, rev, 'c')).r;
  assert.equal(revoked.status, 401);
  assert.equal(revoked.body.error, 'token_revoked');
  // expired
  const org = (await t.ex.ctx.stores.orgs.list())[0]!;
  const exp = await issueRegistrationToken(t.ex.ctx.stores.tokens, t.ex.ctx.ca.fingerprint, org.id, { expirySeconds: -5 });
  const expired = (await enroll(t, exp.token, 'd')).r;
  assert.equal(expired.status, 401);
  assert.equal(expired.body.error, 'token_expired');
  // unknown: well-formed but never issued, and garbage
  const fake = rev.replace(/^tlr1\.[^.]+\./, 'tlr1.AAAAAAAAAAAAAAAA.');
  for (const bad of [fake, 'not-a-token']) {
    const r = (await enroll(t, bad, 'e')).r;
    assert.equal(r.status, 401);
    assert.equal(r.body.error, 'token_unknown');
    assert.ok(r.body.message);
  }
});

test('a bad CSR is refused and does not spend the token', async () => {
  const token = await registrationToken(t);
  const bad = await https(`${t.url}/providers/sse/services/registration/api/v2/clients`, {
    method: 'POST', ca: t.ca, body: { token, csr: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----', name: 'x' },
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error, 'csr_invalid');
  assert.equal((await enroll(t, token, 'after-bad-csr')).r.status, 201);
});

test('a token with uses: N enrolls N devices; a device-bound token fixes the id', async () => {
  const token = await registrationToken(t, { expiry: 3600, uses: 2 });
  assert.equal((await enroll(t, token, 'm1')).r.status, 201);
  assert.equal((await enroll(t, token, 'm2')).r.status, 201);
  assert.equal((await enroll(t, token, 'm3')).r.body.error, 'token_used');
  const bound = await registrationToken(t, { principal: { deviceId: 'ftd-branch-7' }, expiry: 3600 });
  const dev = await enrollDevice(t, 'branch', bound);
  assert.equal(dev.deviceId, 'ftd-branch-7');
});

test('EST simplereenroll renews with the current certificate; the new one works', async () => {
  const dev = await enrollDevice(t, 'renew-me');
  const { keyPem, csrPem } = await generateKeyAndCsr('renew-me');
  const r = await https(`${dev.endpoints.est}/simplereenroll`, {
    method: 'POST', ca: t.ca, cert: dev.cert, key: dev.key,
    headers: { 'content-type': 'application/pkcs10' }, body: csrDerBase64(csrPem),
  });
  assert.equal(r.status, 200, r.text);
  const [certPem] = certsFromPkcs7(r.text);
  assert.ok(certPem);
  assert.match(new X509Certificate(certPem).subject, new RegExp(`CN=${dev.deviceId}`));
  const s = await DeviceSocket.connect({ ...dev, cert: certPem, key: keyPem });
  assert.equal((await s.hello()).device_id, dev.deviceId);
  s.close();
  const anon = await https(`${dev.endpoints.est}/simplereenroll`, { method: 'POST', ca: t.ca, headers: { 'content-type': 'application/pkcs10' }, body: csrDerBase64(csrPem) });
  assert.equal(anon.status, 401);
  assert.equal(anon.body.error, 'certificate_required');
  const cacerts = await https(`${dev.endpoints.est}/cacerts`, { ca: t.ca });
  assert.equal(certsFromPkcs7(cacerts.text)[0]?.trim(), t.ca.trim());
});

test('rename, cloud events switch reaches the live device, and the SCIM delete answers 202', async () => {
  const dev = await enrollDevice(t, 'switchable');
  const s = await DeviceSocket.connect(dev);
  await s.hello();
  const p = await t.api(`/api/v1/devices/${dev.deviceId}`, { method: 'PATCH', body: { name: 'renamed', cloud_events: false } });
  assert.equal(p.status, 200);
  assert.equal(p.body.name, 'renamed');
  assert.equal(p.body.cloud_events, false);
  const ctl = await s.waitFor((f) => f.type === 'control');
  assert.deepEqual((ctl as { action: string; params: unknown }).params, { enabled: false });
  assert.equal((ctl as { action: string }).action, 'cloud_events');
  const del = await t.api(`/providers/sse/services/scim/v2/Devices/${dev.deviceId}`, { method: 'DELETE' });
  assert.equal(del.status, 202);
  const closed = await s.waitClosed();
  assert.equal(closed.code, 4403);
  assert.equal((await t.api(`/api/v1/devices/${dev.deviceId}`)).status, 404);
});
