// Response's stores on PostgreSQL: each case runs against SQLite (the reference) and
// PostgreSQL, so both backends are held to the same behaviour.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteResponseStores } from '../src/response/store/sqlite/index.js';
import { openPg } from '../src/exchange/store/postgres/db.js';
import { openPgResponseStores } from '../src/response/store/postgres/index.js';
import { CtiaIdTaken, CtiaQueryError } from '../src/response/store/ctia-types.js';
import type { ResponseStores } from '../src/response/store/types.js';
import type { ModuleInstance } from '../src/response/module.js';
import type { PromotionRule } from '../src/response/incidents/rules.js';
import type { DeviceAction } from '../src/response/store/action-types.js';
import { freshSchemaUrl, needsPg } from './helpers/pg.js';
import { sideBySide, type Factory } from './helpers/side-by-side.js';

/** The stores of one node, and `node()` to open another over the same data (as a second
 * process would). Everything opened is closed after the test. */
interface Backend {
  stores: ResponseStores;
  node(): Promise<ResponseStores>;
}

const factories: Factory<Backend>[] = [
  {
    name: 'sqlite',
    opts: {},
    async open(after) {
      const dir = mkdtempSync(join(tmpdir(), 'threatlink-response-'));
      const node = async () => {
        const stores = openSqliteResponseStores(join(dir, 'response.db'));
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
        const stores = await openPgResponseStores(db);
        after(() => stores.close());
        return stores;
      };
      const stores = await node();
      after(drop);
      return { stores, node };
    },
  },
];

const both = sideBySide(factories);

const HOST = 'https://tl.example/ctia';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function moduleInstance(orgId: string, id: string, name: string): ModuleInstance {
  const now = '2024-01-01T00:00:00.000Z';
  return {
    id, org_id: orgId, kind: 'feed', name, enabled: true, url: 'https://feed.example', settings: { a: 1 },
    timeout_ms: 15000, concurrency: 32, rate_limit_per_minute: 0, cache_ttl_seconds: 0, created_at: now, updated_at: now,
  };
}

function incident(n: string, extra: Record<string, unknown> = {}): any {
  return {
    id: `${HOST}/incident/incident-${n}`, type: 'incident', schema_version: '1.3.9', source: 'test',
    title: `incident ${n}`, status: 'New', confidence: 'High', incident_time: { opened: '2024-01-01T00:00:00.000Z' }, ...extra,
  };
}

function sighting(n: string, observables: { type: string; value: string }[], extra: Record<string, unknown> = {}): any {
  return {
    id: `sighting-${n}`, type: 'sighting', schema_version: '1.3.9', source: 'test', count: 1,
    observed_time: { start_time: '2024-01-01T00:00:00.000Z' }, confidence: 'High', observables, ...extra,
  };
}

function judgement(n: string, value: string): any {
  return {
    id: `judgement-${n}`, type: 'judgement', schema_version: '1.3.9', source: 'test', disposition: 2, disposition_name: 'Malicious',
    priority: 90, severity: 'High', confidence: 'High', valid_time: {}, observable: { type: 'domain', value },
  };
}

function rule(orgId: string, id: string, name: string): PromotionRule {
  return {
    id, org_id: orgId, name, enabled: true, match: {} as PromotionRule['match'], group_window_seconds: 60, severity: 'High',
    created_at: '2024-01-01T00:00:00.000Z', updated_at: '2024-01-01T00:00:00.000Z',
  };
}

function action(orgId: string, id: string, devices: string[], type: DeviceAction['type'] = 'block'): DeviceAction {
  const at = '2024-01-01T00:00:00.000Z';
  return {
    id, org_id: orgId, type, observable: { type: 'ip', value: '203.0.113.7' }, created_at: at, created_by: 'client-1',
    devices: devices.map((d) => ({ device_id: d, state: 'pending', detail: null, updated_at: at })),
  };
}

const titles = (docs: readonly { title?: unknown }[]) => docs.map((d) => d.title);

// ── module instances and cursors ─────────────────────────────────────────────────────────────

