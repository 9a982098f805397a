// POST /ctia/bundle/import and GET/POST /ctia/bundle/export over a real exchange, in the shapes
// of the threatresponse client (`client.private_intel.bundle.import_.post(bundle)`,
// `.bundle.export.get(params={'ids': [...]})`, `.bundle.export.post({'ids': [...]})`): transient
// ids, "exists" by external id, per-entity results, the exported relationships and their ends,
// roles and orgs.
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
  ({ analyst, reader, otherOrgAdmin: tokenB } = await roleTokens(t, 'bundle'));
});
after(async () => { await t.close(); cleanup(t.dataDir); });

const short = (id: string) => id.slice(id.lastIndexOf('/') + 1);
const importBundle = (body: unknown, o: { token?: string; query?: string } = {}) =>
  t.api(`/ctia/bundle/import${o.query ? `?${o.query}` : ''}`, { method: 'POST', body, token: o.token ?? analyst });
const count = async (type: string) => (await t.api(`/ctia/${type}/search/count`, { token: reader })).body as number;

/** The CTIM tutorial's shape: an incident, its sighting, and relationships by transient id. */
function tutorialBundle(tag: string) {
  const inc = `transient:incident-${tag}`;
  const sig = `transient:sighting-${tag}`;
  return {
    type: 'bundle', source: 'bundle test', source_uri: 'https://example.com/tutorial',
    incidents: [{
      type: 'incident', source: 'bundle test', title: `emotet ${tag}`, id: inc, external_ids: [`ext-incident-${tag}`],
      confidence: 'High', status: 'Containment Achieved', incident_time: { opened: '2020-06-15T03:43:27.368Z', reported: '2020-06-15T03:34:36.298Z' },
    }],
    sightings: [{
      type: 'sighting', source: 'bundle test', id: sig, external_ids: [`ext-sighting-${tag}`], observables: [{ type: 'ip', value: '98.15.140.226' }],
      count: 1, severity: 'High', tlp: 'green', timestamp: '2020-06-15T03:34:36.298Z', confidence: 'High', observed_time: { start_time: '2020-06-15T03:34:36.298Z' },
    }],
    relationships: [
      { type: 'relationship', source: 'bundle test', source_ref: sig, target_ref: inc, relationship_type: 'member-of' },
      { type: 'relationship', source: 'bundle test', source_ref: sig, target_ref: 'https://intel.example/ctia/indicator/indicator-b790ade3-e45e-48d4-7d06-f0079e6453a0', relationship_type: 'sighting-of' },
    ],
  };
}

test('bundle import: transient ids become real ids, relationships follow them, one result per entity', async () => {
  const tag = randomUUID();
  const r = await importBundle(tutorialBundle(tag));
  assert.equal(r.status, 200, r.text);
  const results = r.body.results as Array<Record<string, any>>;
  assert.equal(results.length, 4);
  const byType = (type: string) => results.filter((x) => x.type === type);
  const [inc] = byType('incident');
  assert.equal(inc!.result, 'created');
  assert.equal(inc!.original_id, `transient:incident-${tag}`);
  assert.deepEqual(inc!.external_ids, [`ext-incident-${tag}`]);
  assert.match(inc!.id, /^https:\/\/.+\/ctia\/incident\/incident-[0-9a-f-]{36}$/);
  const [sig] = byType('sighting');
  assert.equal(sig!.result, 'created');
  const rels = byType('relationship');
  assert.deepEqual(rels.map((x) => x.result), ['created', 'created']);
  assert.equal(rels[0]!.original_id, undefined);
  assert.equal(rels[0]!.external_ids, undefined);

  const member = await t.api(`/ctia/relationship/${short(rels[0]!.id)}`, { token: reader });
  assert.equal(member.body.source_ref, sig!.id);
  assert.equal(member.body.target_ref, inc!.id);
  const sightings = await t.api(`/ctia/incident/${short(inc!.id)}/sightings`, { token: reader });
  assert.deepEqual(sightings.body.map((s: { id: string }) => s.id), [sig!.id]);
  assert.equal((await t.api(`/ctia/incident/${short(inc!.id)}`, { token: reader })).body.title, `emotet ${tag}`);
});

