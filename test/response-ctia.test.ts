// The CTIA API over a real exchange: CRUD of every entity, required fields, search and count,
// incident status and notes, casebook edits, by-observable verdicts, roles, org isolation, the
// store's incident API for the promotion engine, and the query language on its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestExchange, cleanup, type TestExchange } from './helpers/exchange.js';
import { createOrgWithAdmin } from '../src/exchange/orgs.js';
import { compileQuery, parseQuery } from '../src/response/store/ctia-query.js';
import { ctiaIncidentSink } from '../src/response/store/ctia-sink.js';
import { SCHEMA_VERSION, type Incident, type Sighting } from '../src/ctim/index.js';

let t: TestExchange;
let analyst: string;
let analystId: string;
let reader: string;
let tokenB: string;
let orgA: string;

before(async () => {
  t = await startTestExchange();
  const mk = async (role: string) => {
    const r = await t.api('/api/v1/clients', { method: 'POST', body: { name: `ctia-${role}`, role } });
    assert.equal(r.status, 201, r.text);
    return { id: r.body.client_id as string, token: await t.token(r.body.client_id, r.body.client_secret) };
  };
  const a = await mk('analyst');
  analyst = a.token;
  analystId = a.id;
  reader = (await mk('read-only')).token;
  const b = await createOrgWithAdmin(t.ex.ctx.stores, 'org-b');
  tokenB = await t.token(b.clientId, b.clientSecret);
  orgA = (await t.api('/iroh/profile/whoami')).body.user['org-id'];
});
after(async () => { await t.close(); cleanup(t.dataDir); });

const now = () => new Date().toISOString();
const ip = (v: string) => ({ type: 'ip', value: v });
const asA = (path: string, o: { method?: string; body?: unknown } = {}) => t.api(path, { token: analyst, ...o });
const asB = (path: string, o: { method?: string; body?: unknown } = {}) => t.api(path, { token: tokenB, ...o });
const short = (id: string) => id.slice(id.lastIndexOf('/') + 1);

/** A valid new entity of each type, and a field PUT/PATCH can change. */
const SAMPLES: Record<string, () => Record<string, unknown>> = {
  incident: () => ({ confidence: 'High', status: 'New', incident_time: { opened: now() }, title: 'Beacon from 10.0.0.5', severity: 'High' }),
  casebook: () => ({ title: 'Case 1', observables: [ip('10.0.0.5')], texts: [{ type: 'note', text: 'seen at 09:00' }] }),
  sighting: () => ({ count: 3, confidence: 'High', observed_time: { start_time: now() }, observables: [ip('10.1.1.1')], title: 'seen' }),
  judgement: () => ({ observable: ip('10.2.2.2'), disposition: 2, source: 'analyst', priority: 95, confidence: 'High', severity: 'High' }),
  indicator: () => ({ producer: 'threatlink', title: 'C2 beacon', indicator_type: ['C2'] }),
  relationship: () => ({ relationship_type: 'related-to', source_ref: 'https://x/ctia/sighting/sighting-1', target_ref: 'https://x/ctia/incident/incident-1' }),
};
const REQUIRED: Record<string, string[]> = {
  incident: ['confidence', 'status', 'incident_time'],
  casebook: [],
  sighting: ['count', 'confidence', 'observed_time'],
  judgement: ['observable', 'source', 'priority', 'confidence', 'severity'],
  indicator: ['producer'],
  relationship: ['relationship_type', 'source_ref', 'target_ref'],
};

async function create(type: string, body: Record<string, unknown> = SAMPLES[type]!(), token = analyst) {
  const r = await t.api(`/ctia/${type}`, { method: 'POST', body, token });
  assert.equal(r.status, 201, r.text);
  return r.body as Record<string, any>;
}

