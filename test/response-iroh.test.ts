// The CTR-compatible iroh API over a real exchange: profile and settings, inspect, module
// instances, enrich fan-out with a hanging and a failing module, the answer cache, rate
// limits, respond and trigger, the built-in exchange sightings, org isolation, and the bound on
// observables a request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestExchange, cleanup, enrollDevice, DeviceSocket, intrusion, type TestExchange } from './helpers/exchange.js';
import { startRelay, type RelayServer } from './helpers/relay-server.js';
import { createOrgWithAdmin } from '../src/exchange/orgs.js';
import { buildConfig } from '../src/exchange/config.js';

let t: TestExchange;
let tokenB: string;
const relays: RelayServer[] = [];
before(async () => {
  t = await startTestExchange();
  const b = await createOrgWithAdmin(t.ex.ctx.stores, 'org-b');
  tokenB = await t.token(b.clientId, b.clientSecret);
});
after(async () => {
  for (const r of relays) await r.close();
  await t.close();
  cleanup(t.dataDir);
});

async function relayInstance(name: string, url: string, extra: object = {}) {
  const r = await t.api('/iroh/iroh-int/module_instance', { method: 'POST', body: { kind: 'relay', name, url, auth: { type: 'none' }, ...extra } });
  assert.equal(r.status, 201, r.text);
  return r.body as { id: string };
}

test('whoami and settings answer a valid token; no token is refused', async () => {
  const w = await t.api('/iroh/profile/whoami');
  assert.equal(w.status, 200);
  assert.equal(w.body.user.role, 'admin');
  assert.ok(w.body.user['org-id']);
  assert.equal(w.body.org.id, w.body.user['org-id']);
  const s = await t.api('/iroh/iroh-enrich/settings');
  assert.equal(s.status, 200);
  assert.ok(s.body['module-instances'].some((m: { kind: string }) => m.kind === 'exchange-sightings'));
  const none = await t.api('/iroh/iroh-enrich/settings', { as: 'none' });
  assert.equal(none.status, 401);
});

test('GET /iroh/profile/org answers the caller\'s org, as whoami\'s org part; each org its own', async () => {
  const o = await t.api('/iroh/profile/org');
  assert.equal(o.status, 200, o.text);
  const w = await t.api('/iroh/profile/whoami');
  assert.deepEqual(o.body, w.body.org);
  assert.equal(o.body.id, w.body.user['org-id']);
  assert.equal(typeof o.body.name, 'string');
  assert.equal(o.body['enabled?'], true);
  const b = await t.api('/iroh/profile/org', { token: tokenB });
  assert.equal(b.status, 200, b.text);
  assert.equal(b.body.name, 'org-b');
  assert.notEqual(b.body.id, o.body.id);
  assert.equal((await t.api('/iroh/profile/org', { as: 'none' })).status, 401);
});

test('inspect refangs, deduplicates and skips the traps', async () => {
  const r = await t.api('/iroh/iroh-inspect/inspect', { method: 'POST', body: {
    content: 'Beacon to hxxps://evil[.]example[.]com/a.php from 10.0.0.5 and 10[.]0[.]0[.]5; see invoice.pdf, version 1.2.3.4.5',
  } });
  assert.equal(r.status, 200);
  const got = (r.body as Array<{ type: string; value: string }>).map((o) => `${o.type}:${o.value}`);
  assert.ok(got.includes('url:https://evil.example.com/a.php'), got.join(' '));
  assert.ok(got.includes('domain:evil.example.com'), got.join(' '));
  assert.equal(got.filter((x) => x === 'ip:10.0.0.5').length, 1);
  assert.ok(!got.some((x) => x.startsWith('domain:invoice.pdf')), got.join(' '));
  assert.ok(!got.some((x) => x === 'ip:1.2.3.4' || x === 'ip:2.3.4.5'), got.join(' '));
  for (const content of [5, null, ['a'], { a: 1 }]) {
    const notText = await t.api('/iroh/iroh-inspect/inspect', { method: 'POST', body: { content } });
    assert.equal(notText.status, 400, JSON.stringify(content));
    assert.match(notText.body.message, /content must be a string of text/);
  }
  const bad = await t.api('/iroh/iroh-inspect/inspect', { method: 'POST', body: { text: 'x' } });
  assert.equal(bad.status, 400);
  assert.match(bad.body.message, /content/);
});