both('module instances: CRUD per org, in creation order', async ({ stores }) => {
  const m = stores.modules;
  await m.create(moduleInstance('org-a', 'mod-2', 'second'));
  await m.create(moduleInstance('org-a', 'mod-1', 'first'));
  await m.create(moduleInstance('org-b', 'mod-3', 'other org'));
  assert.deepEqual((await m.list('org-a')).map((x) => x.id), ['mod-2', 'mod-1']);
  assert.equal(await m.get('org-b', 'mod-1'), null);
  assert.deepEqual(await m.get('org-a', 'mod-1'), moduleInstance('org-a', 'mod-1', 'first'));

  const up = await m.update('org-a', 'mod-1', { name: 'renamed', url: undefined, settings: { b: 2 } });
  assert.equal(up?.name, 'renamed');
  assert.equal(up?.created_at, '2024-01-01T00:00:00.000Z');
  assert.notEqual(up?.updated_at, '2024-01-01T00:00:00.000Z');
  const got = await m.get('org-a', 'mod-1');
  assert.deepEqual(got, JSON.parse(JSON.stringify(up)));
  assert.equal('url' in got!, false, 'a key patched to undefined is gone');
  assert.equal(await m.update('org-b', 'mod-1', { name: 'x' }), null);

  assert.equal(await m.delete('org-b', 'mod-1'), false);
  assert.equal(await m.delete('org-a', 'mod-1'), true);
  assert.equal(await m.delete('org-a', 'mod-1'), false);
  assert.deepEqual((await m.list('org-a')).map((x) => x.id), ['mod-2']);
  assert.deepEqual((await m.list('org-b')).map((x) => x.id), ['mod-3']);
});

both('cursors: unset, set, moved, cleared', async ({ stores, node }) => {
  assert.equal(await stores.cursors.get('incidents'), null);
  await stores.cursors.set('incidents', '17');
  await stores.cursors.set('incidents', '42');
  await stores.cursors.set('other', '1');
  assert.equal(await (await node()).cursors.get('incidents'), '42');
  await stores.cursors.set('incidents', null);
  assert.equal(await stores.cursors.get('incidents'), null);
  assert.equal(await stores.cursors.get('other'), '1');
});

// ── CTIA ─────────────────────────────────────────────────────────────────────────────────────

both('ctia: create, get by full or short id, id taken, org isolation', async ({ stores }) => {
  const c = stores.ctia;
  const made = await c.create('org-a', 'incident', incident('1'));
  assert.equal(made.id, `${HOST}/incident/incident-1`);
  assert.equal(made.type, 'incident');
  assert.equal(made.created, made.modified);
  assert.deepEqual(await c.get('org-a', 'incident', 'incident-1'), made);
  assert.deepEqual(await c.get('org-a', 'incident', made.id), made);
  assert.equal(await c.get('org-b', 'incident', 'incident-1'), null);
  assert.equal(await c.get('org-a', 'casebook', 'incident-1'), null);
  await assert.rejects(c.create('org-a', 'incident', incident('1', { title: 'again' })), CtiaIdTaken);
  // Another org may use the same id.
  await c.create('org-b', 'incident', incident('1', { title: 'theirs' }));
  assert.equal((await c.get('org-a', 'incident', 'incident-1'))?.title, 'incident 1');
  assert.equal((await c.get('org-b', 'incident', 'incident-1'))?.title, 'theirs');
  await assert.rejects(c.create('org-a', 'incident', incident('2', { id: 'casebook-2' })), /needs an id/);
  await c.create('org-a', 'incident', incident('nul', { title: 'a\u0000b' }));
  assert.ok((await c.get('org-a', 'incident', 'incident-nul'))?.title?.startsWith('a'));
});

