// The CTIA calls beyond CRUD that the threatresponse client exposes, over a real exchange:
// `<entity>.external_id(id)`, `judgement.expire(id, payload, params={'reason': …})` and
// `incident.link(id, {'casebook_id': …})`, with roles and orgs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestExchange, cleanup, type TestExchange } from './helpers/exchange.js';
import { roleTokens } from './helpers/roles.js';

let t: TestExchange;
let analyst: string;
let reader: string;
let tokenB: string;

before(async () => {
  t = await startTestExchange();
  ({ analyst, reader, otherOrgAdmin: tokenB } = await roleTokens(t, 'extras'));
});
after(async () => { await t.close(); cleanup(t.dataDir); });

const now = () => new Date().toISOString();
const short = (id: string) => id.slice(id.lastIndexOf('/') + 1);
/** What the client's urls.join does to a path segment (quote(…, safe='')). */
const seg = (s: string) => encodeURIComponent(s);

async function create(type: string, body: Record<string, unknown>, token = analyst) {
  const r = await t.api(`/ctia/${type}`, { method: 'POST', body, token });
  assert.equal(r.status, 201, r.text);
  return r.body as Record<string, any>;
}
const judgement = (extra: Record<string, unknown> = {}) => ({
  observable: { type: 'domain', value: 'expire-test.example.com' }, disposition: 2, source: 'analyst', priority: 95, confidence: 'High', severity: 'High', ...extra,
});

test('GET /ctia/{entity}/external_id/{id}: the org\'s entities with that external id, exactly, with paging headers', async () => {
  const ext = `feed:abc/${randomUUID()}`;
  const samples: Record<string, Record<string, unknown>> = {
    incident: { confidence: 'High', status: 'New', incident_time: { opened: now() } },
    casebook: { title: 'c' },
    sighting: { count: 1, confidence: 'High', observed_time: { start_time: now() } },
    judgement: judgement({ observable: { type: 'domain', value: 'external-id.example.com' } }),
    indicator: { producer: 'feed' },
    relationship: { relationship_type: 'related-to', source_ref: 'https://x/ctia/sighting/sighting-1', target_ref: 'https://x/ctia/incident/incident-1' },
  };
  for (const [type, body] of Object.entries(samples)) {
    const a = await create(type, { ...body, external_ids: [ext, 'other'] });
    const b = await create(type, { ...body, external_ids: [ext] });
    await create(type, { ...body, external_ids: [ext.toUpperCase()] });
    const r = await t.api(`/ctia/${type}/external_id/${seg(ext)}`, { token: reader });
    assert.equal(r.status, 200, `${type}: ${r.text}`);
    assert.deepEqual(r.body.map((x: { id: string }) => x.id).sort(), [a.id, b.id].sort(), type);
    assert.equal(r.headers['x-total-hits'], '2');
    const page = await t.api(`/ctia/${type}/external_id/${seg(ext)}?limit=1`, { token: reader });
    assert.equal(page.body.length, 1);
    assert.ok(page.headers['x-next'], type);
  }
  assert.deepEqual((await t.api(`/ctia/judgement/external_id/${seg(`nothing-${randomUUID()}`)}`, { token: reader })).body, []);
  // another org has none of them
  const b = await t.api(`/ctia/judgement/external_id/${seg(ext)}`, { token: tokenB });
  assert.equal(b.status, 200);
  assert.deepEqual(b.body, []);
  assert.equal((await t.api(`/ctia/judgement/external_id/${seg(ext)}`, { as: 'none' })).status, 401);
});

