// POST and GET /ctia/bulk over a real exchange, in the request shapes of the threatresponse
// client (`client.private_intel.bulk.post(payload)`, `.bulk.get(params={...})`): ids per list,
// transient ids resolved in relationships, per-entity errors, the size limit, roles and orgs.
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
  ({ analyst, reader, otherOrgAdmin: tokenB } = await roleTokens(t, 'bulk'));
});
after(async () => { await t.close(); cleanup(t.dataDir); });

const now = () => new Date().toISOString();
const ip = (v: string) => ({ type: 'ip', value: v });
const short = (id: string) => id.slice(id.lastIndexOf('/') + 1);
const post = (body: unknown, token = analyst) => t.api('/ctia/bulk', { method: 'POST', body, token });
const get = (query: string, token = reader) => t.api(`/ctia/bulk?${query}`, { token });
const count = async (type: string, token = reader) => (await t.api(`/ctia/${type}/search/count`, { token })).body as number;

const judgement = (v: string) => ({ observable: ip(v), disposition: 2, source: 'bulk', priority: 90, confidence: 'High', severity: 'High' });
const sighting = (id?: string) => ({ ...(id ? { id } : {}), count: 1, confidence: 'High', observed_time: { start_time: now() }, observables: [ip('10.7.7.7')] });
const incident = (id?: string) => ({ ...(id ? { id } : {}), confidence: 'High', status: 'New', incident_time: { opened: now() }, title: 'bulk incident' });

test('POST /ctia/bulk creates every list, resolves transient ids in relationships and answers ids per list with tempids', async () => {
  const tSighting = `transient:sighting-${randomUUID()}`;
  const tIncident = `transient:incident-${randomUUID()}`;
  const r = await post({
    judgements: [judgement('198.51.100.1'), judgement('198.51.100.2')],
    sightings: [sighting(tSighting)],
    indicators: [{ producer: 'bulk', title: 'C2' }],
    incidents: [incident(tIncident)],
    casebooks: [{ title: 'bulk case', observables: [ip('10.7.7.7')] }],
    relationships: [
      { relationship_type: 'member-of', source_ref: tSighting, target_ref: tIncident },
      { relationship_type: 'sighting-of', source_ref: tSighting, target_ref: 'https://elsewhere.example/ctia/indicator/indicator-1' },
    ],
  });
  assert.equal(r.status, 201, r.text);
  for (const [key, type, n] of [['judgements', 'judgement', 2], ['sightings', 'sighting', 1], ['indicators', 'indicator', 1], ['incidents', 'incident', 1], ['casebooks', 'casebook', 1], ['relationships', 'relationship', 2]] as const) {
    assert.equal(r.body[key].length, n, key);
    for (const id of r.body[key]) assert.match(id, new RegExp(`^https://.+/ctia/${type}/${type}-[0-9a-f-]{36}$`), key);
  }
  assert.deepEqual(r.body.tempids, { [tSighting]: r.body.sightings[0], [tIncident]: r.body.incidents[0] });

  // each is a stored entity of the caller's org, as a POST of it would be
  const j = await t.api(`/ctia/judgement/${short(r.body.judgements[1])}`, { token: reader });
  assert.equal(j.status, 200, j.text);
  assert.equal(j.body.observable.value, '198.51.100.2');
  assert.equal(j.body.disposition_name, 'Malicious');
  const rel = await t.api(`/ctia/relationship/${short(r.body.relationships[0])}`, { token: reader });
  assert.equal(rel.body.source_ref, r.body.sightings[0]);
  assert.equal(rel.body.target_ref, r.body.incidents[0]);
  // the member-of relationship makes the sighting one of the incident's
  const members = await t.api(`/ctia/incident/${short(r.body.incidents[0])}/sightings`, { token: reader });
  assert.deepEqual(members.body.map((s: { id: string }) => s.id), [r.body.sightings[0]]);
  // a list left out or empty is left out of the answer; no transient id, no tempids
  const one = await post({ indicators: [{ producer: 'bulk' }], judgements: [] });
  assert.equal(one.status, 201, one.text);
  assert.deepEqual(Object.keys(one.body), ['indicators']);
});

test('POST /ctia/bulk: an unresolvable transient ref or a taken id is that entity\'s error; the others are created', async () => {
  const uuid = randomUUID();
  const first = await post({ indicators: [{ id: `indicator-${uuid}`, producer: 'bulk' }] });
  assert.equal(first.status, 201, first.text);
  const tS = `transient:sighting-${randomUUID()}`;
  const r = await post({
    sightings: [sighting(tS)],
    indicators: [{ id: `indicator-${uuid}`, producer: 'bulk' }, { producer: 'bulk', title: 'fresh' }],
    relationships: [
      { relationship_type: 'related-to', source_ref: tS, target_ref: 'transient:never-given' },
      { relationship_type: 'related-to', source_ref: tS, target_ref: first.body.indicators[0] },
    ],
  });
  assert.equal(r.status, 201, r.text);
  const [taken, fresh] = r.body.indicators;
  assert.equal(typeof taken, 'object');
  assert.equal(taken.type, 'conflict');
  assert.match(taken.error, /indicators\[0\]\.id: .*indicator-.* already exists/);
  assert.match(fresh, /\/ctia\/indicator\/indicator-/);
  const [unresolved, resolved] = r.body.relationships;
  assert.equal(unresolved.type, 'realize-entity-error');
  assert.match(unresolved.error, /relationships\[0\]\.target_ref: transient:never-given is not the id of an entity created in this request/);
  assert.match(resolved, /\/ctia\/relationship\/relationship-/);
  assert.equal((await t.api(`/ctia/relationship/${short(resolved)}`, { token: reader })).body.source_ref, r.body.sightings[0]);
});