test('CRUD for every entity: POST fills the server fields; GET by short or full id; PUT, PATCH, DELETE', async () => {
  for (const type of Object.keys(SAMPLES)) {
    const doc = await create(type);
    assert.match(doc.id, new RegExp(`^https://.+/ctia/${type}/${type}-[0-9a-f-]{36}$`), type);
    assert.equal(doc.type, type);
    assert.equal(doc.schema_version, SCHEMA_VERSION);
    assert.equal(doc.owner, analystId);
    assert.equal(doc.tlp, 'green');
    assert.ok(doc.created && doc.modified && doc.timestamp, type);

    const byShort = await t.api(`/ctia/${type}/${short(doc.id)}`, { token: reader });
    assert.equal(byShort.status, 200, byShort.text);
    assert.deepEqual(byShort.body, doc);
    const byFull = await t.api(`/ctia/${type}/${encodeURIComponent(doc.id)}`, { token: reader });
    assert.deepEqual(byFull.body, doc);
    // another type's path does not find it
    const other = type === 'incident' ? 'casebook' : 'incident';
    assert.equal((await asA(`/ctia/${other}/${short(doc.id)}`)).status, 404);

    // PUT replaces the whole entity: title goes, description comes; id and created stay
    const rest: Record<string, unknown> = { ...SAMPLES[type]!(), description: `replaced ${type}` };
    delete rest.title;
    const put = await asA(`/ctia/${type}/${short(doc.id)}`, { method: 'PUT', body: rest });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.id, doc.id);
    assert.equal(put.body.created, doc.created);
    assert.equal(put.body.description, `replaced ${type}`);
    assert.equal(put.body.title, undefined);

    // PATCH merges top-level fields; null removes one
    const patch = await asA(`/ctia/${type}/${short(doc.id)}`, { method: 'PATCH', body: { title: 'patched', description: null } });
    assert.equal(patch.status, 200, patch.text);
    assert.equal(patch.body.title, 'patched');
    assert.equal(patch.body.description, undefined);
    assert.equal(patch.body.id, doc.id);
    assert.ok(patch.body.modified >= put.body.modified);

    // a GET answer can be PUT back as it is
    const round = await asA(`/ctia/${type}/${short(doc.id)}`, { method: 'PUT', body: patch.body });
    assert.equal(round.status, 200, round.text);

    assert.equal((await asA(`/ctia/${type}/${short(doc.id)}`, { method: 'DELETE' })).status, 204);
    assert.equal((await asA(`/ctia/${type}/${short(doc.id)}`)).status, 404);
    assert.equal((await asA(`/ctia/${type}/${short(doc.id)}`, { method: 'DELETE' })).status, 404);
    assert.equal((await asA(`/ctia/${type}/${short(doc.id)}`, { method: 'PUT', body: SAMPLES[type]!() })).status, 404);
  }
});

test('POST keeps a caller id of its type (re-based here) and refuses it twice or of another type', async () => {
  const uuid = randomUUID();
  const doc = await create('indicator', { ...SAMPLES.indicator!(), id: `https://elsewhere.example/ctia/indicator/indicator-${uuid}` });
  assert.ok(doc.id.endsWith(`/ctia/indicator/indicator-${uuid}`));
  assert.ok(!doc.id.startsWith('https://elsewhere.example'));
  const again = await asA('/ctia/indicator', { method: 'POST', body: { ...SAMPLES.indicator!(), id: `indicator-${uuid}` } });
  assert.equal(again.status, 409);
  assert.match(again.body.message, /indicator\.id/);
  const wrong = await asA('/ctia/indicator', { method: 'POST', body: { ...SAMPLES.indicator!(), id: `incident-${uuid}` } });
  assert.equal(wrong.status, 400);
  assert.match(wrong.body.message, /indicator\.id/);
  const typed = await asA('/ctia/indicator', { method: 'POST', body: { ...SAMPLES.indicator!(), type: 'judgement' } });
  assert.equal(typed.status, 400);
  assert.match(typed.body.message, /indicator\.type/);
  const put = await asA(`/ctia/indicator/${short(doc.id)}`, { method: 'PUT', body: { ...SAMPLES.indicator!(), id: `indicator-${randomUUID()}` } });
  assert.equal(put.status, 400);
});

test('a missing required field, a bad value or an unknown field is refused, naming the field', async () => {
  for (const [type, fields] of Object.entries(REQUIRED)) {
    for (const f of fields) {
      const body = SAMPLES[type]!();
      delete body[f];
      const r = await asA(`/ctia/${type}`, { method: 'POST', body });
      assert.equal(r.status, 400, `${type} without ${f}: ${r.text}`);
      assert.equal(r.body.error, 'bad_request');
      assert.match(r.body.message, new RegExp(`${type}: ${f} is required`), r.body.message);
    }
  }
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['sighting', { ...SAMPLES.sighting!(), observed_time: {} }, /sighting: observed_time\.start_time is required/],
    ['sighting', { ...SAMPLES.sighting!(), count: 'three' }, /sighting\.count/],
    ['sighting', { ...SAMPLES.sighting!(), observed_time: { start_time: 'yesterday' } }, /sighting\.observed_time\.start_time: must be an ISO-8601 time/],
    ['sighting', { ...SAMPLES.sighting!(), observables: [{ type: 'ip' }] }, /sighting: observables\[0\]\.value is required/],
    ['incident', { ...SAMPLES.incident!(), status: 'Done' }, /incident\.status: must be one of .*"Closed"/],
    ['incident', { ...SAMPLES.incident!(), confidence: 'Very' }, /incident\.confidence/],
    ['incident', { ...SAMPLES.incident!(), incident_time: {} }, /incident: incident_time\.opened is required/],
    ['incident', { ...SAMPLES.incident!(), colour: 'red' }, /incident: colour is not a field/],
    ['judgement', { ...SAMPLES.judgement!(), disposition: undefined }, /judgement: disposition .* or disposition_name is required/],
    ['judgement', { ...SAMPLES.judgement!(), disposition: 7 }, /judgement\.disposition: must be one of/],
    ['judgement', { ...SAMPLES.judgement!(), disposition_name: 'Clean' }, /judgement\.disposition_name: "Clean" contradicts disposition 2/],
    ['judgement', { ...SAMPLES.judgement!(), priority: 101 }, /judgement\.priority/],
    ['judgement', { ...SAMPLES.judgement!(), valid_time: { start_time: '2030-01-01T00:00:00Z', end_time: '2020-01-01T00:00:00Z' } }, /judgement\.valid_time: end_time/],
    ['casebook', { texts: [{ type: 'note' }] }, /casebook: texts\[0\]\.text is required/],
  ];
  for (const [type, body, re] of cases) {
    const r = await asA(`/ctia/${type}`, { method: 'POST', body });
    assert.equal(r.status, 400, `${re}: ${r.text}`);
    assert.match(r.body.message, re);
  }
  const notObject = await asA('/ctia/sighting', { method: 'POST', body: [1, 2] });
  assert.equal(notObject.status, 400);
  // a PATCH that breaks a required field is refused and changes nothing
  const inc = await create('incident');
  const bad = await asA(`/ctia/incident/${short(inc.id)}`, { method: 'PATCH', body: { status: null } });
  assert.equal(bad.status, 400);
  assert.match(bad.body.message, /incident: status is required/);
  assert.equal((await asA(`/ctia/incident/${short(inc.id)}`)).body.status, 'New');
});