test('module instances: validation names the field, secrets never come back, built-ins stay', async () => {
  const noUrl = await t.api('/iroh/iroh-int/module_instance', { method: 'POST', body: { kind: 'relay', name: 'x' } });
  assert.equal(noUrl.status, 400);
  assert.match(noUrl.body.message, /url/);
  const kind = await t.api('/iroh/iroh-int/module_instance', { method: 'POST', body: { kind: 'nope', name: 'x' } });
  assert.equal(kind.status, 400);
  assert.match(kind.body.message, /kind/);
  const m = await t.api('/iroh/iroh-int/module_instance', { method: 'POST', body: {
    kind: 'relay', name: 'secretive', url: 'http://127.0.0.1:9/', auth: { type: 'hs256', key: 'sup3r-secret' }, enabled: false,
  } });
  assert.equal(m.status, 201, m.text);
  assert.ok(!m.text.includes('sup3r-secret'));
  const list = await t.api('/iroh/iroh-int/module_instance');
  assert.ok(!list.text.includes('sup3r-secret'));
  const p = await t.api(`/iroh/iroh-int/module_instance/${m.body.id}`, { method: 'PATCH', body: { name: 'renamed' } });
  assert.equal(p.body.name, 'renamed');
  assert.equal((await t.api('/iroh/iroh-int/module_instance/builtin-exchange-sightings', { method: 'DELETE' })).status, 400);
  // org B neither sees nor touches it
  assert.equal((await t.api(`/iroh/iroh-int/module_instance/${m.body.id}`, { token: tokenB })).status, 404);
  assert.equal((await t.api(`/iroh/iroh-int/module_instance/${m.body.id}`, { token: tokenB, method: 'DELETE' })).status, 404);
  assert.ok(!(await t.api('/iroh/iroh-int/module_instance', { token: tokenB })).text.includes(m.body.id));
  assert.equal((await t.api(`/iroh/iroh-int/module_instance/${m.body.id}`, { method: 'DELETE' })).status, 204);
});

test('enrich: a hanging and a failing module do not hold up or spoil the others', async () => {
  const good = await startRelay('good', { delayMs: 50 });
  const hang = await startRelay('hang', { hang: true });
  const bad = await startRelay('bad', { fail: true });
  relays.push(good, hang, bad);
  const ids = [
    await relayInstance('good', good.url),
    await relayInstance('hang', hang.url, { timeout_ms: 1000 }),
    await relayInstance('bad', bad.url),
  ];
  const obs = [{ type: 'ip', value: '198.51.100.23' }, { type: 'domain', value: 'Bad.Example.COM' }];
  const t0 = Date.now();
  const r = await t.api('/iroh/iroh-enrich/observe/observables', { method: 'POST', body: obs });
  const took = Date.now() - t0;
  assert.equal(r.status, 200, r.text);
  assert.ok(took < 1000 + 1500, `answered after ${took} ms`);
  const goodData = r.body.data.find((d: { module: string }) => d.module === 'good');
  assert.equal(goodData.data.sightings.count, 2);
  assert.equal(goodData.module_instance_id, ids[0]!.id);
  // the domain reached the module normalized
  assert.ok(good.asked.some((a) => a.observables.some((o) => o.value === 'bad.example.com')));
  const errs = r.body.errors as Array<{ module: string; code: string; message: string }>;
  assert.equal(errs.find((e) => e.module === 'hang')?.code, 'timeout');
  const badErr = errs.find((e) => e.module === 'bad');
  assert.ok(badErr);
  assert.match(badErr.message, /cannot reach its backend/);
  for (const id of ids) await t.api(`/iroh/iroh-int/module_instance/${id.id}`, { method: 'DELETE' });
});

test('enrich answers come from the cache within the TTL; rate limits give an error, not a wait', async () => {
  const r1 = await startRelay('cached');
  relays.push(r1);
  const m = await relayInstance('cached', r1.url, { cache_ttl_seconds: 60, rate_limit_per_minute: 2 });
  const ask = (obs: object[]) => t.api('/iroh/iroh-enrich/deliberate/observables', { method: 'POST', body: obs });
  const a = await ask([{ type: 'ip', value: '192.0.2.1' }, { type: 'ip', value: '192.0.2.2' }]);
  assert.equal(a.body.data.find((d: { module: string }) => d.module === 'cached').data.verdicts.count, 2);
  const b = await ask([{ type: 'ip', value: '192.0.2.2' }]);
  assert.equal(b.body.data.find((d: { module: string }) => d.module === 'cached').data.verdicts.docs[0].observable.value, '192.0.2.2');
  assert.equal(r1.calls['/deliberate/observables'], 1, 'second ask served from the cache');
  // one fresh observable: a call, which is the second and last in this minute
  await ask([{ type: 'ip', value: '192.0.2.3' }]);
  assert.equal(r1.calls['/deliberate/observables'], 2);
  const limited = await ask([{ type: 'ip', value: '192.0.2.4' }]);
  assert.equal(limited.body.errors.find((e: { module: string }) => e.module === 'cached')?.code, 'rate_limited');
  await t.api(`/iroh/iroh-int/module_instance/${m.id}`, { method: 'DELETE' });
});

