// The feed module kind: the four formats read from fixture files, a URL feed that refreshes
// and keeps its last good copy when the server fails, the copy saved for an offline restart,
// observe/deliberate answers in CTIM shape, and events tagged at ingest by the feeds that list
// their addresses and observables.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { startTestExchange, cleanup, enrollDevice, DeviceSocket, intrusion, tmpDir, type TestExchange } from './helpers/exchange.js';
import type { ResponseContext } from '../src/response/context.js';
import type { ModuleInstance } from '../src/response/module.js';
import { FanOut } from '../src/response/enrich/fanout.js';
import { ModuleConfigError } from '../src/response/modules/kind.js';
import { feedKind } from '../src/response/modules/feeds/index.js';
import { FeedModule } from '../src/response/modules/feeds/module.js';
import { FeedIndex, feedIndexOf } from '../src/response/modules/feeds/match-index.js';
import { syncFeeds } from '../src/response/modules/feeds/part.js';
import { parseFeedSettings } from '../src/response/modules/feeds/settings.js';
import { parseSnapshot } from '../src/response/modules/feeds/parse.js';
import { FEED_FILE, snapshotDir, type Snapshot } from '../src/response/modules/feeds/snapshot.js';
import { MANIFEST } from '../src/response/modules/feeds/formats/misp.js';
import { fetchFeed } from '../src/response/modules/feeds/fetch.js';
import type { Judgement, Verdict } from '../src/ctim/index.js';

// The server reads feed files only from its feed files directory: the fixtures are copied there.
const FEED_FILES = tmpDir('tl-feed-files-');
cpSync(fileURLToPath(new URL('./fixtures/feeds/', import.meta.url)), FEED_FILES, { recursive: true });
const fixture = (name: string) => join(FEED_FILES, name);

let t: TestExchange;
let rc: ResponseContext;
let orgId: string;
const servers: Server[] = [];
const made: ModuleInstance[] = [];

before(async () => {
  t = await startTestExchange(undefined, { feedFilesDir: FEED_FILES });
  rc = t.ex.response.context();
  orgId = (await t.api('/iroh/profile/whoami')).body.user['org-id'];
});
after(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  await t.close();
  cleanup(t.dataDir);
  cleanup(FEED_FILES);
});

function feedInstance(name: string, settings: Record<string, unknown>): ModuleInstance {
  const now = new Date().toISOString();
  return {
    id: `module-instance-${randomUUID()}`, org_id: orgId, kind: 'feed', name, enabled: true, settings,
    timeout_ms: 15_000, concurrency: 32, rate_limit_per_minute: 0, cache_ttl_seconds: 0, created_at: now, updated_at: now,
  };
}

/** Stores a feed instance the way the instance API will, and waits until it has loaded. */
async function addFeed(name: string, settings: Record<string, unknown>): Promise<{ m: ModuleInstance; mod: FeedModule }> {
  const m = feedInstance(name, settings);
  rc.modules.validate(m);
  await rc.stores.modules.create(m);
  made.push(m);
  await rc.modules.forget(orgId, m.id);
  await syncFeeds(rc, orgId);
  const mod = await rc.modules.module(orgId, m.id);
  assert.ok(mod instanceof FeedModule, 'a live feed module');
  await mod.ready;
  return { m, mod };
}

/** Deletes every feed the tests made so far: their indicators must not tag later events. */
async function removeFeeds(): Promise<void> {
  for (const m of made.splice(0)) {
    await rc.stores.modules.delete(orgId, m.id);
    await rc.modules.forget(orgId, m.id);
  }
  await syncFeeds(rc, orgId);
}

const fanout = () => new FanOut((m) => rc.modules.typeId(m.instance));

/** Asks one feed instance through the enrich fan-out, as the iroh API does. */
async function ask(verb: 'observe' | 'deliberate', instanceId: string, observables: Array<{ type: string; value: string }>) {
  const mods = (await rc.modules.modules(orgId)).filter((m) => m.instance.id === instanceId);
  const r = await fanout().run(verb, mods, observables, orgId);
  assert.deepEqual(r.errors, []);
  assert.equal(r.answers.length, 1);
  const data = r.answers[0]!.data as { judgements?: { count: number; docs: Judgement[] }; verdicts?: { count: number; docs: Verdict[] } };
  return { ref: r.answers[0]!.ref, judgements: data.judgements?.docs ?? [], verdicts: data.verdicts?.docs ?? [] };
}

const listed = async (instanceId: string, o: { type: string; value: string }) =>
  (await ask('deliberate', instanceId, [o])).verdicts.length === 1;