test('POST /ctia/judgement/{id}/expire?reason=…: valid_time ends now, the reason is appended, the verdict follows', async () => {
  const j = await create('judgement', judgement({ reason: 'seen beaconing' }));
  const verdict = () => t.api('/ctia/domain/expire-test.example.com/verdict', { token: reader });
  assert.equal((await verdict()).body.judgement_id, j.id);
  const before = Date.now();
  const r = await t.api(`/ctia/judgement/${seg(j.id)}/expire?reason=${encodeURIComponent('false positive')}`, { method: 'POST', body: {}, token: analyst });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.id, j.id);
  assert.equal(r.body.reason, 'seen beaconing false positive');
  assert.equal(r.body.valid_time.start_time, j.valid_time.start_time);
  const end = Date.parse(r.body.valid_time.end_time);
  assert.ok(end >= before - 1000 && end <= Date.now() + 1000, r.body.valid_time.end_time);
  assert.equal((await verdict()).status, 404, 'no judgement of it is valid any more');
  assert.equal((await t.api(`/ctia/judgement/${short(j.id)}`, { token: reader })).body.reason, 'seen beaconing false positive');

  // CTIA appends a space and the reason, even to no reason at all
  const bare = await create('judgement', judgement());
  const b = await t.api(`/ctia/judgement/${short(bare.id)}/expire?reason=done`, { method: 'POST', token: analyst });
  assert.equal(b.status, 200, b.text);
  assert.equal(b.body.reason, ' done');

  const noReason = await t.api(`/ctia/judgement/${short(bare.id)}/expire`, { method: 'POST', body: {}, token: analyst });
  assert.equal(noReason.status, 400);
  assert.match(noReason.body.message, /reason: give the reason as a query parameter/);
  const future = await create('judgement', judgement({ valid_time: { start_time: '2500-01-01T00:00:00Z' } }));
  const notYet = await t.api(`/ctia/judgement/${short(future.id)}/expire?reason=x`, { method: 'POST', token: analyst });
  assert.equal(notYet.status, 400);
  assert.match(notYet.body.message, /judgement\.valid_time: .* starts at 2500-01-01/);
  assert.equal((await t.api(`/ctia/judgement/judgement-${randomUUID()}/expire?reason=x`, { method: 'POST', token: analyst })).status, 404);

  const live = await create('judgement', judgement());
  const denied = await t.api(`/ctia/judgement/${short(live.id)}/expire?reason=x`, { method: 'POST', token: reader });
  assert.equal(denied.status, 403);
  assert.match(denied.body.message, /analyst/);
  assert.equal((await t.api(`/ctia/judgement/${short(live.id)}/expire?reason=x`, { method: 'POST', token: tokenB })).status, 404);
  assert.equal((await t.api(`/ctia/judgement/${short(live.id)}`, { token: reader })).body.valid_time.end_time, '2525-01-01T00:00:00.000Z');
});

test('POST /ctia/incident/{id}/link {"casebook_id"}: a related-to relationship from the casebook to the incident', async () => {
  const inc = await create('incident', { confidence: 'High', status: 'New', incident_time: { opened: now() } });
  const cb = await create('casebook', { title: 'case for the incident' });
  const r = await t.api(`/ctia/incident/${seg(inc.id)}/link`, { method: 'POST', body: { casebook_id: short(cb.id) }, token: analyst });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.type, 'relationship');
  assert.equal(r.body.relationship_type, 'related-to');
  assert.equal(r.body.source_ref, cb.id);
  assert.equal(r.body.target_ref, inc.id);
  assert.equal(r.body.tlp, 'amber');
  assert.equal(r.headers.location, r.body.id);
  const found = await t.api(`/ctia/relationship/search?target_ref=${encodeURIComponent(inc.id)}&relationship_type=related-to`, { token: reader });
  assert.deepEqual(found.body.map((x: { id: string }) => x.id), [r.body.id]);
  const red = await t.api(`/ctia/incident/${short(inc.id)}/link`, { method: 'POST', body: { casebook_id: cb.id, tlp: 'red' }, token: analyst });
  assert.equal(red.body.tlp, 'red');

  for (const [body, re] of [
    [{}, /incident link: give exactly one of casebook_id, investigation_id/],
    [{ casebook_id: cb.id, investigation_id: 'investigation-1' }, /incident link: give exactly one of casebook_id, investigation_id/],
    [{ investigation_id: 'investigation-1' }, /investigation_id: investigations are not served here/],
    [{ casebook_id: `casebook-${randomUUID()}` }, /casebook_id: no casebook casebook-.* in this org/],
    [{ casebook_id: cb.id, tlp: 'purple' }, /incident link\.tlp: must be one of/],
  ] as const) {
    const bad = await t.api(`/ctia/incident/${short(inc.id)}/link`, { method: 'POST', body, token: analyst });
    assert.equal(bad.status, 400, `${re}: ${bad.text}`);
    assert.match(bad.body.message, re);
  }
  assert.equal((await t.api(`/ctia/incident/incident-${randomUUID()}/link`, { method: 'POST', body: { casebook_id: cb.id }, token: analyst })).status, 404);
  const denied = await t.api(`/ctia/incident/${short(inc.id)}/link`, { method: 'POST', body: { casebook_id: cb.id }, token: reader });
  assert.equal(denied.status, 403);
  // org B: A's incident is not found, and A's casebook is not one of B's
  assert.equal((await t.api(`/ctia/incident/${short(inc.id)}/link`, { method: 'POST', body: { casebook_id: cb.id }, token: tokenB })).status, 404);
  const bInc = await create('incident', { confidence: 'High', status: 'New', incident_time: { opened: now() } }, tokenB);
  const cross = await t.api(`/ctia/incident/${short(bInc.id)}/link`, { method: 'POST', body: { casebook_id: cb.id }, token: tokenB });
  assert.equal(cross.status, 400);
  assert.match(cross.body.message, /casebook_id: no casebook/);
});