test('refer, respond and trigger go to the modules and come back tagged with the module', async () => {
  const r = await startRelay('acts');
  relays.push(r);
  const m = await relayInstance('acts', r.url);
  const obs = [{ type: 'ip', value: '203.0.113.99' }];
  const refer = await t.api('/iroh/iroh-enrich/refer/observables', { method: 'POST', body: obs });
  assert.ok(refer.body.data.some((l: { module: string; url: string }) => l.module === 'acts' && l.url.includes('203.0.113.99')));
  assert.ok(refer.body.data.some((l: { module_type_id: string }) => l.module_type_id === 'threatlink.exchange-sightings'));
  const acts = await t.api('/iroh/iroh-response/respond/observables', { method: 'POST', body: obs });
  const a = acts.body.data.find((x: { module_instance_id: string }) => x.module_instance_id === m.id);
  assert.equal(a.id, 'acts-isolate');
  assert.equal(a.module, 'acts', 'module is the instance name, as CTR clients expect');
  const q = new URLSearchParams(a['query-params']).toString();
  const trig = await t.api(`/iroh/iroh-response/respond/trigger/${a.module}/${a.id}?${q}`, { method: 'POST' });
  assert.equal(trig.status, 200, trig.text);
  assert.equal(trig.body.data.status, 'success');
  assert.equal(r.calls['/respond/trigger'], 1);
  // As curl sends it with -H content-type: application/json and no body: the query says it all.
  const bare = await t.api(`/iroh/iroh-response/respond/trigger/${a.module}/${a.id}?${q}`, { method: 'POST', headers: { 'content-type': 'application/json' } });
  assert.equal(bare.status, 200, bare.text);
  assert.equal(bare.body.data.status, 'success');
  // The types' case is CTIM's: "IP" is ip, sent once to the module and normalized like one.
  const before = r.asked.length;
  const mixed = await t.api('/iroh/iroh-enrich/observe/observables', { method: 'POST', body: [{ type: 'IP', value: '203.0.113.99' }, { type: 'ip', value: '203.0.113.99' }] });
  assert.equal(mixed.status, 200, mixed.text);
  assert.deepEqual(r.asked.slice(before).find((x) => x.path === '/observe/observables')?.observables, [{ type: 'ip', value: '203.0.113.99' }]);
  // CTR's own spelling of the module instance path, as the threatresponse client uses it.
  const ctr = await t.api('/iroh/iroh-int/module-instance');
  assert.equal(ctr.status, 200, ctr.text);
  assert.deepEqual(ctr.body.map((x: { id: string }) => x.id), (await t.api('/iroh/iroh-int/module_instance')).body.map((x: { id: string }) => x.id));
  assert.equal((await t.api(`/iroh/iroh-int/module-instance/${m.id}`)).body.name, 'acts');
  // org B cannot trigger org A's module
  const other = await t.api(`/iroh/iroh-response/respond/trigger/${a.module}/${a.id}?${q}`, { method: 'POST', token: tokenB });
  assert.equal(other.status, 404);
  await t.api(`/iroh/iroh-int/module_instance/${m.id}`, { method: 'DELETE' });
});