test('judgement defaults: disposition_name from disposition (and back), valid_time from now to 2525', async () => {
  const j = await create('judgement', { ...SAMPLES.judgement!(), disposition: undefined, disposition_name: 'Suspicious' });
  assert.equal(j.disposition, 3);
  assert.equal(j.disposition_name, 'Suspicious');
  assert.ok(Date.parse(j.valid_time.start_time) <= Date.now());
  assert.equal(j.valid_time.end_time, '2525-01-01T00:00:00.000Z');
});

test('search: query language, filters, sort, paging headers, count', async () => {
  const mark = `search-${randomUUID()}`;
  const mk = (title: string, severity: string, status: string, opened: string) =>
    create('incident', { confidence: 'High', status, severity, title, source: mark, incident_time: { opened } });
  await mk('ET MALWARE test beacon', 'High', 'New', '2024-01-10T00:00:00Z');
  await mk('Port scan from 10.9.9.9', 'Low', 'Open', '2024-02-10T00:00:00Z');
  await mk('Beaconing host', 'Medium', 'Open: Investigating', '2024-03-10T00:00:00Z');
  await mk('Phishing mail', 'High', 'Closed', '2024-04-10T00:00:00Z');
  const titles = async (query: string, extra = '') => {
    const r = await t.api(`/ctia/incident/search?query=${encodeURIComponent(`source:"${mark}" AND (${query})`)}${extra}`, { token: reader });
    assert.equal(r.status, 200, `${query}: ${r.text}`);
    return (r.body as Array<{ title: string }>).map((x) => x.title).sort();
  };
  assert.deepEqual(await titles('*'), ['Beaconing host', 'ET MALWARE test beacon', 'Phishing mail', 'Port scan from 10.9.9.9']);
  assert.deepEqual(await titles('title:beacon'), ['ET MALWARE test beacon']);
  assert.deepEqual(await titles('title:beacon*'), ['Beaconing host', 'ET MALWARE test beacon']);
  assert.deepEqual(await titles('"test beacon"'), ['ET MALWARE test beacon']);
  assert.deepEqual(await titles('severity:High AND status:New'), ['ET MALWARE test beacon']);
  assert.deepEqual(await titles('severity:low OR status:closed'), ['Phishing mail', 'Port scan from 10.9.9.9']);
  assert.deepEqual(await titles('status:Open'), ['Port scan from 10.9.9.9']);
  assert.deepEqual(await titles('status:"Open: Investigating"'), ['Beaconing host']);
  assert.deepEqual(await titles('status:Open*'), ['Beaconing host', 'Port scan from 10.9.9.9']);
  assert.deepEqual(await titles('NOT severity:High'), ['Beaconing host', 'Port scan from 10.9.9.9']);
  assert.deepEqual(await titles('-severity:High -severity:Low'), ['Beaconing host']);
  assert.deepEqual(await titles('incident_time.opened:[2024-02-01 TO 2024-03-31]'), ['Beaconing host', 'Port scan from 10.9.9.9']);
  assert.deepEqual(await titles('incident_time.opened:>=2024-04-01'), ['Phishing mail']);
  assert.deepEqual(await titles('10.9.9.9'), ['Port scan from 10.9.9.9']);

  // filters: every other parameter is an exact field match
  assert.deepEqual(await titles('*', '&status=Open'), ['Port scan from 10.9.9.9']);
  assert.deepEqual(await titles('*', '&severity=high&status=Closed'), ['Phishing mail']);

  // sort and paging
  const q = `query=${encodeURIComponent(`source:"${mark}"`)}`;
  const asc = await t.api(`/ctia/incident/search?${q}&sort_by=title&sort_order=asc&limit=2`, { token: reader });
  assert.deepEqual(asc.body.map((x: { title: string }) => x.title), ['Beaconing host', 'ET MALWARE test beacon']);
  assert.equal(asc.headers['x-total-hits'], '4');
  const next = new URLSearchParams(String(asc.headers['x-next']));
  assert.equal(next.get('offset'), '2');
  assert.equal(asc.headers['x-previous'], undefined);
  const page2 = await t.api(`/ctia/incident/search?${asc.headers['x-next']}`, { token: reader });
  assert.deepEqual(page2.body.map((x: { title: string }) => x.title), ['Phishing mail', 'Port scan from 10.9.9.9']);
  assert.equal(page2.headers['x-next'], undefined);
  assert.ok(page2.headers['x-previous']);
  const byTime = await t.api(`/ctia/incident/search?${q}&sort_by=incident_time.opened:desc&limit=1`, { token: reader });
  assert.equal(byTime.body[0].title, 'Phishing mail');
  const beyond = await t.api(`/ctia/incident/search?${q}&offset=10`, { token: reader });
  assert.deepEqual(beyond.body, []);
  assert.equal(beyond.headers['x-total-hits'], '4');

  const count = await t.api(`/ctia/incident/search/count?${q}`, { token: reader });
  assert.equal(count.status, 200);
  assert.equal(count.body, 4);
  assert.equal((await t.api(`/ctia/incident/search/count?${q}&severity=High`, { token: reader })).body, 2);
  assert.equal((await t.api(`/ctia/incident/search/count?query=${encodeURIComponent(`source:"${mark}" AND title:nothing`)}`, { token: reader })).body, 0);

  for (const [bad, re] of [
    ['query=(title:x', /query: the "\(" at 1 is never closed/],
    ['query=title:', /title: has no value/],
    ['limit=-1', /limit: must be an integer/],
    ['limit=20000', /limit: must be an integer 0–10000/],
    ['sort_by=title:up', /sort_by/],
    ['sort_by=ti%20tle', /sort_by: "ti tle" is not a field name/],
    ['sort_order=sideways', /sort_order/],
  ] as const) {
    const r = await t.api(`/ctia/incident/search?${bad}`, { token: reader });
    assert.equal(r.status, 400, `${bad}: ${r.text}`);
    assert.match(r.body.message, re);
  }
  assert.equal((await t.api('/ctia/incident/search/count?query=%22open', { token: reader })).status, 400);
});