test('bundle import again: entities whose external id the org has "exist" and are not written twice; relationships to them resolve', async () => {
  const tag = randomUUID();
  const first = await importBundle(tutorialBundle(tag));
  const firstInc = first.body.results.find((x: { type: string }) => x.type === 'incident');
  const incidents = await count('incident');
  const again = await importBundle(tutorialBundle(tag));
  assert.equal(again.status, 200, again.text);
  const inc = again.body.results.find((x: { type: string }) => x.type === 'incident');
  assert.equal(inc.result, 'exists');
  assert.equal(inc.id, firstInc.id);
  assert.equal(inc.original_id, `transient:incident-${tag}`);
  assert.equal(await count('incident'), incidents, 'no second incident');
  // the relationships (no external ids) are new, and point at the entities that exist
  const rel = again.body.results.find((x: { type: string; result: string }) => x.type === 'relationship');
  assert.equal(rel.result, 'created');
  assert.equal((await t.api(`/ctia/relationship/${short(rel.id)}`, { token: reader })).body.target_ref, firstInc.id);

  // external-key-prefixes: only external ids with one of them count
  const other = await importBundle(tutorialBundle(tag), { query: 'external-key-prefixes=nothing-,other-' });
  assert.equal(other.status, 200, other.text);
  const otherInc = other.body.results.find((x: { type: string }) => x.type === 'incident');
  assert.equal(otherInc.result, 'created');
  assert.equal(otherInc.external_ids, undefined);
  const prefixed = await importBundle(tutorialBundle(tag), { query: 'external-key-prefixes=ext-incident-' });
  assert.equal(prefixed.body.results.find((x: { type: string }) => x.type === 'incident').result, 'exists');
  assert.equal(prefixed.body.results.find((x: { type: string }) => x.type === 'sighting').result, 'created');
  // exact: an external id differing in case is another one
  const upper = tutorialBundle(tag);
  upper.incidents[0]!.external_ids = [`EXT-INCIDENT-${tag}`];
  assert.equal((await importBundle(upper)).body.results.find((x: { type: string }) => x.type === 'incident').result, 'created');
});