async function waitFor(what: string, f: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function snapshotOf(format: Snapshot['format'], files: Record<string, string>): Snapshot {
  return { source: '/feeds/x', format, fetched_at: new Date().toISOString(), files };
}
const keys = (format: Snapshot['format'], files: Record<string, string>, settings: Record<string, unknown> = {}) =>
  [...parseSnapshot(parseFeedSettings({ settings: { source: '/feeds/x', format, ...settings } }), snapshotOf(format, files)).indicators.keys()].sort();

test('settings: validation names the field; defaults and disposition names', () => {
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ format: 'list' }, /^settings\.source/],
    [{ source: 'feeds/list.txt', format: 'list' }, /^settings\.source: .*absolute/],
    [{ source: 'ftp://example.com/feed', format: 'list' }, /^settings\.source/],
    [{ source: '/x', format: 'yaml' }, /^settings\.format/],
    [{ source: '/x', format: 'list', disposition: 'evil' }, /^settings\.disposition/],
    [{ source: '/x', format: 'list', refresh_seconds: 0 }, /^settings\.refresh_seconds/],
    [{ source: '/x', format: 'list', priority: 101 }, /^settings\.priority/],
    [{ source: '/x', format: 'list', confidence: 'Very' }, /^settings\.confidence/],
    [{ source: '/x', format: 'list', observable_type: 'ipv4' }, /^settings\.observable_type/],
    [{ source: '/x', format: 'csv', column: 'indicator', header: false }, /^settings\.header/],
  ];
  for (const [settings, re] of bad) {
    assert.throws(() => feedKind.validate!(feedInstance('x', settings), { feedFilesDir: '/' } as ResponseContext), (e: unknown) => e instanceof ModuleConfigError && re.test(e.message), JSON.stringify(settings));
  }
  const d = parseFeedSettings({ settings: { source: 'https://feeds.example.com/ips.txt', format: 'list' } });
  assert.deepEqual(
    [d.refreshMs, d.disposition, d.ttlMs, d.priority, d.confidence, d.severity],
    [3_600_000, 2, 7 * 86_400_000, 90, 'High', 'High'],
  );
  assert.equal(parseFeedSettings({ settings: { source: '/x', format: 'list', disposition: 'suspicious' } }).disposition, 3);
  assert.equal(parseFeedSettings({ settings: { source: '/x', format: 'list', disposition: 4 } }).disposition, 4);
  assert.equal(parseFeedSettings({ settings: { source: pathToFileURL('/srv/feed.txt').href, format: 'list' } }).source, '/srv/feed.txt');
  // The manager accepts the kind (it is registered) and refuses a bad one by field too.
  assert.throws(() => rc.modules.validate(feedInstance('x', { format: 'list' })), /settings\.source/);
});

test('formats: list, csv, MISP and STIX 2.1 read into canonical observables', () => {
  assert.deepEqual(keys('list', { [FEED_FILE]: readFileSync(fixture('list.txt'), 'utf8') }), [
    'domain:evil.feed-list.example.com',
    'ip:192.0.2.0/24',
    'ip:198.51.100.23',
    'ipv6:2001:db8::bad',
    'md5:44d88612fea8a8f36de82e1278abb02f',
    'url:http://bad.feed-list.example.org/payload.exe?id=1,2',
  ]);
  // Typed: every line is read as that type, and what is not one is skipped.
  assert.deepEqual(keys('list', { [FEED_FILE]: 'Evil.Example.com\n198.51.100.1\n' }, { observable_type: 'domain' }), ['domain:evil.example.com']);
  const csv = readFileSync(fixture('indicators.csv'), 'utf8');
  const byName = keys('csv', { [FEED_FILE]: csv }, { column: 'indicator', type_column: 'kind' });
  assert.deepEqual(byName, [
    'domain:phish.csv-feed.example.net',
    'ip:203.0.113.99',
    'sha1:3395856ce81f2b7382dee72602f798b642f14140',
    'url:https://csv-feed.example.net/login#form',
  ]);
  assert.deepEqual(keys('csv', { [FEED_FILE]: csv }, { column: 0, header: true }), byName, 'by position, types detected');
  const misp: Record<string, string> = { [MANIFEST]: readFileSync(fixture('misp/manifest.json'), 'utf8') };
  for (const u of Object.keys(JSON.parse(misp[MANIFEST]!))) misp[`${u}.json`] = readFileSync(fixture(`misp/${u}.json`), 'utf8');
  assert.deepEqual(keys('misp', misp), [
    'domain:emotet.misp-feed.example.com',
    'domain:login.phish.misp-feed.example.com',
    'email:billing@misp-feed.example.com',
    // filename|md5 lists the hash alone: the name would mark every file called invoice.doc.
    'ip:192.0.2.66',
    'ip:192.0.2.67',
    'ip:192.0.2.68',
    'ipv6:2001:db8::66',
    'md5:9e107d9d372bb6826bd81d3542a419d6',
    'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b856',
  ]);
  assert.ok(keys('misp', misp, { to_ids_only: false }).includes('ip:192.0.2.70'), 'attributes not for detection, on request');
  const stix = parseSnapshot(parseFeedSettings({ settings: { source: '/x', format: 'stix2' } }),
    snapshotOf('stix2', { [FEED_FILE]: readFileSync(fixture('stix2-bundle.json'), 'utf8') }));
  assert.deepEqual([...stix.indicators.keys()].sort(), [
    'domain:stix-feed.example.com',
    'ip:198.51.100.150',
    'ip:198.51.100.151', // expired: kept, but never matches (below)
    'ip:198.51.100.152', // not valid yet: likewise
    'ip:198.51.100.157', // the newest version of an indicator replaces the older one (…156)
    'ipv6:2001:db8::150',
    'md5:0cc175b9c0f1b6a831c399e269772661',
    'sha1:86f7e437faa5a7fce15d1ddcb9eaeaea377667b8',
    'sha256:aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f',
    'url:http://stix-feed.example.com/login.php',
  ]);
  assert.equal(stix.indicators.get('ip:198.51.100.151')!.validUntil, Date.parse('2023-06-01T00:00:00Z'));
  // AND pattern, revoked, sigma: nothing from them.
  assert.equal(stix.skipped, 3);
  // Malformed content is an error (the refresh keeps the last good copy), not an empty feed.
  assert.throws(() => keys('stix2', { [FEED_FILE]: '{"type":"bundle"}' }), /objects/);
  assert.throws(() => keys('list', { [FEED_FILE]: '<html><body>Maintenance</body></html>\n' }), /no observable/);
  assert.deepEqual(keys('list', { [FEED_FILE]: '# nothing listed today\n' }), []);
});