test('incident status stamps incident_time; notes append with their author', async () => {
  const inc = await create('incident');
  const id = short(inc.id);
  const open = await asA(`/ctia/incident/${id}/status`, { method: 'POST', body: { status: 'Open' } });
  assert.equal(open.status, 200, open.text);
  assert.equal(open.body.status, 'Open');
  assert.equal(open.body.incident_time.opened, inc.incident_time.opened);
  assert.equal(open.body.incident_time.closed, undefined);
  const contained = await asA(`/ctia/incident/${id}/status`, { method: 'POST', body: { status: 'Containment Achieved' } });
  assert.ok(contained.body.incident_time.remediated);
  const closed = await asA(`/ctia/incident/${encodeURIComponent(inc.id)}/status`, { method: 'POST', body: { status: 'Closed' } });
  assert.equal(closed.status, 200);
  assert.equal(closed.body.status, 'Closed');
  assert.ok(Date.parse(closed.body.incident_time.closed) >= Date.parse(inc.created));
  assert.equal((await asA(`/ctia/incident/${id}`)).body.status, 'Closed');
  const bad = await asA(`/ctia/incident/${id}/status`, { method: 'POST', body: { status: 'Finished' } });
  assert.equal(bad.status, 400);
  assert.match(bad.body.message, /incident status\.status: must be one of "New", "Open"/);
  assert.equal((await asA(`/ctia/incident/incident-${randomUUID()}/status`, { method: 'POST', body: { status: 'Open' } })).status, 404);

  const n1 = await asA(`/ctia/incident/${id}/notes`, { method: 'POST', body: { text: 'isolated the host' } });
  assert.equal(n1.status, 200, n1.text);
  const n2 = await asA(`/ctia/incident/${id}/notes`, { method: 'POST', body: { text: 'reimaged' } });
  assert.deepEqual(n2.body.notes.map((n: { text: string }) => n.text), ['isolated the host', 'reimaged']);
  assert.equal(n2.body.notes[0].author, analystId);
  assert.ok(Date.parse(n2.body.notes[1].time) >= Date.parse(n2.body.notes[0].time));
  const empty = await asA(`/ctia/incident/${id}/notes`, { method: 'POST', body: { text: '' } });
  assert.equal(empty.status, 400);
  assert.match(empty.body.message, /incident note\.text/);

  // assignees go by PATCH
  const assigned = await asA(`/ctia/incident/${id}`, { method: 'PATCH', body: { assignees: [analystId] } });
  assert.deepEqual(assigned.body.assignees, [analystId]);
  assert.equal(assigned.body.notes.length, 2);
  assert.equal((await t.api(`/ctia/incident/search/count?assignees=${analystId}`, { token: reader })).body >= 1, true);
});

