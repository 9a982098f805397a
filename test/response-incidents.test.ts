// The incident engine over a real exchange: default and custom promotion rules, grouping by
// (source, destination, signature) within a window, feed matches, closed incidents, promotion
// by hand, a restart that neither repeats nor skips, and org isolation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestExchange, cleanup, enrollDevice, DeviceSocket, intrusion, tmpDir, type TestExchange } from './helpers/exchange.js';
import { createOrgWithAdmin } from '../src/exchange/orgs.js';
import { incidentEngineOf } from '../src/response/incidents/part.js';
import { CURSOR } from '../src/response/incidents/engine.js';
import type { NormalizedEvent } from '../src/events/event.js';

let t: TestExchange;
let tokenB: string;
let sock: DeviceSocket;
let seq = 0;
const feedDir = tmpDir('tl-incident-feed-');

before(async () => {
  t = await startTestExchange(undefined, { feedFilesDir: feedDir });
  const b = await createOrgWithAdmin(t.ex.ctx.stores, 'org-b');
  tokenB = await t.token(b.clientId, b.clientSecret);
  sock = await DeviceSocket.connect(await enrollDevice(t, 'incident-sensor'));
  await sock.hello();
});
after(async () => {
  sock?.close();
  await t.close();
  cleanup(t.dataDir);
  cleanup(feedDir);
});

async function send(events: NormalizedEvent[]): Promise<void> {
  const ack = await sock.sendBatch(++seq, events);
  assert.equal(ack.accepted, events.length, JSON.stringify(ack.rejected));
  await incidentEngineOf(t.ex.response.context()).drained();
}

async function incidents(query: string, token?: string): Promise<any[]> {
  const r = await t.api(`/ctia/incident/search?query=${encodeURIComponent(query)}&limit=100`, { token });
  assert.equal(r.status, 200, r.text);
  return r.body;
}

async function sightingsOf(id: string): Promise<any[]> {
  const r = await t.api(`/ctia/incident/${encodeURIComponent(id)}/sightings`);
  assert.equal(r.status, 200, r.text);
  return Array.isArray(r.body) ? r.body : r.body.data;
}

// A day back on an hour boundary: recent enough that the exchange's retention never prunes them.
const BASE = Math.floor(Date.now() / 3600_000) * 3600_000 - 86400_000;
const at = (min: number) => new Date(BASE + min * 60_000).toISOString();
const p1 = (src: string, dst: string, min: number, sid = 2024001) =>
  intrusion({ src_ip: src, dst_ip: dst, time: at(min), signature: { gid: 1, sid, message: `rule ${sid}`, priority: 1 } });

test('every org starts with the default rules; a rule of types alone is refused', async () => {
  const r = await t.api('/api/v1/incident-rules');
  assert.equal(r.status, 200);
  const names = (r.body.data as Array<{ name: string }>).map((x) => x.name);
  assert.ok(names.some((n) => /Priority 1/.test(n)));
  assert.ok(names.some((n) => /Malicious/.test(n)));
  const bad = await t.api('/api/v1/incident-rules', { method: 'POST', body: { name: 'all', match: { types: ['intrusion'] } } });
  assert.equal(bad.status, 400);
  assert.match(bad.body.message, /match/);
});

test('priority-1 events of one source, destination and signature join one incident; others open their own', async () => {
  await send([p1('10.1.1.1', '198.51.100.1', 0), p1('10.1.1.1', '198.51.100.1', 5), p1('10.1.1.1', '198.51.100.1', 9)]);
  await send([p1('10.1.1.1', '198.51.100.2', 10), intrusion({ src_ip: '10.1.1.1', dst_ip: '198.51.100.3', signature: { gid: 1, sid: 7, message: 'low', priority: 3 } })]);
  const open = await incidents('title:*198.51.100.1*');
  assert.equal(open.length, 1);
  const inc = open[0];
  assert.equal(inc.status, 'New');
  assert.equal(inc.severity, 'High');
  const ss = await sightingsOf(inc.id);
  assert.equal(ss.length, 1);
  assert.equal(ss[0].count, 3);
  assert.equal(ss[0].observed_time.start_time, at(0));
  assert.equal(ss[0].observed_time.end_time, at(9));
  assert.equal((await incidents('title:*198.51.100.2*')).length, 1);
  assert.equal((await incidents('title:*198.51.100.3*')).length, 0, 'priority 3 matches no default rule');
});