test('ranges: MISP and STIX CIDR values are ranges, host bits cleared; too wide a range is refused; every feed whose range holds an address tags it', () => {
  const event = (attrs: Array<[string, string]>) => JSON.stringify({ Event: { info: 'ranges', Attribute: attrs.map(([type, value]) => ({ type, value, to_ids: true })) } });
  assert.deepEqual(keys('misp', { [MANIFEST]: '{}', 'e.json': event([['ip-dst', '198.18.64.0/19'], ['ip-src', '2001:DB8:BEEF::/48'], ['ip-dst', '203.0.113.7/24'], ['ip-dst', '0.0.0.0/0'], ['ip-dst', '192.0.2.9/32']]) }), [
    'ip:192.0.2.9', 'ip:198.18.64.0/19', 'ip:203.0.113.0/24', 'ipv6:2001:db8:beef::/48',
  ]);
  const bundle = JSON.stringify({ type: 'bundle', objects: [
    { type: 'indicator', id: 'indicator--1', pattern: "[ipv4-addr:value = '198.18.200.0/24' OR ipv6-addr:value = '2001:db8:cafe::/64']", pattern_type: 'stix' },
  ] });
  assert.deepEqual(keys('stix2', { [FEED_FILE]: bundle }), ['ip:198.18.200.0/24', 'ipv6:2001:db8:cafe::/64']);

  const index = new FeedIndex();
  const owner = (name: string) => ({ orgId: 'org-r', instanceId: name, tags: [`feed:${name}`] });
  const wide = owner('wide');
  const narrow = owner('narrow');
  const ind = (value: string, type = 'ip') => [`${type}:${value}`, { type, value }] as [string, { type: 'ip'; value: string }];
  index.replace(wide, new Map([ind('10.0.0.0/8')]));
  index.replace(narrow, new Map([ind('10.1.0.0/16'), ind('10.1.2.3')]));
  const tags = (type: string, value: string) => { const out = new Set<string>(); index.tagsFor('org-r', type, value, Date.now(), out); return [...out].sort(); };
  assert.deepEqual(tags('ip', '10.1.2.3'), ['feed:narrow', 'feed:wide']);
  assert.deepEqual(tags('ip', '10.200.0.1'), ['feed:wide']);
  assert.deepEqual(tags('ipv6', '::ffff:10.1.9.9'), ['feed:narrow', 'feed:wide'], 'an IPv4-mapped address is the IPv4 address');
  assert.deepEqual(tags('ip', '11.0.0.1'), []);
  index.replace(wide, new Map());
  assert.deepEqual(tags('ip', '10.200.0.1'), []);
  index.remove(narrow);
  assert.equal(index.has('org-r'), false);
});

test('observe and deliberate: judgements and verdicts in CTIM shape from a file feed', async () => {
  const { m, mod } = await addFeed('Test blocklist', { source: fixture('list.txt'), format: 'list', ttl_seconds: 3600, priority: 80, confidence: 'medium' });
  const before = Date.now();
  const o = await ask('observe', m.id, [
    { type: 'ip', value: '198.51.100.23' },
    { type: 'domain', value: 'Evil.Feed-List.Example.com' },
    { type: 'ip', value: '198.51.100.24' },
  ]);
  assert.equal(o.ref.module_type_id, 'threatlink.feed');
  assert.equal(o.ref.module, 'Test blocklist');
  assert.equal(o.judgements.length, 2);
  const j = o.judgements.find((x) => x.observable.value === '198.51.100.23')!;
  assert.equal(j.type, 'judgement');
  assert.match(j.id, /^transient:judgement-[0-9a-f]{32}$/);
  assert.ok(j.schema_version);
  assert.equal(j.source, 'Test blocklist');
  assert.equal(j.source_uri, pathToFileURL(fixture('list.txt')).href);
  assert.deepEqual(j.observable, { type: 'ip', value: '198.51.100.23' });
  assert.equal(j.disposition, 2);
  assert.equal(j.disposition_name, 'Malicious');
  assert.equal(j.priority, 80);
  assert.equal(j.confidence, 'Medium');
  assert.equal(j.severity, 'High');
  const start = Date.parse(j.valid_time.start_time!);
  const end = Date.parse(j.valid_time.end_time!);
  assert.ok(start >= before - 1000 && start <= Date.now(), j.valid_time.start_time);
  assert.equal(end - start, 3600_000);
  // The observable is named as it was asked.
  assert.ok(o.judgements.some((x) => x.observable.value === 'Evil.Feed-List.Example.com'));
  assert.equal(o.verdicts.length, 2);
  const v = o.verdicts.find((x) => x.observable.value === '198.51.100.23')!;
  assert.deepEqual(v, {
    type: 'verdict', disposition: 2, disposition_name: 'Malicious', observable: { type: 'ip', value: '198.51.100.23' },
    valid_time: j.valid_time, judgement_id: j.id,
  });
  // The same listing is the same judgement id each time.
  assert.equal((await ask('observe', m.id, [{ type: 'ip', value: '198.51.100.23' }])).judgements[0]!.id, j.id);
  const d = await ask('deliberate', m.id, [{ type: 'ip', value: '198.51.100.23' }, { type: 'url', value: 'http://bad.feed-list.example.org/payload.exe?id=1,2' }]);
  assert.equal(d.judgements.length, 0, 'deliberate answers verdicts only');
  assert.deepEqual(d.verdicts.map((x) => x.observable.type).sort(), ['ip', 'url']);
  // Nothing listed: an empty answer.
  const none = await ask('observe', m.id, [{ type: 'ip', value: '203.0.113.1' }]);
  assert.deepEqual([none.judgements.length, none.verdicts.length], [0, 0]);
  const h = await mod.health({ orgId, signal: new AbortController().signal });
  assert.equal(h.status, 'ok');
  assert.equal(h.indicators, 6);
  assert.equal(h.last_error, null);
  assert.ok(Date.parse(h.last_refresh as string) <= Date.now());
});