test('exchange sightings: stored events become sightings with counts, targets and relations', async () => {
  const dev = await enrollDevice(t, 'sight-sensor');
  const s = await DeviceSocket.connect(dev);
  await s.hello();
  const base = Math.floor(Date.now() / 60_000) * 60_000 - 86400_000; // within retention (30 days)
  const evs = [0, 1, 2].map((i) => intrusion({ src_ip: '10.9.9.9', dst_ip: '198.51.100.77', time: new Date(base + i * 60_000).toISOString(), observables: { domain: ['c2.example.net'] } }));
  evs.push(intrusion({ src_ip: '10.9.9.9', dst_ip: '198.51.100.77', signature: { gid: 1, sid: 999, message: 'other rule', priority: 3 } }));
  const ack = await s.sendBatch(1, evs);
  assert.equal(ack.accepted, 4);
  s.close();
  const r = await t.api('/iroh/iroh-enrich/observe/observables', { method: 'POST', body: [{ type: 'ip', value: '198.51.100.77' }] });
  const mine = r.body.data.find((d: { module_type_id: string }) => d.module_type_id === 'threatlink.exchange-sightings');
  const docs = mine.data.sightings.docs as any[];
  assert.equal(docs.length, 2);
  const beacon = docs.find((d) => d.title === 'ET MALWARE test beacon');
  assert.equal(beacon.count, 3);
  assert.equal(beacon.observed_time.start_time, new Date(base).toISOString());
  assert.equal(beacon.observed_time.end_time, new Date(base + 120_000).toISOString());
  assert.equal(beacon.severity, 'High');
  assert.equal(docs.find((d) => d.title === 'other rule').severity, 'Low');
  assert.deepEqual(beacon.targets.find((x: { type: string }) => x.type === 'endpoint').observables, [{ type: 'ip', value: '10.9.9.9' }]);
  assert.deepEqual(beacon.targets.find((x: { type: string }) => x.type === 'network.sensor').observables, [{ type: 'device', value: dev.deviceId }]);
  const rels = beacon.relations.map((x: any) => `${x.source.value} ${x.relation} ${x.related.value}`);
  assert.ok(rels.includes('10.9.9.9 Connected_To 198.51.100.77'), rels.join('; '));
  assert.ok(rels.includes('c2.example.net Resolved_To 198.51.100.77'), rels.join('; '));
  assert.match(beacon.source_uri, /\/console\/events\/ev-/);
  // by domain, too
  const byDomain = await t.api('/iroh/iroh-enrich/observe/observables', { method: 'POST', body: [{ type: 'domain', value: 'c2.example.net' }] });
  assert.equal(byDomain.body.data.find((d: { module_type_id: string }) => d.module_type_id === 'threatlink.exchange-sightings').data.sightings.count, 1);
  // org B's sightings module sees nothing of it
  const b = await t.api('/iroh/iroh-enrich/observe/observables', { method: 'POST', body: [{ type: 'ip', value: '198.51.100.77' }], token: tokenB });
  const bMine = b.body.data.find((d: { module_type_id: string }) => d.module_type_id === 'threatlink.exchange-sightings');
  assert.deepEqual(bMine.data, {});
});

test('health of every module, and of one', async () => {
  const all = await t.api('/iroh/iroh-enrich/health', { method: 'POST' });
  assert.equal(all.status, 200);
  assert.ok(all.body.data.some((d: { module_instance_id: string; data: { status: string } }) => d.module_instance_id === 'builtin-exchange-sightings' && d.data.status === 'ok'));
  const one = await t.api('/iroh/iroh-enrich/health/builtin-exchange-sightings', { method: 'POST' });
  assert.equal(one.body.data.length, 1);
  assert.equal((await t.api('/iroh/iroh-enrich/health/nope', { method: 'POST' })).status, 404);
});

test('read-only clients enrich but cannot trigger or configure', async () => {
  const c = await t.api('/api/v1/clients', { method: 'POST', body: { name: 'ro', role: 'read-only' } });
  const ro = await t.token(c.body.client_id, c.body.client_secret);
  assert.equal((await t.api('/iroh/iroh-enrich/observe/observables', { method: 'POST', body: [{ type: 'ip', value: '192.0.2.9' }], token: ro })).status, 200);
  assert.equal((await t.api('/iroh/iroh-int/module_instance', { method: 'POST', body: { kind: 'relay', name: 'x', url: 'http://127.0.0.1:9' }, token: ro })).status, 403);
  assert.equal((await t.api('/iroh/iroh-response/respond/trigger/x/y?observable_type=ip&observable_value=1.1.1.1', { method: 'POST', token: ro })).status, 403);
});