test('bundle import: a relationship whose transient ref names nothing is an error result; validation refuses the bundle whole', async () => {
  const r = await importBundle({ source: 'x', relationships: [{ relationship_type: 'related-to', source_ref: 'transient:nothing', target_ref: 'https://x/ctia/incident/incident-1' }] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.results[0].result, 'error');
  assert.equal(r.body.results[0].type, 'relationship');
  assert.match(r.body.results[0].error, /relationships\[0\]\.source_ref: transient:nothing is not the id of an entity created in this request/);

  const before = await count('sighting');
  const sighting = tutorialBundle('v').sightings[0]!;
  const cases: Array<[unknown, RegExp]> = [
    [{ type: 'bundle', sightings: [sighting] }, /bundle: source is required/],
    [{ type: 'bundles', source: 'x', sightings: [sighting] }, /bundle\.type: must be one of "bundle"/],
    [{ source: 'x', sightings: [sighting], casebooks: [{}] }, /bundle: casebooks is not a list of a bundle .*\/ctia\/bulk/],
    [{ source: 'x', sightings: [sighting], malwares: [{}] }, /malwares: not served here/],
    [{ source: 'x', sightings: [sighting, { ...sighting, count: -1 }] }, /sightings\[1\]: sighting\.count/],
    [{ source: 'x', sightings: sighting }, /sightings: must be a list/],
    [[sighting], /bundle: the body must be a JSON object/],
  ];
  for (const [body, re] of cases) {
    const bad = await importBundle(body);
    assert.equal(bad.status, 400, `${re}: ${bad.text}`);
    assert.match(bad.body.message, re);
  }
  const many = await importBundle({ source: 'x', sightings: Array.from({ length: 2001 }, () => sighting) });
  assert.equal(many.status, 400);
  assert.match(many.body.message, /bundle: 2001 entities; at most 2000 in one request/);
  assert.equal(await count('sighting'), before, 'nothing was created');
  // verdicts and *_refs are CTIM's too, but not stored: accepted and left alone
  const ignored = await importBundle({ source: 'x', verdicts: [{ type: 'verdict' }], judgement_refs: ['https://x/ctia/judgement/judgement-1'] });
  assert.equal(ignored.status, 200, ignored.text);
  assert.deepEqual(ignored.body.results, []);
});

test('bundle import: a read-only client is refused; another org\'s external ids do not count', async () => {
  const denied = await importBundle(tutorialBundle(randomUUID()), { token: reader });
  assert.equal(denied.status, 403, denied.text);
  assert.match(denied.body.message, /analyst/);
  const tag = randomUUID();
  const a = await importBundle(tutorialBundle(tag));
  const aInc = a.body.results.find((x: { type: string }) => x.type === 'incident');
  const b = await importBundle(tutorialBundle(tag), { token: tokenB });
  assert.equal(b.status, 200, b.text);
  const bInc = b.body.results.find((x: { type: string }) => x.type === 'incident');
  assert.equal(bInc.result, 'created');
  assert.notEqual(bInc.id, aInc.id);
  assert.equal((await t.api(`/ctia/incident/${short(bInc.id)}`, { token: reader })).status, 404);
});

test('bundle export: the entities asked for, the relationships touching them and the entities at their other ends', async () => {
  const tag = randomUUID();
  const imported = (await importBundle(tutorialBundle(tag))).body.results as Array<{ id: string; type: string }>;
  const inc = imported.find((x) => x.type === 'incident')!.id;
  const sig = imported.find((x) => x.type === 'sighting')!.id;
  const rels = imported.filter((x) => x.type === 'relationship').map((x) => x.id);

  // GET with ids (as params={'ids': [...]} sends them); short ids do too
  const g = await t.api(`/ctia/bundle/export?ids=${encodeURIComponent(inc)}`, { token: reader });
  assert.equal(g.status, 200, g.text);
  assert.equal(g.body.type, 'bundle');
  assert.equal(g.body.source, 'threatlink');
  assert.deepEqual(g.body.incidents.map((x: { id: string }) => x.id), [inc]);
  assert.deepEqual(g.body.relationships.map((x: { id: string }) => x.id), [rels[0]]);
  assert.deepEqual(g.body.sightings.map((x: { id: string }) => x.id), [sig]);
  assert.equal(g.body.sightings[0].observables[0].value, '98.15.140.226');

  // POST {"ids": [...]}: the sighting has both relationships; the far indicator is not ours, so not fetched
  const p = await t.api('/ctia/bundle/export', { method: 'POST', body: { ids: [short(sig)] }, token: reader });
  assert.equal(p.status, 200, p.text);
  assert.deepEqual(p.body.relationships.map((x: { id: string }) => x.id).sort(), [...rels].sort());
  assert.deepEqual(p.body.incidents.map((x: { id: string }) => x.id), [inc]);
  assert.deepEqual(p.body.sightings.map((x: { id: string }) => x.id), [sig]);
  assert.equal(p.body.indicators, undefined);

  // options: no related entities; only relationships where it is the target; by the other end's type
  const alone = await t.api(`/ctia/bundle/export?ids=${short(sig)}&include_related_entities=false`, { token: reader });
  assert.deepEqual(Object.keys(alone.body).sort(), ['sightings', 'source', 'type']);
  const asTarget = await t.api(`/ctia/bundle/export?ids=${short(sig)}&related_to=target_ref`, { token: reader });
  assert.equal(asTarget.body.relationships, undefined);
  const toIncidents = await t.api(`/ctia/bundle/export?ids=${short(sig)}&target_type=incident`, { token: reader });
  assert.deepEqual(toIncidents.body.relationships.map((x: { id: string }) => x.id), [rels[0]]);
  const twice = await t.api(`/ctia/bundle/export?ids=${short(sig)}&ids=${encodeURIComponent(sig)}&ids=${short(inc)}`, { token: reader });
  assert.equal(twice.body.sightings.length, 1, 'each entity once');
  assert.equal(twice.body.incidents.length, 1);

  // no ids, an unknown id, another org's: an empty bundle
  assert.deepEqual((await t.api('/ctia/bundle/export', { token: reader })).body, { type: 'bundle', source: 'threatlink' });
  assert.deepEqual((await t.api(`/ctia/bundle/export?ids=incident-${randomUUID()}&ids=nonsense`, { token: reader })).body, { type: 'bundle', source: 'threatlink' });
  assert.deepEqual((await t.api(`/ctia/bundle/export?ids=${short(inc)}`, { token: tokenB })).body, { type: 'bundle', source: 'threatlink' });
  assert.deepEqual((await t.api('/ctia/bundle/export', { method: 'POST', body: { ids: [inc, sig] }, token: tokenB })).body, { type: 'bundle', source: 'threatlink' });

  for (const [q, re] of [
    ['ids=x&related_to=sideways', /related_to: must be source_ref or target_ref/],
    ['ids=x&source_type=malware', /source_type: must be one of "incident"/],
    ['ids=x&include_related_entities=maybe', /include_related_entities: must be true or false/],
    ['id=x', /id: not a parameter of bundle export .*ids/],
  ] as const) {
    const bad = await t.api(`/ctia/bundle/export?${q}`, { token: reader });
    assert.equal(bad.status, 400, `${q}: ${bad.text}`);
    assert.match(bad.body.message, re);
  }
  const badBody = await t.api('/ctia/bundle/export', { method: 'POST', body: { id: [inc] }, token: reader });
  assert.equal(badBody.status, 400);
  assert.match(badBody.body.message, /bundle export: ids is required/);
  assert.equal((await t.api('/ctia/bundle/export', { as: 'none' })).status, 401);
});