test('csv, MISP and STIX feeds answer through the fan-out; STIX validity is honoured', async () => {
  const csv = await addFeed('Partner CSV', { source: fixture('indicators.csv'), format: 'csv', column: 'indicator', type_column: 'kind', disposition: 'Suspicious' });
  const c = await ask('observe', csv.m.id, [{ type: 'domain', value: 'phish.csv-feed.example.net' }]);
  assert.equal(c.judgements[0]!.disposition, 3);
  assert.equal(c.verdicts[0]!.disposition_name, 'Suspicious');

  const misp = await addFeed('MISP test', { source: fixture('misp'), format: 'misp' });
  const mo = await ask('observe', misp.m.id, [
    { type: 'ip', value: '192.0.2.67' },
    { type: 'hostname', value: 'login.phish.misp-feed.example.com' },
    { type: 'ip', value: '192.0.2.70' },
    { type: 'md5', value: '9E107D9D372BB6826BD81D3542A419D6' },
  ]);
  assert.deepEqual(mo.judgements.map((j) => j.observable.value).sort(), ['192.0.2.67', '9E107D9D372BB6826BD81D3542A419D6', 'login.phish.misp-feed.example.com']);
  assert.match(mo.judgements.find((j) => j.observable.value === '192.0.2.67')!.reason!, /Emotet epoch 5/);

  const stix = await addFeed('STIX test', { source: fixture('stix2-bundle.json'), format: 'stix2' });
  const yes = [
    { type: 'ip', value: '198.51.100.150' }, { type: 'domain', value: 'stix-feed.example.com' },
    { type: 'url', value: 'http://stix-feed.example.com/login.php' }, { type: 'ipv6', value: '2001:db8::150' },
    { type: 'sha256', value: 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' },
    { type: 'md5', value: '0cc175b9c0f1b6a831c399e269772661' }, { type: 'sha1', value: '86f7e437faa5a7fce15d1ddcb9eaeaea377667b8' },
    { type: 'ip', value: '198.51.100.157' },
  ];
  for (const o of yes) assert.ok(await listed(stix.m.id, o), `${o.type}:${o.value} is listed`);
  for (const ip of ['151', '152', '153', '154', '155', '156']) {
    assert.equal(await listed(stix.m.id, { type: 'ip', value: `198.51.100.${ip}` }), false, `198.51.100.${ip} is not`);
  }
  // Health tells the ones listed from the ones that match now: .151 expired, .152 not yet valid.
  const h = await stix.mod.health({ orgId, signal: new AbortController().signal });
  assert.deepEqual([h.indicators, h.indicators_active, h.expired, h.not_yet_valid], [10, 8, 1, 1]);
});

test('a URL feed refreshes, keeps the last good copy when the server fails, and restarts from its saved copy', async () => {
  let body = '198.51.100.201\n';
  let status = 200;
  let requests = 0;
  const srv = createServer((_req, res) => {
    requests++;
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/feeds/ips.txt`;
  const { m, mod } = await addFeed('Remote list', { source: url, format: 'list', refresh_seconds: 1 });
  const health = () => mod.health({ orgId, signal: new AbortController().signal });
  assert.ok(await listed(m.id, { type: 'ip', value: '198.51.100.201' }));
  assert.equal((await ask('observe', m.id, [{ type: 'ip', value: '198.51.100.201' }])).judgements[0]!.source_uri, url);

  body = '198.51.100.201\n198.51.100.202\n';
  await waitFor('the new indicator', () => listed(m.id, { type: 'ip', value: '198.51.100.202' }));
  assert.equal((await health()).indicators, 2);

  // The server breaks: an error status, then an HTML page with status 200.
  status = 503;
  body = 'down for maintenance';
  await waitFor('the failure in health', async () => ((await health()).last_error as { message?: string } | null)?.message?.includes('503') === true);
  assert.ok(await listed(m.id, { type: 'ip', value: '198.51.100.202' }), 'the last good copy still answers');
  assert.equal((await health()).indicators, 2);
  status = 200;
  body = '<html><body>Maintenance</body></html>\n';
  await waitFor('the bad content in health', async () => ((await health()).last_error as { message?: string } | null)?.message?.includes('no observable') === true);
  assert.ok(await listed(m.id, { type: 'ip', value: '198.51.100.201' }));

  // Recovers on the next good answer.
  body = '198.51.100.203\n';
  await waitFor('recovery', async () => (await health()).last_error === null && (await listed(m.id, { type: 'ip', value: '198.51.100.203' })));
  assert.equal(await listed(m.id, { type: 'ip', value: '198.51.100.201' }), false, 'no longer listed');

  // The content is saved; with the server gone a fresh module of the same instance starts from it.
  const dir = snapshotDir(t.dataDir, orgId, m.id);
  assert.ok(existsSync(join(dir, 'snapshot.json')));
  await new Promise((r) => srv.close(r));
  servers.splice(servers.indexOf(srv), 1);
  await rc.modules.forget(orgId, m.id);
  const seen = requests;
  const offline = new FeedModule(m, rc, new FeedIndex());
  try {
    await offline.ready;
    const o = await offline.observe([{ type: 'ip', value: '198.51.100.203' }], { orgId, signal: new AbortController().signal });
    assert.equal(o.verdicts?.docs[0]?.disposition, 2);
    await waitFor('the offline error', async () => (await offline.health({ orgId, signal: new AbortController().signal })).last_error !== null);
    const h = await offline.health({ orgId, signal: new AbortController().signal });
    assert.equal(h.indicators, 1);
    assert.ok(h.last_refresh, 'the saved copy says when it was fetched');
    assert.equal(requests, seen, 'the server is gone');
  } finally {
    await offline.close();
  }
});

test('ingest: events whose addresses or observables a feed lists are stored with its tags', async () => {
  await removeFeeds();
  const malicious = await addFeed('Ingest blocklist', { source: fixture('list.txt'), format: 'list' });
  const suspicious = await addFeed('Ingest watchlist', { source: fixture('indicators.csv'), format: 'csv', column: 'indicator', disposition: 'suspicious' });
  const dev = await enrollDevice(t, 'feed-sensor');
  const s = await DeviceSocket.connect(dev);
  await s.hello();
  const both = intrusion({ src_ip: '203.0.113.99', dst_ip: '198.51.100.23', observables: {} });
  const byDomain = intrusion({ src_ip: '10.0.0.9', dst_ip: '100.64.0.200', observables: { domain: ['EVIL.feed-list.example.com'] } });
  const byIpv6 = intrusion({ src_ip: '2001:db8::1', dst_ip: '2001:0db8:0000:0000:0000:0000:0000:0bad', observables: {} });
  const clean = intrusion({ src_ip: '10.0.0.9', dst_ip: '100.64.0.201', observables: { domain: ['fine.example.org'] } });
  const ack = await s.sendBatch(1, [both, byDomain, byIpv6, clean]);
  assert.equal(ack.type === 'ack' && ack.accepted, 4);

  const stored = async (e: { event_id: string; dst_ip?: string }) => {
    const r = await t.api(`/api/v1/events?observable=${encodeURIComponent(e.dst_ip!)}&limit=100`);
    assert.equal(r.status, 200, r.text);
    return (r.body.data as Array<{ event_id: string; tags?: string[] }>).find((x) => x.event_id === e.event_id)!;
  };
  assert.deepEqual((await stored(both)).tags?.sort(), [
    'disposition:Malicious', 'disposition:Suspicious', 'feed:Ingest blocklist', 'feed:Ingest watchlist',
  ]);
  assert.deepEqual((await stored(byDomain)).tags?.sort(), ['disposition:Malicious', 'feed:Ingest blocklist']);
  assert.deepEqual((await stored(byIpv6)).tags?.sort(), ['disposition:Malicious', 'feed:Ingest blocklist']);
  const plain = await stored(clean);
  assert.ok(plain, 'the clean event is stored');
  assert.equal(Object.hasOwn(plain, 'tags'), false);

  // A device cannot tag its own events.
  const forged = await s.sendBatch(2, [{ ...intrusion(), tags: ['feed:forged'] }]);
  assert.equal(forged.type === 'ack' && forged.accepted, 0);

  // A feed instance that goes away stops tagging once the feeds are synced.
  await rc.stores.modules.delete(orgId, malicious.m.id);
  await rc.modules.forget(orgId, malicious.m.id);
  await syncFeeds(rc, orgId);
  const after = intrusion({ src_ip: '10.0.0.9', dst_ip: '198.51.100.23', observables: {} });
  await s.sendBatch(3, [after]);
  assert.equal(Object.hasOwn(await stored(after), 'tags'), false);
  assert.ok(suspicious.mod, 'the other feed stays');
  s.close();
});

/** Serves a directory of fixtures over HTTP, counting requests by path. */
async function serveDir(dir: string, over: Record<string, string> = {}) {
  const hits: string[] = [];
  const srv = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url!, 'http://x').pathname.replace(/^\/misp\//, ''));
    hits.push(name);
    const text = over[name] ?? (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : null);
    res.writeHead(text === null ? 404 : 200, { 'content-type': 'application/json' });
    res.end(text ?? '');
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { srv, hits, url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/misp/` };
}

test('a MISP feed over HTTP: a refresh fetches only the events whose timestamp changed', async () => {
  const manifest = JSON.parse(readFileSync(fixture('misp/manifest.json'), 'utf8')) as Record<string, { timestamp: string }>;
  const over: Record<string, string> = {};
  const { hits, url } = await serveDir(fixture('misp'), over);
  const s = parseFeedSettings({ settings: { source: `${url}manifest.json`, format: 'misp' } });
  const first = await fetchFeed(s, null, new AbortController().signal, FEED_FILES);
  assert.equal(hits.length, 3);
  assert.equal(Object.keys(first.files).length, 3);
  const [changed] = Object.keys(manifest);
  manifest[changed!]!.timestamp = String(Number(manifest[changed!]!.timestamp) + 60);
  over[MANIFEST] = JSON.stringify(manifest);
  hits.length = 0;
  const second = await fetchFeed(s, first, new AbortController().signal, FEED_FILES);
  assert.deepEqual(hits.sort(), [MANIFEST, `${changed}.json`].sort());
  assert.deepEqual(Object.keys(second.files).sort(), Object.keys(first.files).sort());
  // A missing event file fails the fetch (the module then keeps its last good copy).
  over[MANIFEST] = JSON.stringify({ ...manifest, '00000000-0000-4000-8000-0000000000ff': { timestamp: '1' } });
  await assert.rejects(fetchFeed(s, second, new AbortController().signal, FEED_FILES), /HTTP 404/);
});

test('after a restart with the feed server gone, the saved copy still tags events', async () => {
  await removeFeeds();
  const srv = createServer((_req, res) => res.end('198.51.100.210\n'));
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { m } = await addFeed('Restart feed', { source: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/ips.txt`, format: 'list' });
  await new Promise((r) => srv.close(r));
  servers.splice(servers.indexOf(srv), 1);
  await t.close();

  t = await startTestExchange(t.dataDir, { feedFilesDir: FEED_FILES });
  rc = t.ex.response.context();
  // Loaded by the part at start, from disk, before the server took any event.
  assert.ok(feedIndexOf(rc).instances(orgId).includes(m.id), 'the part built the feed at start');
  assert.equal(feedIndexOf(rc).has(orgId), true);
  const mod = await rc.modules.module(orgId, m.id);
  assert.ok(mod instanceof FeedModule);
  assert.equal(await mod.restored, true);
  const dev = await enrollDevice(t, 'restart-sensor');
  const s = await DeviceSocket.connect(dev);
  await s.hello();
  const e = intrusion({ src_ip: '10.0.0.9', dst_ip: '198.51.100.210', observables: {} });
  await s.sendBatch(1, [e]);
  const r = await t.api(`/api/v1/events?observable=198.51.100.210&limit=10`);
  const got = (r.body.data as Array<{ event_id: string; tags?: string[] }>).find((x) => x.event_id === e.event_id);
  assert.deepEqual(got?.tags, ['feed:Restart feed', 'disposition:Malicious']);
  await waitFor('the refresh failure', async () => (await mod.health!({ orgId, signal: new AbortController().signal })).last_error !== null);
  s.close();
});

test('a feed created through the instance API tags events at once; deleting it stops at once', async () => {
  await removeFeeds();
  const created = await t.api('/iroh/iroh-int/module_instance', { method: 'POST', body: {
    kind: 'feed', name: 'API feed', settings: { source: fixture('list.txt'), format: 'list' },
  } });
  assert.equal(created.status, 201, created.text);
  const dev = await enrollDevice(t, 'api-feed-sensor');
  const s = await DeviceSocket.connect(dev);
  await s.hello();
  const hit = intrusion({ src_ip: '10.0.0.10', dst_ip: '198.51.100.23', observables: {} });
  await s.sendBatch(1, [hit]);
  const find = async (e: { event_id: string }) => {
    const r = await t.api('/api/v1/events?observable=198.51.100.23&limit=200');
    return (r.body.data as Array<{ event_id: string; tags?: string[] }>).find((x) => x.event_id === e.event_id)!;
  };
  assert.deepEqual((await find(hit)).tags?.sort(), ['disposition:Malicious', 'feed:API feed']);
  assert.equal((await t.api(`/iroh/iroh-int/module_instance/${created.body.id}`, { method: 'DELETE' })).status, 204);
  const after = intrusion({ src_ip: '10.0.0.10', dst_ip: '198.51.100.23', observables: {} });
  await s.sendBatch(2, [after]);
  assert.equal(Object.hasOwn(await find(after), 'tags'), false);
  s.close();
});

test('POST …/module_instance/{id}/refresh reads the source again at once; admins only; feeds only', async () => {
  await removeFeeds();
  const file = join(FEED_FILES, `refresh-${randomUUID()}.txt`);
  writeFileSync(file, '198.51.100.71\n');
  const created = await t.api('/iroh/iroh-int/module_instance', { method: 'POST', body: {
    kind: 'feed', name: 'Refresh feed', settings: { source: file, format: 'list', refresh_seconds: 86400 },
  } });
  assert.equal(created.status, 201, created.text);
  const path = `/iroh/iroh-int/module_instance/${created.body.id}/refresh`;
  assert.equal((await t.api(path, { method: 'POST' })).body.indicators, 1);
  writeFileSync(file, '198.51.100.71\n198.51.100.72\n198.51.100.300\nbad.example.org\n');
  const again = await t.api(path, { method: 'POST' });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.indicators, 3, 'the new list, without waiting a day');
  // The line it could not read is named in the answer (and in health), not just counted.
  assert.equal(again.body.skipped, 1);
  assert.deepEqual(again.body.skipped_entries, [{ at: 'line 3', entry: '198.51.100.300', reason: 'not an address, range, domain (under a public suffix; set observable_type=domain for others), URL, hash or email' }]);
  // An empty answer after a full one (a file caught between truncate and write, a 200 with no
  // body) keeps the list, and says so.
  writeFileSync(file, '');
  const empty = await t.api(path, { method: 'POST' });
  assert.equal(empty.body.indicators, 3, empty.text);
  assert.match(empty.body.last_error?.message ?? '', /answered empty where the last good copy listed 3 indicator\(s\); that copy is kept/);
  const c = await t.api('/api/v1/clients', { method: 'POST', body: { name: 'ro-feeds', role: 'analyst' } });
  const analyst = await t.token(c.body.client_id, c.body.client_secret);
  assert.equal((await t.api(path, { method: 'POST', token: analyst })).status, 403);
  assert.equal((await t.api('/iroh/iroh-int/module_instance/builtin-devices/refresh', { method: 'POST' })).status, 400);
  assert.equal((await t.api('/iroh/iroh-int/module_instance/module-instance-nope/refresh', { method: 'POST' })).status, 404);
  await t.api(`/iroh/iroh-int/module_instance/${created.body.id}`, { method: 'DELETE' });
});

test('feeds read local files only from the server\'s feed files directory, links included', async () => {
  await removeFeeds();
  const outside = tmpDir('tl-feed-outside-');
  const secret = join(outside, 'secret.txt');
  writeFileSync(secret, '198.51.100.99\n');
  const create = (source: string) => t.api('/iroh/iroh-int/module_instance', { method: 'POST', body: { kind: 'feed', name: `Sneaky ${randomUUID()}`, settings: { source, format: 'list' } } });
  for (const source of [secret, `${FEED_FILES}/../${secret.slice(1)}`, join(FEED_FILES, '..', 'x.txt'), pathToFileURL(secret).href, '/etc/passwd']) {
    const r = await create(source);
    assert.equal(r.status, 400, `${source}: ${r.text}`);
    assert.match(r.body.message, /settings\.source: .* is outside .*--feed-files-dir/, source);
  }
  // A link placed in the directory is followed, and refused where it leads out.
  const sub = join(FEED_FILES, `links-${randomUUID()}`);
  mkdirSync(sub);
  symlinkSync(secret, join(sub, 'list.txt'));
  const linked = await create(join(sub, 'list.txt'));
  assert.equal(linked.status, 201, linked.text);
  const refreshed = await t.api(`/iroh/iroh-int/module_instance/${linked.body.id}/refresh`, { method: 'POST' });
  assert.match(refreshed.text, /is outside .*the only directory feeds may read files from/);
  assert.notEqual(refreshed.body?.indicators, 1);
  const deliberate = await t.api('/iroh/iroh-enrich/deliberate/observables', { method: 'POST', body: [{ type: 'ip', value: '198.51.100.99' }] });
  assert.equal(deliberate.status, 200);
  assert.equal(JSON.stringify(deliberate.body.data).includes('Malicious'), false, 'nothing read from outside');
  await t.api(`/iroh/iroh-int/module_instance/${linked.body.id}`, { method: 'DELETE' });
  cleanup(outside);
});

test('CIDR ranges (Spamhaus DROP): an address inside a range gets the verdict and tags events; a refresh without the range stops both', async () => {
  await removeFeeds();
  const file = join(FEED_FILES, `drop-${randomUUID()}.txt`);
  const drop = readFileSync(fixture('publishers/spamhaus-drop.txt'), 'utf8');
  writeFileSync(file, drop);
  const v4 = await addFeed('Spamhaus DROP', { source: file, format: 'list' });
  const v6 = await addFeed('Spamhaus DROPv6', { source: fixture('publishers/spamhaus-dropv6.txt'), format: 'list' });
  const health = async (mod: FeedModule) => mod.health({ orgId, signal: new AbortController().signal });
  const h = await health(v4.mod);
  assert.equal(h.last_error, null, 'a list of ranges is a feed, not "no observable"');
  assert.deepEqual([h.indicators, h.ranges, h.skipped], [5, 5, 0]);

  const o = await ask('observe', v4.m.id, [{ type: 'ip', value: '1.10.20.30' }, { type: 'ip', value: '1.10.32.1' }, { type: 'ip', value: '223.254.255.255' }]);
  assert.deepEqual(o.verdicts.map((v) => v.observable.value).sort(), ['1.10.20.30', '223.254.255.255']);
  const j = o.judgements.find((x) => x.observable.value === '1.10.20.30')!;
  assert.deepEqual(j.observable, { type: 'ip', value: '1.10.20.30' }, 'named as asked');
  assert.match(j.reason!, /in the range 1\.10\.16\.0\/20/);
  assert.ok(await listed(v6.m.id, { type: 'ipv6', value: '2a02:f6c7:ffff::1' }));
  assert.equal(await listed(v6.m.id, { type: 'ipv6', value: '2a02:f6c8::1' }), false, 'just past the /29');
  assert.ok(await listed(v4.m.id, { type: 'ip', value: '1.19.0.0/16' }), 'the range itself, asked as listed');

  const dev = await enrollDevice(t, 'drop-sensor');
  const s = await DeviceSocket.connect(dev);
  await s.hello();
  const find = async (e: { event_id: string; dst_ip?: string }) => {
    const r = await t.api(`/api/v1/events?observable=${encodeURIComponent(e.dst_ip!)}&limit=100`);
    return (r.body.data as Array<{ event_id: string; tags?: string[] }>).find((x) => x.event_id === e.event_id)!;
  };
  const inside = intrusion({ src_ip: '10.0.0.9', dst_ip: '1.19.200.1', observables: {} });
  const inside6 = intrusion({ src_ip: '2001:db8::9', dst_ip: '2a07:a880:0:1::53', observables: {} });
  const outside = intrusion({ src_ip: '10.0.0.9', dst_ip: '1.20.0.1', observables: {} });
  await s.sendBatch(1, [inside, inside6, outside]);
  assert.deepEqual((await find(inside)).tags?.sort(), ['disposition:Malicious', 'feed:Spamhaus DROP']);
  assert.deepEqual((await find(inside6)).tags?.sort(), ['disposition:Malicious', 'feed:Spamhaus DROPv6']);
  assert.equal(Object.hasOwn(await find(outside), 'tags'), false);

  // The next DROP no longer lists 1.19.0.0/16: neither answers nor tags keep it.
  writeFileSync(file, drop.replace('1.19.0.0/16 ; SBL434604\r\n', ''));
  await v4.mod.refresh();
  assert.deepEqual([(await health(v4.mod)).ranges, (await health(v4.mod)).last_error], [4, null]);
  assert.equal(await listed(v4.m.id, { type: 'ip', value: '1.19.200.1' }), false);
  const later = intrusion({ src_ip: '10.0.0.9', dst_ip: '1.19.200.1', observables: {} });
  await s.sendBatch(2, [later]);
  assert.equal(Object.hasOwn(await find(later), 'tags'), false);
  s.close();
});

test('sources as publishers serve them: gzip-compressed files and downloads, a UTF-8 BOM on JSON; a zip or an HTML page is a clear error and the last good copy stays', async () => {
  await removeFeeds();
  const bom = '\uFEFF';
  // A STIX bundle and a MISP feed saved with a byte order mark (and CRLF line ends).
  const bundle = join(FEED_FILES, `bom-${randomUUID()}.json`);
  writeFileSync(bundle, bom + readFileSync(fixture('publishers/opencti-bundle.json'), 'utf8').replace(/\n/g, '\r\n'));
  const stix = await addFeed('BOM bundle', { source: bundle, format: 'stix2' });
  const health = async (mod: FeedModule) => mod.health({ orgId, signal: new AbortController().signal });
  assert.equal((await health(stix.mod)).last_error, null);
  assert.ok(await listed(stix.m.id, { type: 'ip', value: '198.51.100.60' }));
  const mispDir = join(FEED_FILES, `misp-bom-${randomUUID()}`);
  mkdirSync(mispDir);
  for (const f of ['manifest.json', '5c3f0a2e-8f7c-4b8e-9d1a-3c2b1a0f9e8d.json', '6d4e1b3f-9a8d-4c9f-8e2b-4d3c2b1a0f9e.json']) {
    writeFileSync(join(mispDir, f), bom + readFileSync(fixture(`publishers/circl-osint/${f}`), 'utf8'));
  }
  const misp = await addFeed('BOM MISP', { source: mispDir, format: 'misp' });
  assert.equal((await health(misp.mod)).last_error, null);
  assert.ok(await listed(misp.m.id, { type: 'ip', value: '203.0.113.10' }));

  // A .gz file in the feed files directory, and one over HTTP (no Content-Encoding: a file).
  const drop = readFileSync(fixture('publishers/spamhaus-drop.txt'));
  const gzFile = join(FEED_FILES, `drop-${randomUUID()}.txt.gz`);
  writeFileSync(gzFile, gzipSync(drop));
  const local = await addFeed('DROP gz file', { source: gzFile, format: 'list' });
  assert.deepEqual([(await health(local.mod)).ranges, (await health(local.mod)).last_error], [5, null]);
  let body: Buffer = gzipSync(drop);
  const srv = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/gzip' }); res.end(body); });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/drop.txt.gz`;
  const remote = await addFeed('DROP gz URL', { source: url, format: 'list' });
  assert.deepEqual([(await health(remote.mod)).ranges, (await health(remote.mod)).last_error], [5, null]);
  assert.ok(await listed(remote.m.id, { type: 'ip', value: '5.134.130.1' }));

  // The publisher switches to a zip: named as such, and the ranges keep answering.
  body = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(40)]);
  await remote.mod.refresh();
  assert.match(((await health(remote.mod)).last_error as { message: string }).message, /drop\.txt\.gz is a zip archive/);
  assert.ok(await listed(remote.m.id, { type: 'ip', value: '5.134.130.1' }), 'the last good copy still answers');

  // A bundle replaced by an HTML page: the error says the bundle is not JSON.
  writeFileSync(bundle, '<!DOCTYPE html><html><body>Sign in</body></html>');
  await stix.mod.refresh();
  assert.match(((await health(stix.mod)).last_error as { message: string }).message, /^the bundle is not JSON \(/);
  assert.ok(await listed(stix.m.id, { type: 'ip', value: '198.51.100.60' }));
});

test('a feed\'s file named relative to the feed files directory is that file there; the directory is told to admins', async () => {
  const api = '/iroh/iroh-int/module_instance';
  const made = await t.api(api, { method: 'POST', body: { kind: 'feed', name: `Relative ${randomUUID()}`, settings: { source: ' list.txt ', format: 'list' } } });
  assert.equal(made.status, 201, made.text);
  assert.equal(made.body.settings.source, fixture('list.txt'));
  const health = await t.api(`${api}/${made.body.id}/refresh`, { method: 'POST' });
  assert.ok(health.body.indicators > 0, health.text);
  // A path under it, given in a change, the same way; one that climbs out is refused.
  const sub = join(FEED_FILES, `sub-${randomUUID()}`);
  mkdirSync(sub);
  cpSync(fixture('list.txt'), join(sub, 'ips.txt'));
  const moved = await t.api(`${api}/${made.body.id}`, { method: 'PATCH', body: { settings: { source: `./${sub.slice(FEED_FILES.length + 1)}/ips.txt`, format: 'list' } } });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.body.settings.source, join(sub, 'ips.txt'));
  for (const source of ['../list.txt', 'sub/../../etc/passwd']) {
    const r = await t.api(api, { method: 'POST', body: { kind: 'feed', name: `Out ${randomUUID()}`, settings: { source, format: 'list' } } });
    assert.equal(r.status, 400, `${source}: ${r.text}`);
    assert.match(r.body.message, /settings\.source: .* is outside /, source);
  }
  // Only feeds: another kind's settings are its own business.
  const relay = await t.api(api, { method: 'POST', body: { kind: 'relay', name: `Relay ${randomUUID()}`, url: 'https://relay.example:9090', settings: { source: 'list.txt' } } });
  assert.equal(relay.status, 201, relay.text);
  assert.equal(relay.body.settings.source, 'list.txt');

  const settings = await t.api('/iroh/iroh-enrich/settings');
  assert.equal(settings.body.feed_files_dir, FEED_FILES);
  const c = await t.api('/api/v1/clients', { method: 'POST', body: { name: `reader ${randomUUID()}`, role: 'read-only' } });
  const reader = await t.token(c.body.client_id, c.body.client_secret);
  assert.equal((await t.api('/iroh/iroh-enrich/settings', { token: reader })).body.feed_files_dir, undefined);
  for (const id of [made.body.id, relay.body.id]) await t.api(`${api}/${id}`, { method: 'DELETE' });
});