both('ctia: update, put, patch, edit and delete', async ({ stores }) => {
  const c = stores.ctia;
  const made = await c.create('org-a', 'incident', incident('1'));
  await sleep(3);
  const up = await c.update('org-a', 'incident', incident('1', { title: 'replaced', status: 'Open' }));
  assert.equal(up?.title, 'replaced');
  assert.equal(up?.created, made.created);
  assert.ok(up!.modified > made.modified);
  assert.deepEqual(await c.get('org-a', 'incident', 'incident-1'), up);
  assert.equal(await c.update('org-b', 'incident', incident('1')), null);
  assert.equal(await c.update('org-a', 'incident', incident('9')), null);

  const patched = await c.patch('org-a', 'incident', 'incident-1', { status: 'Closed', id: 'incident-other', type: 'casebook' } as any);
  assert.equal(patched?.status, 'Closed');
  assert.equal(patched?.title, 'replaced');
  assert.equal(patched?.id, made.id, 'id never changes');
  assert.equal(patched?.type, 'incident');
  assert.equal(await c.patch('org-b', 'incident', 'incident-1', { status: 'x' }), null);

  const edited = await c.edit('org-a', 'incident', 'incident-1', (cur) => ({ ...cur, notes: [{ text: 'hi', author: 'me', time: 't' }] }));
  assert.deepEqual(edited?.notes, [{ text: 'hi', author: 'me', time: 't' }]);
  assert.equal(edited?.status, 'Closed');
  await assert.rejects(c.edit('org-a', 'incident', 'incident-1', () => { throw new Error('no'); }), /no/);
  assert.deepEqual(await c.get('org-a', 'incident', 'incident-1'), edited, 'a throwing edit changes nothing');
  assert.equal(await c.edit('org-b', 'incident', 'incident-1', (cur) => cur), null);

  const put1 = await c.put('org-a', 'sighting', sighting('p', []));
  await sleep(3);
  const put2 = await c.put('org-a', 'sighting', sighting('p', [], { count: 5 }));
  assert.equal(put2.created, put1.created);
  assert.equal(put2.count, 5);
  assert.deepEqual(await c.get('org-a', 'sighting', 'sighting-p'), put2);

  assert.equal(await c.delete('org-b', 'incident', 'incident-1'), false);
  assert.equal(await c.delete('org-a', 'casebook', 'incident-1'), false);
  assert.equal(await c.delete('org-a', 'incident', made.id), true);
  assert.equal(await c.get('org-a', 'incident', 'incident-1'), null);
  assert.equal(await c.delete('org-a', 'incident', 'incident-1'), false);
});

/** Five incidents of org-a (modified in this order) and one of org-b. */
async function seedIncidents(s: ResponseStores): Promise<void> {
  const docs = [
    incident('1', { title: 'ET MALWARE test beacon', status: 'Open', severity: 'High', priority: 10, incident_time: { opened: '2024-01-10T00:00:00Z' }, assignees: ['alice'] }),
    incident('2', { title: 'Port scan from outside', status: 'Open: Investigating', severity: 'Low', priority: 9, incident_time: { opened: '2024-02-10T00:00:00Z' } }),
    incident('3', { title: 'Beaconing host', status: 'Closed', severity: 'High', priority: 100, incident_time: { opened: '2024-03-10T00:00:00Z' }, assignees: [] }),
    incident('4', { title: 'Phishing (mail)', status: 'Open', severity: 'Medium', priority: 2, description: 'user clicked: evil.example.com', incident_time: { opened: '2024-04-10T00:00:00Z' } }),
    incident('5', { title: 'a beacon test', status: 'New', severity: 'Low', incident_time: { opened: '2024-05-10T00:00:00Z' } }),
  ];
  for (const d of docs) {
    await s.ctia.create('org-a', 'incident', d);
    await sleep(2);
  }
  await s.ctia.create('org-b', 'incident', incident('6', { title: 'ET MALWARE test beacon', status: 'Open', severity: 'High' }));
}