test('casebook: add, remove and replace observables, texts and the bundle', async () => {
  const cb = await create('casebook', { title: 'case', observables: [ip('1.1.1.1')] });
  const op = (field: string, body: object) => asA(`/ctia/casebook/${short(cb.id)}/${field}`, { method: 'POST', body });
  const obs = (r: { body: { observables: Array<{ value: string }> } }) => r.body.observables.map((o) => o.value);

  const added = await op('observables', { operation: 'add', observables: [ip('2.2.2.2'), { value: '1.1.1.1', type: 'ip' }, ip('3.3.3.3')] });
  assert.equal(added.status, 200, added.text);
  assert.deepEqual(obs(added), ['1.1.1.1', '2.2.2.2', '3.3.3.3']);
  const removed = await op('observables', { operation: 'remove', observables: [ip('2.2.2.2'), ip('9.9.9.9')] });
  assert.deepEqual(obs(removed), ['1.1.1.1', '3.3.3.3']);
  const replaced = await op('observables', { operation: 'replace', observables: [{ type: 'domain', value: 'evil.example.com' }] });
  assert.deepEqual(replaced.body.observables, [{ type: 'domain', value: 'evil.example.com' }]);

  const t1 = await op('texts', { operation: 'add', texts: [{ type: 'note', text: 'a' }, { type: 'note', text: 'b' }] });
  assert.deepEqual(t1.body.texts.map((x: { text: string }) => x.text), ['a', 'b']);
  const t2 = await op('texts', { operation: 'remove', texts: [{ type: 'note', text: 'a' }] });
  assert.deepEqual(t2.body.texts, [{ type: 'note', text: 'b' }]);
  const t3 = await op('texts', { operation: 'replace', texts: [] });
  assert.deepEqual(t3.body.texts, []);

  const s1 = { id: 'transient:sighting-1', type: 'sighting', count: 1 };
  const s2 = { id: 'transient:sighting-2', type: 'sighting', count: 2 };
  const b1 = await op('bundle', { operation: 'add', bundle: { type: 'bundle', source: 'x', sightings: [s1] } });
  assert.deepEqual(b1.body.bundle, { type: 'bundle', source: 'x', sightings: [s1] });
  const b2 = await op('bundle', { operation: 'add', bundle: { sightings: [s1, s2] } });
  assert.deepEqual(b2.body.bundle.sightings, [s1, s2]);
  const b3 = await op('bundle', { operation: 'remove', bundle: { sightings: [{ id: s1.id }] } });
  assert.deepEqual(b3.body.bundle.sightings, [s2]);
  const b4 = await op('bundle', { operation: 'replace', bundle: { type: 'bundle', judgements: [] } });
  assert.deepEqual(b4.body.bundle, { type: 'bundle', judgements: [] });

  const badOp = await op('observables', { operation: 'merge', observables: [] });
  assert.equal(badOp.status, 400);
  assert.match(badOp.body.message, /casebook observables\.operation: must be one of "add", "remove", "replace"/);
  const missing = await op('texts', { operation: 'add' });
  assert.equal(missing.status, 400);
  assert.match(missing.body.message, /casebook texts: texts is required/);
  assert.equal((await asA(`/ctia/casebook/casebook-${randomUUID()}/observables`, { method: 'POST', body: { operation: 'add', observables: [] } })).status, 404);
});