test('POST /ctia/bulk validation: the request is refused whole, naming the list, the position and the field', async () => {
  const before = await count('judgement');
  const cases: Array<[unknown, RegExp]> = [
    [{ judgements: [judgement('198.51.100.9'), { ...judgement('198.51.100.10'), priority: 101 }] }, /judgements\[1\]: judgement\.priority/],
    [{ judgements: [judgement('198.51.100.9')], sightings: [{ count: 1, confidence: 'High' }] }, /sightings\[0\]: sighting: observed_time is required/],
    [{ judgements: [judgement('198.51.100.9')], incidents: [{ ...incident(), status: 'Done' }] }, /incidents\[0\]: incident\.status: must be one of/],
    [{ judgements: [{ ...judgement('198.51.100.9'), type: 'sighting' }] }, /judgements\[0\]: judgement\.type/],
    [{ judgements: [judgement('198.51.100.9')], malwares: [{ name: 'x' }] }, /malwares: not served here .*judgements/],
    [{ judgement: [judgement('198.51.100.9')] }, /judgement: not a bulk list .*judgements/],
    [{ judgements: judgement('198.51.100.9') }, /judgements: must be a list/],
    [{ judgements: ['x'] }, /judgements\[0\]: must be an object/],
    [[judgement('198.51.100.9')], /bulk: the body must be a JSON object/],
    [{ judgements: [{ ...judgement('198.51.100.9'), id: 'transient:' }] }, /judgements\[0\]: judgement\.id/],
  ];
  for (const [body, re] of cases) {
    const r = await post(body);
    assert.equal(r.status, 400, `${re}: ${r.text}`);
    assert.equal(r.body.error, 'bad_request');
    assert.match(r.body.message, re);
  }
  // CTIA's bulk limit: 2000 entities in all
  const many = await post({ judgements: Array.from({ length: 1500 }, () => judgement('198.51.100.9')), indicators: Array.from({ length: 501 }, () => ({ producer: 'x' })) });
  assert.equal(many.status, 400, many.text);
  assert.match(many.body.message, /bulk: 2001 entities; at most 2000 in one request/);
  assert.equal(await count('judgement'), before, 'nothing was created');
});

test('GET /ctia/bulk answers the entities asked for per list, by short or full id; missing ones are left out', async () => {
  const c = await post({ judgements: [judgement('198.51.100.20'), judgement('198.51.100.21')], incidents: [incident()] });
  const [j1, j2] = c.body.judgements as string[];
  const [inc] = c.body.incidents as string[];
  const r = await get(`judgements=${short(j2!)}&judgements=${encodeURIComponent(j1!)}&judgements=judgement-${randomUUID()}&incidents=${encodeURIComponent(inc!)}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.judgements.map((x: { id: string }) => x.id), [j2, j1]);
  assert.equal(r.body.judgements[1].observable.value, '198.51.100.20');
  assert.deepEqual(r.body.incidents.map((x: { id: string }) => x.id), [inc]);
  assert.deepEqual(Object.keys(r.body).sort(), ['incidents', 'judgements']);
  // one id alone (no list) and an id of another type
  const single = await get(`judgements=${short(j1!)}&sightings=${short(inc!)}`);
  assert.deepEqual(single.body.judgements.map((x: { id: string }) => x.id), [j1]);
  assert.deepEqual(single.body.sightings, []);

  for (const [q, re] of [
    ['judgement=x', /judgement: not a bulk list/],
    ['actors=actor-1', /actors: not served here/],
  ] as const) {
    const bad = await get(q);
    assert.equal(bad.status, 400, `${q}: ${bad.text}`);
    assert.match(bad.body.message, re);
  }
  assert.deepEqual((await get('')).body, {});
});

test('bulk: a read-only client reads but cannot create; another org sees nothing and creates its own', async () => {
  const c = await post({ judgements: [judgement('198.51.100.30')] });
  const [jid] = c.body.judgements as string[];
  const denied = await post({ judgements: [judgement('198.51.100.31')] }, reader);
  assert.equal(denied.status, 403, denied.text);
  assert.match(denied.body.message, /analyst/);
  assert.equal((await get(`judgements=${short(jid!)}`)).body.judgements.length, 1);
  assert.equal((await t.api('/ctia/bulk', { as: 'none' })).status, 401);

  // org B: A's id is not there, by short or full id; B's own bulk lands in B only
  const b = await get(`judgements=${short(jid!)}&judgements=${encodeURIComponent(jid!)}`, tokenB);
  assert.equal(b.status, 200, b.text);
  assert.deepEqual(b.body.judgements, []);
  const mine = await post({ judgements: [{ ...judgement('198.51.100.30'), id: short(jid!) }] }, tokenB);
  assert.equal(mine.status, 201, mine.text);
  assert.equal(typeof mine.body.judgements[0], 'string', 'the same id is free in another org');
  assert.equal((await get(`judgements=${short(jid!)}`)).body.judgements[0].source, 'bulk');
  assert.equal((await t.api(`/ctia/judgement/${short(jid!)}`, { token: tokenB })).body.observable.value, '198.51.100.30');
});