both('ctia: search query forms and count', async ({ stores }) => {
  await seedIncidents(stores);
  const c = stores.ctia;
  const ids = async (query: string, filters?: Record<string, string>) =>
    (await c.search('org-a', 'incident', { query, filters })).data.map((d) => d.id.slice(-1)).sort().join('');
  assert.equal(await ids(''), '12345');
  assert.equal(await ids('*'), '12345');
  assert.equal(await ids('*:*'), '12345');
  assert.equal(await ids('status:Open'), '14', 'a non-text field matches as a whole');
  assert.equal(await ids('status:open'), '14', 'case-insensitive');
  assert.equal(await ids('status:"Open: Investigating"'), '2');
  assert.equal(await ids('title:beacon'), '15', 'a text field matches by words');
  assert.equal(await ids('title:"test beacon"'), '1', 'a phrase, in order');
  assert.equal(await ids('title:beacon*'), '135', 'wildcard on a word');
  assert.equal(await ids('title:*scan*'), '2');
  assert.equal(await ids('status:Op?n'), '14');
  assert.equal(await ids('status:Open*'), '124');
  assert.equal(await ids('beacon'), '15', 'free text over every field');
  assert.equal(await ids('evil.example.com'), '4');
  assert.equal(await ids('alice'), '1');
  assert.equal(await ids('title:phishing\\ \\(mail\\)'), '4', 'escapes');
  assert.equal(await ids('status:Open AND severity:High'), '1');
  assert.equal(await ids('status:Open severity:Medium'), '4', 'juxtaposition is AND');
  assert.equal(await ids('status:Closed OR severity:Low'), '235');
  assert.equal(await ids('status:Open && (severity:High || severity:Medium)'), '14');
  assert.equal(await ids('NOT status:Open'), '235');
  assert.equal(await ids('-status:Open AND -status:Closed'), '25');
  assert.equal(await ids('_exists_:assignees'), '1', 'an empty array is not there');
  assert.equal(await ids('priority:*'), '1234');
  assert.equal(await ids('priority:[9 TO 10]'), '12', 'numbers compare as numbers');
  assert.equal(await ids('priority:>9'), '13');
  assert.equal(await ids('priority:{2 TO 100}'), '12');
  assert.equal(await ids('incident_time.opened:[2024-02-01 TO 2024-04-10T00:00:00Z]'), '234');
  assert.equal(await ids('incident_time.opened:<2024-02-01'), '1');
  assert.equal(await ids('', { status: 'OPEN' }), '14', 'filters: exact, case-insensitive');
  assert.equal(await ids('', { title: 'beacon' }), '', 'filters never match by words');
  assert.equal(await ids('severity:High', { status: 'closed' }), '3');

  assert.equal(await c.count('org-a', 'incident'), 5);
  assert.equal(await c.count('org-a', 'incident', { query: 'status:Open' }), 2);
  assert.equal(await c.count('org-b', 'incident', { query: 'beacon' }), 1);
  assert.equal(await c.count('org-a', 'casebook'), 0);

  await assert.rejects(c.search('org-a', 'incident', { query: '(status:Open' }), CtiaQueryError);
  await assert.rejects(c.count('org-a', 'incident', { query: 'title:"open' }), CtiaQueryError);
  await assert.rejects(c.search('org-a', 'incident', { filters: { 'bad field': 'x' } }), CtiaQueryError);
  await assert.rejects(c.search('org-a', 'incident', { sort: [{ field: 'a;drop', order: 'asc' }] }), CtiaQueryError);
});

both('ctia: search order and paging', async ({ stores }) => {
  await seedIncidents(stores);
  const c = stores.ctia;
  const all = await c.search('org-a', 'incident');
  assert.equal(all.total, 5);
  assert.deepEqual(all.data.map((d) => d.id.slice(-1)), ['5', '4', '3', '2', '1'], 'newest modified first');

  const page = await c.search('org-a', 'incident', { limit: 2, offset: 1 });
  assert.deepEqual(page.data.map((d) => d.id.slice(-1)), ['4', '3']);
  assert.equal(page.total, 5);
  assert.deepEqual(await c.search('org-a', 'incident', { offset: 10 }), { data: [], total: 5 });
  assert.deepEqual(await c.search('org-a', 'incident', { limit: 0 }), { data: [], total: 5 });
  assert.deepEqual(await c.search('org-a', 'incident', { query: 'status:Open', offset: 5 }), { data: [], total: 2 });
  assert.deepEqual(await c.search('org-a', 'incident', { query: 'nothing-like-this' }), { data: [], total: 0 });

  const byTitle = await c.search('org-a', 'incident', { sort: [{ field: 'title', order: 'asc' }] });
  assert.deepEqual(titles(byTitle.data), ['Beaconing host', 'ET MALWARE test beacon', 'Phishing (mail)', 'Port scan from outside', 'a beacon test'], 'byte order');
  const byPriority = await c.search('org-a', 'incident', { sort: [{ field: 'priority', order: 'desc' }] });
  assert.deepEqual(byPriority.data.map((d) => d.id.slice(-1)), ['3', '1', '2', '4', '5'], 'numbers by value; missing last when descending');
  const bySeverity = await c.search('org-a', 'incident', { sort: [{ field: 'severity', order: 'asc' }, { field: 'incident_time.opened', order: 'desc' }], limit: 3 });
  assert.deepEqual(bySeverity.data.map((d) => d.id.slice(-1)), ['3', '1', '5']);
  assert.equal(bySeverity.total, 5);
});