test('investigate: text in, a graph of observables, sightings, targets and verdicts out', async () => {
  const r = await startRelay('intel', { disposition: 2 });
  relays.push(r);
  const m = await relayInstance('intel', r.url);
  const dev = await enrollDevice(t, 'inv-sensor');
  const s = await DeviceSocket.connect(dev);
  await s.hello();
  await s.sendBatch(1, [intrusion({ src_ip: '10.4.4.4', dst_ip: '198.51.100.44', observables: { domain: ['inv.example.org'] } })]);
  s.close();
  const inv = await t.api('/api/v1/investigate', { method: 'POST', body: { content: 'saw 198.51.100[.]44 talk to inv[.]example[.]org' } });
  assert.equal(inv.status, 200, inv.text);
  const ids = new Set((inv.body.graph.nodes as Array<{ id: string }>).map((n) => n.id));
  assert.ok(ids.has('observable:ip:198.51.100.44'));
  assert.ok(ids.has('observable:domain:inv.example.org'));
  const kinds = new Set((inv.body.graph.nodes as Array<{ kind: string }>).map((n) => n.kind));
  for (const k of ['observable', 'target', 'sighting', 'verdict']) assert.ok(kinds.has(k), `no ${k} node`);
  for (const e of inv.body.graph.edges as Array<{ source: string; target: string }>) {
    assert.ok(ids.has(e.source) && ids.has(e.target), `dangling edge ${JSON.stringify(e)}`);
  }
  const edgeLabels = (inv.body.graph.edges as Array<{ label: string }>).map((e) => e.label);
  assert.ok(edgeLabels.includes('Connected_To'));
  const row = inv.body.tables.observables.find((o: { value: string }) => o.value === '198.51.100.44');
  assert.equal(row.verdict.disposition_name, 'Malicious');
  assert.ok(row.sightings >= 1);
  assert.ok(row.modules.includes('Exchange sightings'));
  assert.ok(inv.body.tables.refer.length >= 2);
  const both = await t.api('/api/v1/investigate', { method: 'POST', body: { content: 'x', observables: [] } });
  assert.equal(both.status, 400);
  await t.api(`/iroh/iroh-int/module_instance/${m.id}`, { method: 'DELETE' });
});

/** n distinct addresses, as observables and as free text. */
function manyIps(n: number) {
  const obs = Array.from({ length: n }, (_, i) => ({ type: 'ip', value: `198.18.${i >> 8}.${i & 255}` }));
  return { obs, text: obs.map((o) => o.value).join(' ') };
}

test('observables limit: over 1000 a request is refused with 400 naming the limit and the count, before any module is asked', async () => {
  const r = await startRelay('counted');
  relays.push(r);
  const m = await relayInstance('counted', r.url);
  const { obs, text } = manyIps(1001);
  const refused = (res: { status: number; body: any; text: string }, what: string, message: string) => {
    assert.equal(res.status, 400, `${what}: ${res.text.slice(0, 300)}`);
    assert.equal(res.body.error, 'too_many_observables', what);
    assert.equal(res.body.message, message, what);
  };
  for (const verb of ['observe', 'deliberate', 'refer']) {
    refused(await t.api(`/iroh/iroh-enrich/${verb}/observables`, { method: 'POST', body: obs }), verb, '1001 observables; at most 1000 a request');
  }
  refused(await t.api('/iroh/iroh-response/respond/observables', { method: 'POST', body: obs }), 'respond', '1001 observables; at most 1000 a request');
  refused(await t.api('/api/v1/investigate', { method: 'POST', body: { observables: obs } }), 'investigate observables', '1001 observables; at most 1000 a request');
  // By text: what inspect finds counts, and inspect stays a plain array or an error.
  const found = 'the content holds 1001 observables; at most 1000 a request';
  refused(await t.api('/iroh/iroh-inspect/inspect', { method: 'POST', body: { content: text } }), 'inspect', found);
  refused(await t.api('/api/v1/investigate', { method: 'POST', body: { content: text } }), 'investigate content', found);
  refused(await t.api('/api/v1/investigate', { method: 'POST', body: { content: text }, headers: { accept: 'application/x-ndjson' } }), 'investigate streamed', found);
  assert.deepEqual(r.calls, {}, 'no module was asked');
  // Unauthenticated callers learn nothing of the limit: auth comes first.
  assert.equal((await t.api('/iroh/iroh-enrich/observe/observables', { method: 'POST', body: obs, as: 'none' })).status, 401);
  // The limit itself is allowed.
  const atLimit = await t.api('/iroh/iroh-inspect/inspect', { method: 'POST', body: { content: manyIps(1000).text } });
  assert.equal(atLimit.status, 200, atLimit.text.slice(0, 300));
  assert.equal((atLimit.body as unknown[]).length, 1000);
  await t.api(`/iroh/iroh-int/module_instance/${m.id}`, { method: 'DELETE' });
});