test('outside the rule\'s window, or after the incident was closed, the next event opens a new incident', async () => {
  const rule = await t.api('/api/v1/incident-rules', { method: 'POST', body: { name: 'sid 4242', match: { sids: [4242] }, group_window_seconds: 600, severity: 'Medium' } });
  assert.equal(rule.status, 201, rule.text);
  const ev = (min: number) => intrusion({ src_ip: '10.2.2.2', dst_ip: '192.0.2.42', time: at(min), signature: { gid: 1, sid: 4242, message: 'windowed', priority: 3 } });
  await send([ev(0), ev(5)]);
  await send([ev(30)]);
  let list = await incidents('title:windowed*');
  assert.equal(list.length, 2, 'the event 25 minutes later opened a second incident');
  assert.ok(list.every((i) => i.severity === 'Medium'));
  const counts = (await Promise.all(list.map((i) => sightingsOf(i.id)))).map((s) => s[0].count).sort();
  assert.deepEqual(counts, [1, 2]);
  // close the newer one; the next event in its window opens a third
  const later = (await Promise.all(list.map(async (i) => ({ i, s: await sightingsOf(i.id) })))).find((x) => x.s[0].count === 1)!.i;
  assert.equal((await t.api(`/ctia/incident/${encodeURIComponent(later.id)}/status`, { method: 'POST', body: { status: 'Closed' } })).status, 200);
  await send([ev(31)]);
  list = await incidents('title:windowed*');
  assert.equal(list.length, 3);
});

test('an event whose address a Malicious feed lists opens an incident by the feed rule', async () => {
  const file = join(feedDir, 'bad.txt');
  writeFileSync(file, '203.0.113.250\n');
  const m = await t.api('/iroh/iroh-int/module_instance', { method: 'POST', body: { kind: 'feed', name: 'incident feed', settings: { source: file, format: 'list' } } });
  assert.equal(m.status, 201, m.text);
  await send([intrusion({ src_ip: '10.3.3.3', dst_ip: '203.0.113.250', signature: { gid: 1, sid: 8, message: 'quiet rule', priority: 4 } })]);
  const list = await incidents('title:*203.0.113.250*');
  assert.equal(list.length, 1);
  assert.match(list[0].description, /Malicious/);
});

test('an analyst promotes an event, then a unique event, by hand', async () => {
  const e = intrusion({ src_ip: '10.4.4.4', dst_ip: '192.0.2.77', signature: { gid: 1, sid: 9, message: 'manual one', priority: 3 } });
  await send([e, { ...e, event_id: `${e.event_id}-b`, time: at(1) }, { ...e, event_id: `${e.event_id}-c`, time: at(2) }]);
  const stored = (await t.api('/api/v1/events?observable=192.0.2.77')).body.data as Array<{ id: string }>;
  assert.equal(stored.length, 3);
  const one = await t.api('/api/v1/incidents/promote', { method: 'POST', body: { event_id: stored[0]!.id, title: 'Look at this' } });
  assert.equal(one.status, 201, one.text);
  assert.equal(one.body.incident.title, 'Look at this');
  assert.equal(one.body.incident.status, 'New');
  assert.deepEqual(one.body.incident.assignees, ['client-test-admin']);
  const uniq = await t.api('/api/v1/incidents/promote', { method: 'POST', body: { unique: { type: 'intrusion', src_ip: '10.4.4.4', dst_ip: '192.0.2.77', gid: 1, sid: 9 } } });
  assert.equal(uniq.status, 201, uniq.text);
  const ss = await sightingsOf(uniq.body.incident.id);
  assert.equal(ss.length, 1);
  assert.equal(ss[0].count, 3);
  // into an existing incident
  const into = await t.api('/api/v1/incidents/promote', { method: 'POST', body: { event_id: stored[1]!.id, incident_id: one.body.incident.id } });
  assert.equal(into.status, 200, into.text);
  assert.equal(into.body.incident.id, one.body.incident.id);
  assert.equal((await t.api('/api/v1/incidents/promote', { method: 'POST', body: { event_id: 'ev-zzzz' } })).status, 404);
  assert.equal((await t.api('/api/v1/incidents/promote', { method: 'POST', body: {} })).status, 400);
  // a read-only client cannot
  const c = await t.api('/api/v1/clients', { method: 'POST', body: { name: 'ro', role: 'read-only' } });
  const ro = await t.token(c.body.client_id, c.body.client_secret);
  assert.equal((await t.api('/api/v1/incidents/promote', { method: 'POST', body: { event_id: stored[0]!.id }, token: ro })).status, 403);
});