both('ctia: by observable, normalised, newest first, per org', async ({ stores }) => {
  const c = stores.ctia;
  await c.create('org-a', 'judgement', judgement('1', 'evil.example.com'));
  await sleep(2);
  await c.create('org-a', 'judgement', judgement('2', 'EVIL.example.com'));
  await sleep(2);
  await c.create('org-a', 'judgement', judgement('3', 'good.example.com'));
  await c.create('org-b', 'judgement', judgement('4', 'evil.example.com'));
  await c.create('org-a', 'sighting', sighting('1', [{ type: 'domain', value: 'evil.example.com' }, { type: 'ip', value: '203.0.113.7' }]));
  await sleep(2);
  await c.create('org-a', 'sighting', sighting('2', [{ type: 'ip', value: '203.0.113.7' }]));

  const evil = { type: 'domain', value: 'Evil.Example.COM' } as const;
  const j = await c.byObservable('org-a', 'judgement', evil);
  assert.deepEqual(j.data.map((d) => d.id), ['judgement-2', 'judgement-1']);
  assert.equal(j.total, 2);
  const p = await c.byObservable('org-a', 'judgement', evil, { limit: 1, offset: 1 });
  assert.deepEqual(p, { data: [j.data[1]], total: 2 });
  assert.deepEqual((await c.byObservable('org-a', 'judgement', evil, { offset: 5 })), { data: [], total: 2 });
  assert.deepEqual((await c.byObservable('org-b', 'judgement', evil)).data.map((d) => d.id), ['judgement-4']);
  assert.deepEqual((await c.byObservable('org-a', 'sighting', { type: 'ip', value: '203.0.113.7' })).data.map((d) => d.id), ['sighting-2', 'sighting-1']);

  const many = await c.byObservables('org-a', 'sighting', [
    { type: 'ip', value: '203.0.113.7' }, { type: 'domain', value: 'nothing.example' }, { type: 'domain', value: 'EVIL.example.com' }, { type: 'ip', value: '203.0.113.7' },
  ], 1);
  assert.deepEqual(many.map((l) => l.map((d) => d.id)), [['sighting-2'], [], ['sighting-1'], ['sighting-2']]);
  assert.deepEqual(await c.byObservables('org-a', 'sighting', [], 5), []);

  // A rewrite re-indexes: the sighting no longer names the domain.
  await c.update('org-a', 'sighting', sighting('1', [{ type: 'ip', value: '203.0.113.7' }]));
  assert.equal((await c.byObservable('org-a', 'sighting', { type: 'domain', value: 'evil.example.com' })).total, 0);
  // A put that keeps one observable (in another spelling), drops one and adds two (the
  // engine's growing sighting): found by exactly the new set, each once.
  await c.put('org-a', 'sighting', sighting('2', [{ type: 'ip', value: '203.0.113.7' }, { type: 'domain', value: 'b.example' }]));
  await c.put('org-a', 'sighting', sighting('2', [{ type: 'domain', value: 'B.Example' }, { type: 'domain', value: 'c.example' }, { type: 'ip', value: '198.51.100.9' }]));
  const ids = async (type: string, value: string) => (await c.byObservable('org-a', 'sighting', { type, value } as never)).data.map((d) => d.id);
  assert.deepEqual(await ids('ip', '203.0.113.7'), ['sighting-1']);
  assert.deepEqual(await ids('domain', 'b.example'), ['sighting-2']);
  assert.deepEqual(await ids('domain', 'c.example'), ['sighting-2']);
  assert.deepEqual(await ids('ip', '198.51.100.9'), ['sighting-2']);
  await c.delete('org-a', 'judgement', 'judgement-1');
  assert.deepEqual((await c.byObservable('org-a', 'judgement', evil)).data.map((d) => d.id), ['judgement-2']);
});