test('by observable: the verdict follows priority, then disposition; judgements and sightings list', async () => {
  const target = { type: 'domain', value: 'verdict-test.example.com' };
  const j = (disposition: number, priority: number, extra: object = {}) =>
    create('judgement', { observable: target, disposition, priority, source: 'analyst', confidence: 'High', severity: 'High', ...extra });
  const path = (what: string, value = target.value) => `/ctia/domain/${encodeURIComponent(value)}/${what}`;

  assert.equal((await t.api(path('verdict'), { token: reader })).status, 404);
  const mal = await j(2, 90);
  let v = await t.api(path('verdict'), { token: reader });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.body.type, 'verdict');
  assert.equal(v.body.disposition, 2);
  assert.equal(v.body.disposition_name, 'Malicious');
  assert.equal(v.body.judgement_id, mal.id);
  // a higher priority wins, whatever its disposition
  const clean = await j(1, 95);
  v = await t.api(path('verdict'), { token: reader });
  assert.equal(v.body.disposition_name, 'Clean');
  assert.equal(v.body.judgement_id, clean.id);
  // on equal priority, the lower disposition number wins (Clean 1 over Malicious 2)
  await j(2, 95);
  assert.equal((await t.api(path('verdict'), { token: reader })).body.judgement_id, clean.id);
  // expired judgements count for nothing, whatever their priority
  await j(2, 100, { valid_time: { start_time: '2020-01-01T00:00:00Z', end_time: '2021-01-01T00:00:00Z' } });
  assert.equal((await t.api(path('verdict'), { token: reader })).body.judgement_id, clean.id);
  // the spelling of the value does not matter for known types
  assert.equal((await t.api(path('verdict', 'VERDICT-test.Example.com'), { token: reader })).body.judgement_id, clean.id);

  const list = await t.api(`${path('judgements')}?limit=2`, { token: reader });
  assert.equal(list.status, 200);
  assert.equal(list.body.length, 2);
  assert.equal(list.headers['x-total-hits'], '4');
  assert.ok(list.body.every((x: { observable: { value: string } }) => x.observable.value === target.value));

  // deleting the winning judgement changes the verdict
  await asA(`/ctia/judgement/${short(clean.id)}`, { method: 'DELETE' });
  assert.equal((await t.api(path('verdict'), { token: reader })).body.disposition_name, 'Malicious');

  // sightings, including a URL value (slashes encoded in the path)
  const url = 'http://verdict-test.example.com/a/b?c=d';
  const s = await create('sighting', { ...SAMPLES.sighting!(), observables: [target, { type: 'url', value: url }] });
  const sl = await t.api(path('sightings'), { token: reader });
  assert.deepEqual(sl.body.map((x: { id: string }) => x.id), [s.id]);
  const byUrl = await t.api(`/ctia/url/${encodeURIComponent(url)}/sightings`, { token: reader });
  assert.equal(byUrl.status, 200, byUrl.text);
  assert.deepEqual(byUrl.body.map((x: { id: string }) => x.id), [s.id]);
  assert.deepEqual((await t.api('/ctia/ip/203.0.113.254/sightings', { token: reader })).body, []);
  // an analyst marks an observable clean: one POST, and the verdict follows
  const ipv = '198.51.100.77';
  await create('judgement', { observable: ip(ipv), disposition_name: 'Clean', priority: 95, source: 'analyst', confidence: 'High', severity: 'Info' });
  assert.equal((await t.api(`/ctia/ip/${ipv}/verdict`, { token: reader })).body.disposition_name, 'Clean');
});

test('a read-only client reads and searches but cannot write anything', async () => {
  const inc = await create('incident');
  const cb = await create('casebook');
  const id = short(inc.id);
  const writes: Array<[string, string, unknown]> = [
    ['POST', '/ctia/incident', SAMPLES.incident!()],
    ['POST', '/ctia/judgement', SAMPLES.judgement!()],
    ['PUT', `/ctia/incident/${id}`, SAMPLES.incident!()],
    ['PATCH', `/ctia/incident/${id}`, { title: 'x' }],
    ['DELETE', `/ctia/incident/${id}`, undefined],
    ['POST', `/ctia/incident/${id}/status`, { status: 'Closed' }],
    ['POST', `/ctia/incident/${id}/notes`, { text: 'x' }],
    ['POST', `/ctia/casebook/${short(cb.id)}/observables`, { operation: 'add', observables: [ip('1.2.3.4')] }],
    ['POST', `/ctia/casebook/${short(cb.id)}/texts`, { operation: 'replace', texts: [] }],
    ['POST', `/ctia/casebook/${short(cb.id)}/bundle`, { operation: 'replace', bundle: {} }],
  ];
  for (const [method, path, body] of writes) {
    const r = await t.api(path, { method, body, token: reader });
    assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
    assert.match(r.body.message, /analyst/);
  }
  const after = await t.api(`/ctia/incident/${id}`, { token: reader });
  assert.equal(after.status, 200);
  assert.deepEqual(after.body, inc);
  assert.equal((await t.api('/ctia/incident/search?limit=1', { token: reader })).status, 200);
  assert.equal((await t.api('/ctia/incident/search', { as: 'none' })).status, 401);
});