test('a unique event of files is promoted with its own events only, known by the key the events API marks them with', async () => {
  const file = (hash: string, min: number, n: string): NormalizedEvent => ({
    event_id: `file-${hash.slice(0, 4)}-${n}`, type: 'file', time: at(min), src_ip: '10.8.8.8', dst_ip: '192.0.2.88',
    observables: { sha256: [hash] },
  });
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);
  await send([file(a, 1, '1'), file(a, 2, '2'), file(b, 3, '1')]);
  const uniques = (await t.api('/api/v1/events/unique?type=file&observable=192.0.2.88')).body.data as Array<{ key: string; count: number }>;
  assert.deepEqual(uniques.map((u) => u.count).sort(), [1, 2], 'two unique events between the same addresses');
  const events = (await t.api('/api/v1/events?type=file&observable=192.0.2.88')).body.data as Array<{ id: string; unique_key?: string; observables: { sha256: string[] } }>;
  assert.equal(events.length, 3);
  const twice = uniques.find((u) => u.count === 2)!;
  for (const e of events) assert.equal(e.unique_key === twice.key, e.observables.sha256[0] === a, 'unique_key names the unique event the event counts in');
  const one = await t.api(`/api/v1/events/${encodeURIComponent(events[0]!.id)}`);
  assert.equal(one.body.unique_key, events[0]!.unique_key);
  const r = await t.api('/api/v1/incidents/promote', { method: 'POST', body: { unique: { type: 'file', src_ip: '10.8.8.8', dst_ip: '192.0.2.88', gid: null, sid: null, key: twice.key } } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.events, 2, 'the two events of hash a, not the one of hash b');
  const none = await t.api('/api/v1/incidents/promote', { method: 'POST', body: { unique: { type: 'file', src_ip: '10.8.8.8', dst_ip: '192.0.2.88', key: 'no-such-key' } } });
  assert.equal(none.status, 404);
});