both('ctia: incident sightings', async ({ stores }) => {
  const c = stores.ctia;
  const inc = await c.create('org-a', 'incident', incident('1'));
  assert.equal(await c.putIncidentSighting('org-a', 'incident-9', sighting('x', [])), null);
  assert.equal(await c.get('org-a', 'sighting', 'sighting-x'), null, 'not written without its incident');
  assert.equal(await c.putIncidentSighting('org-b', inc.id, sighting('x', [])), null);

  await sleep(2);
  const s1 = await c.putIncidentSighting('org-a', inc.id, sighting('1', [{ type: 'ip', value: '198.51.100.1' }]));
  assert.equal(s1?.id, 'sighting-1');
  await sleep(2);
  await c.putIncidentSighting('org-a', 'incident-1', sighting('2', []));
  await sleep(2);
  await c.putIncidentSighting('org-a', 'incident-1', sighting('1', [], { count: 3 }));
  const after = await c.get('org-a', 'incident', 'incident-1');
  assert.ok(after!.modified > inc.modified, 'the incident counts as modified');

  const list = await c.incidentSightings('org-a', inc.id);
  assert.equal(list.total, 2, 'writing a sighting again does not duplicate it');
  assert.deepEqual(list.data.map((d) => d.id), ['sighting-1', 'sighting-2']);
  assert.equal(list.data[0]!.count, 3);
  assert.deepEqual(await c.incidentSightings('org-a', 'incident-1', { limit: 1, offset: 1 }), { data: [list.data[1]], total: 2 });
  assert.deepEqual(await c.incidentSightings('org-a', 'incident-1', { offset: 2 }), { data: [], total: 2 });
  assert.deepEqual(await c.incidentSightings('org-b', 'incident-1'), { data: [], total: 0 });

  const rels = await c.search('org-a', 'relationship');
  assert.equal(rels.total, 2);
  for (const r of rels.data) {
    assert.equal(r.relationship_type, 'member-of');
    assert.equal(r.target_ref, inc.id);
    assert.ok(r.id.startsWith(`${HOST}/relationship/relationship-`), 'on the incident\'s server');
  }
  await c.delete('org-a', 'sighting', 'sighting-2');
  assert.deepEqual((await c.incidentSightings('org-a', 'incident-1')).data.map((d) => d.id), ['sighting-1']);
});

both('ctia: by external ids (exact, newest first, per org) and the relationships of an entity', async ({ stores }) => {
  const c = stores.ctia;
  await c.create('org-a', 'incident', incident('1', { external_ids: ['feed:1', 'shared'] }));
  await sleep(2);
  await c.create('org-a', 'incident', incident('2', { external_ids: ['feed:2'] }));
  await sleep(2);
  await c.create('org-a', 'incident', incident('3', { external_ids: ['FEED:1'] }));
  await c.create('org-a', 'incident', incident('4'));
  await c.create('org-b', 'incident', incident('5', { external_ids: ['feed:1'] }));
  await c.create('org-a', 'sighting', sighting('1', [], { external_ids: ['feed:1'] }));
  const ids = async (ext: string[], p?: { limit?: number; offset?: number }) => {
    const r = await c.byExternalIds('org-a', 'incident', ext, p);
    return { ids: r.data.map((d) => d.id), total: r.total };
  };
  assert.deepEqual(await ids(['feed:1']), { ids: [`${HOST}/incident/incident-1`], total: 1 });
  assert.deepEqual(await ids(['feed:1', 'feed:2', 'nothing']), { ids: [`${HOST}/incident/incident-2`, `${HOST}/incident/incident-1`], total: 2 });
  assert.deepEqual(await ids(['feed:1', 'feed:2'], { limit: 1, offset: 1 }), { ids: [`${HOST}/incident/incident-1`], total: 2 });
  assert.deepEqual(await ids([]), { ids: [], total: 0 });
  assert.deepEqual((await c.byExternalIds('org-b', 'incident', ['feed:2'])).total, 0);

  const rel = (n: string, source: string, target: string) =>
    c.create('org-a', 'relationship', { id: `relationship-${n}`, type: 'relationship', schema_version: '1.3.9', relationship_type: 'related-to', source_ref: source, target_ref: target } as any);
  await rel('1', `${HOST}/sighting/sighting-1`, `${HOST}/incident/incident-1`);
  await sleep(2);
  await rel('2', `${HOST}/incident/incident-1`, `${HOST}/casebook/casebook-1`);
  await sleep(2);
  await rel('3', 'https://other.example/ctia/sighting/sighting-9', 'incident-1');
  await rel('4', `${HOST}/sighting/sighting-1`, `${HOST}/incident/incident-2`);
  await c.create('org-b', 'relationship', { id: 'relationship-5', type: 'relationship', schema_version: '1.3.9', relationship_type: 'related-to', source_ref: 'incident-1', target_ref: 'incident-1' } as any);
  const of = async (id: string, q: Parameters<typeof c.relationshipsOf>[2] = { limit: 100 }) => (await c.relationshipsOf('org-a', id, q)).map((r) => r.id);
  assert.deepEqual(await of(`${HOST}/incident/incident-1`), ['relationship-3', 'relationship-2', 'relationship-1']);
  assert.deepEqual(await of('incident-1', { limit: 2 }), ['relationship-3', 'relationship-2']);
  assert.deepEqual(await of('incident-1', { ends: ['source_ref'], limit: 100 }), ['relationship-2']);
  assert.deepEqual(await of('incident-1', { ends: ['target_ref'], source_types: ['sighting'], limit: 100 }), ['relationship-3', 'relationship-1']);
  assert.deepEqual(await of('incident-1', { target_types: ['casebook', 'judgement'], limit: 100 }), ['relationship-2']);
  assert.deepEqual(await c.relationshipsOf('org-b', 'incident-2', { limit: 100 }), []);
});