test('observables limit: the server\'s maxObservables (up --max-observables, THREATLINK_MAX_OBSERVABLES) sets it', async () => {
  assert.equal(buildConfig({ dataDir: t.dataDir }, {}).maxObservables, 1000);
  assert.equal(buildConfig({ dataDir: t.dataDir }, { THREATLINK_MAX_OBSERVABLES: '250' }).maxObservables, 250);
  assert.equal(buildConfig({ dataDir: t.dataDir, maxObservables: 7 }, { THREATLINK_MAX_OBSERVABLES: '250' }).maxObservables, 7);
  for (const bad of ['0', '-1', '1.5', 'many']) {
    assert.throws(() => buildConfig({ dataDir: t.dataDir }, { THREATLINK_MAX_OBSERVABLES: bad }), /max observables: .* must be a whole number of at least 1/, bad);
  }
  const small = await startTestExchange(undefined, { maxObservables: 3 });
  try {
    const over = await small.api('/iroh/iroh-enrich/observe/observables', { method: 'POST', body: manyIps(4).obs });
    assert.equal(over.status, 400, over.text);
    assert.equal(over.body.message, '4 observables; at most 3 a request');
    const inspect = await small.api('/iroh/iroh-inspect/inspect', { method: 'POST', body: { content: manyIps(4).text } });
    assert.equal(inspect.status, 400, inspect.text);
    assert.equal(inspect.body.message, 'the content holds 4 observables; at most 3 a request');
    const ok = await small.api('/iroh/iroh-enrich/observe/observables', { method: 'POST', body: manyIps(3).obs });
    assert.equal(ok.status, 200, ok.text);
  } finally {
    await small.close();
    cleanup(small.dataDir);
  }
});

test('a relay module is asked only for the verbs it lists in settings.capabilities', async () => {
  const r = await startRelay('referer');
  relays.push(r);
  const bad = await t.api('/iroh/iroh-int/module_instance', { method: 'POST', body: { kind: 'relay', name: 'x', url: r.url, settings: { capabilities: ['observe', 'teleport'] } } });
  assert.equal(bad.status, 400);
  assert.match(bad.body.message, /settings\.capabilities/);
  const m = await relayInstance('referer', r.url, { settings: { capabilities: ['refer'] } });
  const obs = [{ type: 'domain', value: 'only-refer.example' }];
  const observe = await t.api('/iroh/iroh-enrich/observe/observables', { method: 'POST', body: obs });
  assert.ok(!observe.body.data.some((d: { module: string }) => d.module === 'referer'));
  assert.ok(!observe.body.errors.some((d: { module: string }) => d.module === 'referer'));
  assert.equal(r.calls['/observe/observables'], undefined);
  const refer = await t.api('/iroh/iroh-enrich/refer/observables', { method: 'POST', body: obs });
  assert.ok(refer.body.data.some((l: { module: string }) => l.module === 'referer'));
  await t.api(`/iroh/iroh-int/module_instance/${m.id}`, { method: 'DELETE' });
});

test('an analyst\'s judgement in CTIA reaches enrich and investigate through the private intelligence module', async () => {
  const j = await t.api('/ctia/judgement', { method: 'POST', body: {
    observable: { type: 'domain', value: 'marked.example.net' }, disposition: 2, source: 'analyst', priority: 95, confidence: 'High', severity: 'High',
  } });
  assert.equal(j.status, 201, j.text);
  const d = await t.api('/iroh/iroh-enrich/deliberate/observables', { method: 'POST', body: [{ type: 'domain', value: 'Marked.Example.NET' }] });
  const mine = d.body.data.find((x: { module_type_id: string }) => x.module_type_id === 'threatlink.private-intel');
  assert.equal(mine.data.verdicts.docs[0].disposition_name, 'Malicious');
  assert.equal(mine.data.verdicts.docs[0].judgement_id, j.body.id);
  const inv = await t.api('/api/v1/investigate', { method: 'POST', body: { content: 'look at marked[.]example[.]net' } });
  const row = inv.body.tables.observables.find((o: { value: string }) => o.value === 'marked.example.net');
  assert.equal(row.verdict.disposition_name, 'Malicious');
  assert.ok(row.modules.includes('Private intelligence'));
  // another org's enrich knows nothing of it
  const b = await t.api('/iroh/iroh-enrich/deliberate/observables', { method: 'POST', body: [{ type: 'domain', value: 'marked.example.net' }], token: tokenB });
  assert.deepEqual(b.body.data.find((x: { module_type_id: string }) => x.module_type_id === 'threatlink.private-intel').data, {});
});