test('an investigation promoted: the incident holds its observables in a sighting of their own, and the org\'s events that name them', async () => {
  const quiet = (dst: string, sid: number, min: number) => intrusion({ src_ip: '10.6.6.6', dst_ip: dst, time: at(min), signature: { gid: 1, sid, message: `quiet ${sid}`, priority: 3 } });
  await send([quiet('192.0.2.66', 11, 1), quiet('192.0.2.66', 11, 2), quiet('192.0.2.67', 12, 3)]);
  const observables = [{ type: 'ip', value: '192.0.2.66' }, { type: 'domain', value: 'Never-Seen.example.org' }];
  const r = await t.api('/api/v1/incidents/promote', { method: 'POST', body: { observables, title: 'From Investigate', severity: 'High' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.events, 2, 'the two events naming 192.0.2.66, not the one of 192.0.2.67');
  const inc = r.body.incident;
  assert.deepEqual([inc.title, inc.severity, inc.status, inc.assignees], ['From Investigate', 'High', 'New', ['client-test-admin']]);
  assert.match(inc.description, /- ip: 192\.0\.2\.66\n- domain: never-seen\.example\.org/);
  const ss = await sightingsOf(inc.id);
  assert.equal(ss.length, 2, JSON.stringify(ss));
  const mine = ss.find((s) => s.source === 'threatlink investigate');
  assert.deepEqual(mine.observables, [{ type: 'ip', value: '192.0.2.66' }, { type: 'domain', value: 'never-seen.example.org' }]);
  const back = new URL(mine.source_uri);
  assert.equal(back.pathname, '/console/investigate');
  assert.equal(back.searchParams.get('q'), '192.0.2.66 never-seen.example.org');
  assert.equal(r.body.sighting_id, mine.id);
  const seen = ss.find((s) => s !== mine);
  assert.equal(seen.count, 2);
  assert.ok(seen.observables.some((o: any) => o.value === '192.0.2.66'));
  assert.match(seen.source_uri, /\/console\/events\/ev-/);

  // Nothing the sensors saw: the incident still holds the observables.
  const none = await t.api('/api/v1/incidents/promote', { method: 'POST', body: { observables: [{ type: 'domain', value: 'quiet.example.net' }] } });
  assert.equal(none.status, 201, none.text);
  assert.equal(none.body.events, 0);
  assert.equal(none.body.incident.title, 'Investigation: quiet.example.net');
  assert.equal(none.body.incident.severity, 'Medium');
  assert.deepEqual((await sightingsOf(none.body.incident.id)).map((s) => s.observables), [[{ type: 'domain', value: 'quiet.example.net' }]]);
  // Into an existing incident.
  const into = await t.api('/api/v1/incidents/promote', { method: 'POST', body: { observables: [{ type: 'ip', value: '192.0.2.67' }], incident_id: none.body.incident.id } });
  assert.equal(into.status, 200, into.text);
  assert.equal((await sightingsOf(none.body.incident.id)).length, 3);
  for (const body of [{ observables: [] }, { observables: [{ type: 'ip' }] }, { event_id: 'ev-1', observables }]) {
    assert.equal((await t.api('/api/v1/incidents/promote', { method: 'POST', body })).status, 400, JSON.stringify(body));
  }
});

test('another org sees none of it, and its rules do not touch this org', async () => {
  assert.deepEqual(await incidents('*', tokenB), []);
  const rulesB = await t.api('/api/v1/incident-rules', { token: tokenB });
  assert.ok(!(rulesB.body.data as Array<{ name: string }>).some((r) => r.name === 'sid 4242'));
  const mine = (await t.api('/api/v1/incident-rules')).body.data.find((r: { name: string }) => r.name === 'sid 4242');
  assert.equal((await t.api(`/api/v1/incident-rules/${mine.id}`, { method: 'DELETE', token: tokenB })).status, 404);
  const stored = (await t.api('/api/v1/events?observable=192.0.2.77')).body.data as Array<{ id: string }>;
  assert.equal((await t.api('/api/v1/incidents/promote', { method: 'POST', body: { event_id: stored[0]!.id }, token: tokenB })).status, 404);
  const rb = await t.api('/api/v1/incident-rules', { method: 'POST', token: tokenB, body: { name: 'B promotes priority 3', match: { priority_max: 3 } } });
  assert.equal(rb.status, 201);
  await send([intrusion({ src_ip: '10.5.5.5', dst_ip: '192.0.2.99', signature: { gid: 1, sid: 11, message: 'only B would', priority: 3 } })]);
  assert.equal((await incidents('title:*192.0.2.99*')).length, 0);
  assert.equal((await incidents('title:*192.0.2.99*', tokenB)).length, 0);
});

test('replaying every event (a cursor lost in a crash) neither opens an incident again nor counts an event twice', async () => {
  const rc = t.ex.response.context();
  const before = await incidents('*');
  const counts = async (list: any[]) => (await Promise.all(list.map((i) => sightingsOf(i.id)))).map((ss) => ss.map((x) => x.count).join(',')).sort();
  const countsBefore = await counts(before);
  await rc.stores.cursors.set(CURSOR, null);
  await incidentEngineOf(rc).drained();
  const after = await incidents('*');
  assert.equal(after.length, before.length);
  assert.deepEqual(await counts(after), countsBefore);
});

test('after a restart the engine goes on from where it was: no incident twice, none missed', async () => {
  const before = (await incidents('*')).length;
  sock.close();
  await t.close();
  t = await startTestExchange(t.dataDir, { feedFilesDir: feedDir });
  const dev = await enrollDevice(t, 'incident-sensor-2');
  sock = await DeviceSocket.connect(dev);
  await sock.hello();
  await incidentEngineOf(t.ex.response.context()).drained();
  assert.equal((await incidents('*')).length, before, 'nothing promoted twice');
  await send([p1('10.6.6.6', '198.51.100.66', 0)]);
  assert.equal((await incidents('*')).length, before + 1);
});