both('ctia: concurrent edits of one incident from two nodes lose nothing', async ({ stores, node }) => {
  const other = await node();
  await stores.ctia.create('org-a', 'incident', incident('1'));
  const note = (i: number) => (cur: any) => ({ ...cur, notes: [...(cur.notes ?? []), { text: `n${i}`, author: 'a', time: 't' }] });
  await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? other : stores).ctia.edit('org-a', 'incident', 'incident-1', note(i))));
  const got = await stores.ctia.get('org-a', 'incident', 'incident-1');
  assert.deepEqual(got!.notes!.map((n) => n.text).sort(), Array.from({ length: 20 }, (_, i) => `n${i}`).sort());

  await Promise.all(Array.from({ length: 10 }, (_, i) =>
    (i % 2 ? other : stores).ctia.putIncidentSighting('org-a', 'incident-1', sighting(`c${i % 5}`, []))));
  assert.equal((await other.ctia.incidentSightings('org-a', 'incident-1')).total, 5);
});

// ── device actions ───────────────────────────────────────────────────────────────────────────

both('actions: deliveries, queue order, acks, adopt, org scoping', async ({ stores, node }) => {
  const a = stores.actions;
  await a.create(action('org-a', 'act-1', ['dev-2', 'dev-1']));
  await a.create(action('org-a', 'act-2', ['dev-1'], 'unblock'));
  await a.create(action('org-b', 'act-3', ['dev-9']));

  const one = await a.get('org-a', 'act-1');
  assert.deepEqual(one?.devices.map((d) => [d.device_id, d.state]), [['dev-1', 'pending'], ['dev-2', 'pending']]);
  assert.deepEqual(one?.observable, { type: 'ip', value: '203.0.113.7' });
  assert.equal(await a.get('org-b', 'act-1'), null);

  assert.deepEqual((await a.list('org-a')).map((x) => x.id), ['act-2', 'act-1']);
  assert.deepEqual((await a.list('org-a', { limit: 1 })).map((x) => x.id), ['act-2']);
  assert.deepEqual((await a.list('org-a', { device: 'dev-2' })).map((x) => x.id), ['act-1']);
  assert.deepEqual((await a.list('org-b')).map((x) => x.id), ['act-3']);

  assert.deepEqual((await a.open('org-a', 'dev-1', ['pending'])).map((x) => x.id), ['act-1', 'act-2'], 'oldest first');
  assert.deepEqual(await a.open('org-a', 'dev-1', []), []);
  await a.markSent('org-a', 'act-1', 'dev-1');
  await a.markSent('org-b', 'act-2', 'dev-1');
  assert.deepEqual((await a.open('org-a', 'dev-1', ['pending'])).map((x) => x.id), ['act-2']);
  assert.deepEqual((await a.open('org-a', 'dev-1', ['pending', 'sent'])).map((x) => x.id), ['act-1', 'act-2']);

  assert.equal(await a.markAcked('org-a', 'act-1', 'dev-1', 'error', 'no nft'), true);
  assert.equal(await a.markAcked('org-b', 'act-1', 'dev-1', 'ok', null), false);
  assert.equal(await a.markAcked('org-a', 'act-1', 'dev-7', 'ok', null), false);
  await a.markSent('org-a', 'act-1', 'dev-1');
  const d1 = (await a.get('org-a', 'act-1'))!.devices.find((d) => d.device_id === 'dev-1');
  assert.equal(d1?.state, 'error', 'an acked delivery is not sent again');
  assert.equal(d1?.detail, 'no nft');

  const other = await node();
  assert.equal(await other.actions.adopt('org-a', 'dev-new', '2024-02-02T00:00:00.000Z'), 2);
  assert.equal(await a.adopt('org-a', 'dev-new', '2024-02-02T00:00:00.000Z'), 0, 'adopted once');
  assert.equal(await a.adopt('org-a', 'dev-1', '2024-02-02T00:00:00.000Z'), 0, 'dev-1 has act-1 and act-2 already');
  const queue = await a.open('org-a', 'dev-new', ['pending']);
  assert.deepEqual(queue.map((x) => x.id), ['act-1', 'act-2']);
  assert.deepEqual(queue[0]!.devices.find((d) => d.device_id === 'dev-new'), { device_id: 'dev-new', state: 'pending', detail: null, updated_at: '2024-02-02T00:00:00.000Z' });
  assert.deepEqual(await a.open('org-b', 'dev-new', ['pending']), []);
});