test('two orgs: B sees, finds and touches nothing of A on any endpoint', async () => {
  const marker = { type: 'ip', value: '10.123.45.67' };
  const inc = await create('incident', { ...SAMPLES.incident!(), title: 'org A only', source: 'org-a-marker' });
  const cb = await create('casebook', { title: 'org A case', observables: [marker] });
  const jd = await create('judgement', { ...SAMPLES.judgement!(), observable: marker });
  const sg = await create('sighting', { ...SAMPLES.sighting!(), observables: [marker] });
  const ids: Record<string, string> = { incident: inc.id, casebook: cb.id, judgement: jd.id, sighting: sg.id };

  for (const [type, full] of Object.entries(ids)) {
    for (const id of [short(full), encodeURIComponent(full)]) {
      assert.equal((await asB(`/ctia/${type}/${id}`)).status, 404, `${type} GET`);
      assert.equal((await asB(`/ctia/${type}/${id}`, { method: 'PUT', body: SAMPLES[type]!() })).status, 404, `${type} PUT`);
      assert.equal((await asB(`/ctia/${type}/${id}`, { method: 'PATCH', body: { title: 'pwned' } })).status, 404, `${type} PATCH`);
      assert.equal((await asB(`/ctia/${type}/${id}`, { method: 'DELETE' })).status, 404, `${type} DELETE`);
    }
    assert.deepEqual((await asB(`/ctia/${type}/search`)).body, [], `${type} search`);
    assert.equal((await asB(`/ctia/${type}/search/count`)).body, 0, `${type} count`);
    assert.deepEqual((await asB(`/ctia/${type}/search?query=*`)).body, []);
  }
  assert.deepEqual((await asB('/ctia/incident/search?query=org-a-marker')).body, []);
  assert.equal((await asB(`/ctia/incident/${short(inc.id)}/status`, { method: 'POST', body: { status: 'Closed' } })).status, 404);
  assert.equal((await asB(`/ctia/incident/${short(inc.id)}/notes`, { method: 'POST', body: { text: 'pwned' } })).status, 404);
  assert.equal((await asB(`/ctia/incident/${short(inc.id)}/sightings`)).status, 404);
  for (const [field, body] of [['observables', { operation: 'replace', observables: [] }], ['texts', { operation: 'replace', texts: [] }], ['bundle', { operation: 'replace', bundle: {} }]] as const) {
    assert.equal((await asB(`/ctia/casebook/${short(cb.id)}/${field}`, { method: 'POST', body })).status, 404, field);
  }
  assert.equal((await asB(`/ctia/ip/${marker.value}/verdict`)).status, 404);
  assert.deepEqual((await asB(`/ctia/ip/${marker.value}/judgements`)).body, []);
  assert.deepEqual((await asB(`/ctia/ip/${marker.value}/sightings`)).body, []);

  // B may use the same id for its own entity: no conflict reveals that A has one
  const mine = await create('incident', { ...SAMPLES.incident!(), id: short(inc.id), title: 'org B' }, tokenB);
  assert.equal(mine.title, 'org B');
  // B's judgement does not change A's verdict, nor A's B's
  await create('judgement', { ...SAMPLES.judgement!(), observable: marker, disposition: 1, priority: 100 }, tokenB);
  assert.equal((await asA(`/ctia/ip/${marker.value}/verdict`)).body.judgement_id, jd.id);

  // A's things are intact
  const a = await asA(`/ctia/incident/${short(inc.id)}`);
  assert.equal(a.body.title, 'org A only');
  assert.equal(a.body.status, 'New');
  assert.equal(a.body.notes, undefined);
  assert.deepEqual((await asA(`/ctia/casebook/${short(cb.id)}`)).body.observables, [marker]);
});