// ── incident rules and groups ────────────────────────────────────────────────────────────────

both('incident rules: unset, seed once, put, delete, per org', async ({ stores }) => {
  const r = stores.incidents;
  assert.equal(await r.list('org-a'), null);
  await r.seed('org-a', [rule('org-a', 'r1', 'one'), rule('org-a', 'r2', 'two')]);
  await r.seed('org-a', [rule('org-a', 'r9', 'seeded twice')]);
  assert.deepEqual((await r.list('org-a'))!.map((x) => x.id), ['r1', 'r2']);
  await r.put({ ...rule('org-a', 'r1', 'one, edited') });
  await r.put(rule('org-a', 'r3', 'three'));
  assert.deepEqual((await r.list('org-a'))!.map((x) => x.name), ['one, edited', 'two', 'three'], 'an edit keeps its place');
  assert.equal((await r.get('org-a', 'r3'))?.name, 'three');
  assert.equal(await r.get('org-b', 'r3'), null);
  await r.put(rule('org-b', 'r1', 'not theirs'));
  assert.equal((await r.get('org-a', 'r1'))?.name, 'one, edited', 'a rule id of another org is left alone');
  assert.deepEqual(await r.list('org-b'), [], 'but the org now has rules of its own');

  assert.equal(await r.delete('org-b', 'r2'), false);
  assert.equal(await r.delete('org-a', 'r2'), true);
  assert.equal(await r.delete('org-a', 'r1'), true);
  assert.equal(await r.delete('org-a', 'r3'), true);
  assert.deepEqual(await r.list('org-a'), [], 'deleted them all: still set');
  await r.seed('org-a', [rule('org-a', 'r4', 'late')]);
  assert.deepEqual(await r.list('org-a'), []);
});

both('incident groups: set, replace, per org', async ({ stores, node }) => {
  const r = stores.incidents;
  assert.equal(await r.group('org-a', 'k'), null);
  await r.setGroup('org-a', 'k', { incident_id: 'incident-1', last_ts: 1_700_000_000_123 });
  assert.deepEqual(await r.group('org-a', 'k'), { incident_id: 'incident-1', last_ts: 1_700_000_000_123 });
  await r.setGroup('org-a', 'k', { incident_id: 'incident-2', last_ts: 1_700_000_000_999, last_event: 'ev-9' });
  assert.deepEqual(await (await node()).incidents.group('org-a', 'k'), { incident_id: 'incident-2', last_ts: 1_700_000_000_999, last_event: 'ev-9' });
  assert.equal(await r.group('org-b', 'k'), null);
});

both('two nodes opening at once migrate once', async ({ node }) => {
  const [x, y] = await Promise.all([node(), node()]);
  await x.cursors.set('c', '1');
  assert.equal(await y.cursors.get('c'), '1');
});