test('store API for the incident engine: open an incident, put sightings in it, read them back', async () => {
  const rc = t.ex.response.context();
  const sink = ctiaIncidentSink(rc.stores.ctia);
  const base = rc.baseUrl();
  const incident: Incident = {
    id: `${base}/ctia/incident/incident-${randomUUID()}`, type: 'incident', schema_version: SCHEMA_VERSION,
    confidence: 'High', status: 'New', incident_time: { opened: now() }, title: 'promoted',
  };
  const opened = await sink.open(orgA, incident);
  assert.equal(opened.id, incident.id);
  const sighting = (uuid: string, count: number): Sighting => ({
    id: `${base}/ctia/sighting/sighting-${uuid}`, type: 'sighting', schema_version: SCHEMA_VERSION,
    count, confidence: 'High', observed_time: { start_time: now() }, observables: [ip('10.66.0.1')],
  });
  const u1 = randomUUID();
  await sink.putSighting(orgA, incident.id, sighting(u1, 1));
  await sink.putSighting(orgA, incident.id, sighting(u1, 5)); // the same sighting grows: replaced, not duplicated
  await sink.putSighting(orgA, incident.id, sighting(randomUUID(), 2));
  assert.equal((await sink.sighting(orgA, `sighting-${u1}`))?.count, 5);
  await assert.rejects(sink.putSighting(orgA, `incident-${randomUUID()}`, sighting(randomUUID(), 1)), /no incident/);

  const members = await rc.stores.ctia.incidentSightings(orgA, incident.id);
  assert.equal(members.total, 2);
  assert.deepEqual(members.data.map((s) => s.count).sort(), [2, 5]);
  // over the API: the incident's sightings, and the member-of relationships
  const api = await t.api(`/ctia/incident/${short(incident.id)}/sightings`, { token: reader });
  assert.equal(api.status, 200, api.text);
  assert.equal(api.headers['x-total-hits'], '2');
  const rels = await t.api(`/ctia/relationship/search?relationship_type=member-of&target_ref=${encodeURIComponent(incident.id)}`, { token: reader });
  assert.equal(rels.body.length, 2);
  assert.ok(rels.body.every((r: { source_ref: string }) => r.source_ref.includes('/ctia/sighting/sighting-')));
  // what the engine wrote is a valid entity: an analyst can edit it over the API
  const edited = await asA(`/ctia/sighting/sighting-${u1}`, { method: 'PATCH', body: { severity: 'Low' } });
  assert.equal(edited.status, 200, edited.text);
  assert.equal(edited.body.count, 5);
  // another org's store view has none of it
  assert.equal(await sink.get('org-other', incident.id), null);
  assert.equal((await rc.stores.ctia.incidentSightings('org-other', incident.id)).total, 0);
  assert.equal(await rc.stores.ctia.putIncidentSighting('org-other', incident.id, sighting(randomUUID(), 1)), null);
});

test('query language: parse errors say where; matching rules', () => {
  const doc = { title: 'ET MALWARE test beacon', status: 'Open: Investigating', priority: 95, observables: [ip('10.0.0.5')], tags: ['a b'] };
  const m = (q: string) => compileQuery(q).match(doc);
  assert.equal(m('*'), true);
  assert.equal(m('*:*'), true);
  assert.equal(m(''), true);
  assert.equal(m('title:"malware test"'), true);
  assert.equal(m('title:"test malware"'), false);
  assert.equal(m('status:open'), false);
  assert.equal(m('status:"open: investigating"'), true);
  assert.equal(m('observables.value:10.0.0.?'), true);
  assert.equal(m('priority:[90 TO 95]'), true);
  assert.equal(m('priority:[90 TO 95}'), false);
  assert.equal(m('priority:<100 && !priority:<50'), true);
  assert.equal(m('_exists_:tags AND NOT _exists_:notes'), true);
  assert.equal(m('tags:"a b"'), true);
  assert.equal(m('foo OR bar OR beacon'), true);
  assert.equal(m('foo OR (bar AND beacon)'), false);
  assert.equal(m('title:beac\\*'), false);
  assert.deepEqual(parseQuery('a b OR c'), {
    k: 'or', items: [{ k: 'and', items: [{ k: 'term', field: null, value: 'a', quoted: false }, { k: 'term', field: null, value: 'b', quoted: false }] }, { k: 'term', field: null, value: 'c', quoted: false }],
  });
  assert.throws(() => parseQuery('a AND'), /ends where a term was expected/);
  assert.throws(() => parseQuery('title:"x'), /quote at 7 is never closed/);
  assert.throws(() => parseQuery('a)'), /unexpected "\)" at 2/);
  assert.throws(() => parseQuery('p:[1 TO'), /range at 3 is never closed/);
  assert.throws(() => parseQuery('('.repeat(40) + 'a' + ')'.repeat(40)), /nested more than/);
  // filters are exact even on text fields
  assert.equal(compileQuery('*', { title: 'beacon' }).match(doc), false);
  assert.equal(compileQuery('*', { title: 'et malware test beacon' }).match(doc), true);
});

test('byObservables answers many observables in one call, per observable, newest first, within the limit', async () => {
  const ctia = t.ex.response.context().stores.ctia;
  const j = (value: string, priority: number) => t.api('/ctia/judgement', { method: 'POST', token: analyst, body: {
    observable: { type: 'domain', value }, disposition: 3, source: 'bulk-test', priority, confidence: 'Low', severity: 'Low',
  } });
  for (const [v, p] of [['bulk-a.example', 10], ['bulk-a.example', 20], ['bulk-a.example', 30], ['bulk-b.example', 40]] as const) {
    assert.equal((await j(v, p)).status, 201);
  }
  const got = await ctia.byObservables(orgA, 'judgement', [
    { type: 'domain', value: 'BULK-A.example' }, { type: 'domain', value: 'nothing.example' }, { type: 'domain', value: 'bulk-b.example' }, { type: 'ip', value: 'bulk-a.example' },
  ], 2);
  assert.deepEqual(got.map((l) => l.map((x) => (x as { priority: number }).priority)), [[30, 20], [], [40], []]);
  assert.deepEqual(await ctia.byObservables(orgA, 'judgement', [], 5), []);
});
