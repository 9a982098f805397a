// The event store on PostgreSQL: each case runs against SQLite (the reference) and PostgreSQL,
// so both backends are held to the same behaviour; the partition cases look at PostgreSQL's
// tables as well.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStores } from '../src/exchange/store/sqlite/index.js';
import { openPg, type PgDb } from '../src/exchange/store/postgres/db.js';
import { openPgEventStore } from '../src/exchange/store/postgres/events.js';
import type { CommitItem, EventQuery, EventStore } from '../src/exchange/store/types.js';
import { InvalidCursorError } from '../src/exchange/store/types.js';
import type { NormalizedEvent, StoredEvent } from '../src/events/event.js';
import { freshSchemaUrl, needsPg, PG_URL } from './helpers/pg.js';
import { sideBySide, type Factory } from './helpers/side-by-side.js';

/** One node's event store, `node()` to open another over the same data, and for PostgreSQL
 * its partitions (name and rows, oldest first). */
interface Backend {
  events: EventStore;
  node(): Promise<EventStore>;
  partitions?: () => Promise<{ name: string; rows: number }[]>;
}

const factories: Factory<Backend>[] = [
  {
    name: 'sqlite',
    opts: {},
    async open(after) {
      const dir = mkdtempSync(join(tmpdir(), 'threatlink-events-'));
      const file = join(dir, 'exchange.db');
      after(async () => rmSync(dir, { recursive: true, force: true }));
      const node = async () => {
        const stores = openSqliteStores(file);
        after(() => stores.close());
        return stores.events;
      };
      return { events: await node(), node };
    },
  },
  {
    name: 'postgres',
    opts: await needsPg(),
    async open(after) {
      const { url, drop } = freshSchemaUrl();
      after(drop);
      let first: PgDb | undefined;
      const node = async () => {
        const db = await openPg(url);
        after(() => db.close());
        first ??= db;
        return openPgEventStore(db);
      };
      const events = await node();
      const db = first as PgDb;
      const partitions = async () => {
        const r = await db.pool.query<{ name: string }>(
          "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass ORDER BY 1",
        );
        const out = [];
        for (const { name } of r.rows) {
          const n = await db.pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${name}`);
          out.push({ name, rows: n.rows[0]?.n ?? 0 });
        }
        return out;
      };
      return { events, node, partitions };
    },
  },
];

const both = sideBySide(factories);

const T0 = Date.parse('2025-03-01T00:00:00.000Z');
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const A = 'org-a';
const B = 'org-b';

function alert(id: string, over: Partial<NormalizedEvent> = {}): NormalizedEvent {
  return {
    event_id: id,
    type: 'intrusion',
    time: iso(T0),
    src_ip: '10.0.0.5',
    src_port: 51234,
    dst_ip: '203.0.113.7',
    dst_port: 80,
    protocol: 'tcp',
    signature: { gid: 1, sid: 2024897, rev: 3, message: 'ET USER_AGENTS Go HTTP Client', classification: 'Potentially Bad Traffic', priority: 2 },
    action: 'allowed',
    app_proto: 'http',
    ...over,
  };
}

const items = (org: string, device: string, events: NormalizedEvent[]): CommitItem[] => events.map((event) => ({ org_id: org, device_id: device, event }));

async function all(events: EventStore, org: string, q: EventQuery): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await events.query(org, { ...q, cursor, limit: 1000 });
    out.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

both('dedup within and across batches and per device; fields round trip; get', async ({ events }) => {
  const e = alert('eve.json:100', {
    observables: { domain: ['example.test'], url: ['http://example.test/x'] },
    raw: { event_type: 'alert', flow_id: 123, nested: [1, 'two'], nul: 'a\u0000b' },
    impact: 1,
    policy: 'p',
    tags: ['feed:x'],
  });
  assert.deepEqual((await events.commit(items(A, 'dev-a', [e, alert('eve.json:200')]))).inserted, [true, true]);
  assert.deepEqual((await events.commit(items(A, 'dev-a', [alert('eve.json:300'), e]))).inserted, [true, false], 'a resent event is not stored twice');
  assert.deepEqual((await events.commit(items(A, 'dev-a', [alert('eve.json:400'), alert('eve.json:400')]))).inserted, [true, false], 'nor one repeated in a batch');
  assert.deepEqual((await events.commit(items(A, 'dev-b', [e]))).inserted, [true], 'another device may use the same event_id');
  assert.deepEqual((await events.commit([])).inserted, []);
  assert.equal(await events.count(A), 5);

  const rows = await all(events, A, { device: 'dev-a' });
  assert.equal(rows.length, 4);
  const stored = rows.find((r) => r.event_id === 'eve.json:100');
  assert.ok(stored);
  assert.match(stored.id, /^ev-[0-9a-z]+$/);
  const { id, received_at, ...rest } = stored;
  assert.ok(Date.parse(received_at) > 0);
  assert.deepEqual(rest, { ...e, org_id: A, device_id: 'dev-a' });
  assert.deepEqual(await events.get(A, id), stored);
  assert.equal(await events.get(B, id), null, "another org's id finds nothing");
  assert.equal(await events.get(A, 'ev-zzzzz'), null);
  assert.equal(await events.get(A, 'not-an-id'), null);

  // raw_json is stored as given; a bare event comes back with only what was given.
  await events.commit([{ org_id: A, device_id: 'dev-c', event: { event_id: 'x', type: 'connection', time: '2025-03-01T01:00:00.123456+0100', raw: { a: 1 } }, raw_json: '{"a":1}' }]);
  const bare = (await events.query(A, { device: 'dev-c' })).data[0];
  assert.ok(bare);
  const { id: _i, received_at: _r, ...bareRest } = bare;
  assert.deepEqual(bareRest, { event_id: 'x', type: 'connection', time: '2025-03-01T00:00:00.123Z', org_id: A, device_id: 'dev-c', raw: { a: 1 } });
});

both('org isolation on query, get, unique, histogram, named and count', async ({ events }) => {
  await events.commit([
    ...items(A, 'dev-a', [alert('1', { observables: { domain: ['shared.test'] } })]),
    ...items(B, 'dev-b', [alert('1', { observables: { domain: ['shared.test'] } }), alert('2')]),
  ]);
  const pa = await events.query(A, {});
  assert.deepEqual(pa.data.map((e) => e.org_id), [A]);
  assert.equal(await events.get(B, pa.data[0]?.id as string), null);
  assert.equal((await events.query(A, { observable: 'shared.test' })).data.length, 1);
  assert.equal((await events.query(B, { observable: 'shared.test' })).data.length, 1);
  assert.equal((await events.query(B, { device: 'dev-a' })).data.length, 0);
  assert.equal((await events.unique(A, {})).data[0]?.count, 1);
  assert.equal((await events.unique(B, {})).data[0]?.count, 2);
  assert.deepEqual(await events.histogram(A, { intervalSeconds: 60 }), [{ start: iso(T0), count: 1 }]);
  assert.deepEqual(await events.histogram(B, { intervalSeconds: 60 }), [{ start: iso(T0), count: 2 }]);
  assert.deepEqual([...(await events.named(A, ['shared.test', '10.0.0.5']))].sort(), ['10.0.0.5', 'shared.test']);
  assert.equal(await events.count(A), 1);
  assert.equal(await events.count(B), 2);
  assert.equal(await events.count(), 3);
  assert.equal(await events.count('nobody'), 0);
  assert.deepEqual(await events.query('nobody', {}), { data: [], next_cursor: null });
  assert.deepEqual(await events.unique('nobody', {}), { data: [], next_cursor: null });
  assert.deepEqual(await events.histogram('nobody', { intervalSeconds: 60 }), []);
  assert.equal((await events.named('nobody', ['10.0.0.5'])).size, 0);
});

both('keyset paging walks 2,500 events over several days exactly once, newest first', async ({ events }) => {
  // Seven share each timestamp, so the tie-break is exercised across page edges; an hour
  // apart, so the walk crosses partitions.
  const evs = Array.from({ length: 2500 }, (_, i) => alert(`e${i}`, { time: iso(T0 + Math.floor(i / 7) * 3_600_000) }));
  for (let i = 0; i < evs.length; i += 600) await events.commit(items(A, 'dev-a', evs.slice(i, i + 600)));
  const seen: StoredEvent[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await events.query(A, { limit: 1000, cursor });
    pages++;
    seen.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  assert.equal(pages, 3);
  // Newest first, and among equal times the later stored first: e2499 … e0.
  assert.deepEqual(
    seen.map((e) => Number(e.event_id.slice(1))),
    Array.from({ length: 2500 }, (_, i) => 2499 - i),
  );
  assert.equal(new Set(seen.map((e) => e.id)).size, 2500);
  assert.equal(new Set((await all(events, A, { observable: '203.0.113.7' })).map((e) => e.id)).size, 2500);
  assert.equal(new Set((await all(events, A, { sid: 2024897 })).map((e) => e.id)).size, 2500);
  assert.equal((await events.query(A, {})).data.length, 100, 'default page size');
  for (const bad of ['zzz', Buffer.from('[1]').toString('base64url'), Buffer.from('["a","b"]').toString('base64url')]) {
    await assert.rejects(events.query(A, { cursor: bad }), InvalidCursorError, `query cursor ${bad}`);
    await assert.rejects(events.unique(A, { cursor: bad }), InvalidCursorError, `unique cursor ${bad}`);
  }
  assert.equal((await events.query(A, { limit: 5000 })).data.length, 1000, 'maximum page size');
  const exact = await events.query(A, { since: iso(T0), until: iso(T0 + 2 * 3_600_000), limit: 14 });
  assert.equal(exact.data.length, 14);
  assert.equal(exact.next_cursor, null, 'exactly one page leaves no cursor');
  await assert.rejects(events.query(A, { cursor: 'garbage' }), RangeError);
});

both('each filter', async ({ events }) => {
  const sig = (sid: number, message: string, classification = 'Misc') => ({ gid: 1, sid, message, classification, priority: 3 });
  await events.commit([
    ...items(A, 'dev-a', [
      alert('a1', { time: iso(T0), signature: sig(1, 'ET SCAN Nmap probe') }),
      alert('a2', { time: iso(T0 + 60_000), src_ip: '198.51.100.9', signature: sig(2, 'ET MALWARE 100% evil_thing') }),
      alert('a3', { time: iso(T0 + 120_000), dst_ip: '198.51.100.9', signature: sig(2, 'ET MALWARE 100 evilXthing') }),
    ]),
    ...items(A, 'dev-b', [
      { event_id: 'c1', type: 'connection', time: iso(T0 + 180_000), src_ip: '10.9.9.9', dst_ip: '10.8.8.8', observables: { domain: ['bad.example'], user: ['CORP\\bob'] } },
      { event_id: 'f1', type: 'file', time: iso(T0 + 240_000), observables: { sha256: ['ab'.repeat(32)], file_name: ['setup.exe'] } },
    ]),
  ]);
  const ids = async (q: EventQuery) => (await all(events, A, q)).map((e) => e.event_id);
  assert.deepEqual(await ids({}), ['f1', 'c1', 'a3', 'a2', 'a1']);
  assert.deepEqual(await ids({ since: iso(T0 + 60_000) }), ['f1', 'c1', 'a3', 'a2'], 'since is inclusive');
  assert.deepEqual(await ids({ until: iso(T0 + 120_000) }), ['a2', 'a1'], 'until is exclusive');
  assert.deepEqual(await ids({ since: iso(T0 + 60_000), until: iso(T0 + 180_001) }), ['c1', 'a3', 'a2']);
  assert.deepEqual(await ids({ device: 'dev-b' }), ['f1', 'c1']);
  assert.deepEqual(await ids({ device: 'no-such-device' }), []);
  assert.deepEqual(await ids({ type: 'intrusion' }), ['a3', 'a2', 'a1']);
  assert.deepEqual(await ids({ type: 'malware' }), []);
  assert.deepEqual(await ids({ sid: 2 }), ['a3', 'a2']);
  assert.deepEqual(await ids({ sid: 2, since: iso(T0 + 100_000) }), ['a3']);
  assert.deepEqual(await ids({ observable: '198.51.100.9' }), ['a3', 'a2'], 'source or destination');
  assert.deepEqual(await ids({ observable: '198.51.100.9', sid: 2, type: 'intrusion' }), ['a3', 'a2']);
  assert.deepEqual(await ids({ observable: '198.51.100.9', device: 'dev-b' }), []);
  assert.deepEqual(await ids({ observable: 'bad.example' }), ['c1']);
  assert.deepEqual(await ids({ observable: 'CORP\\bob' }), ['c1']);
  assert.deepEqual(await ids({ observable: 'ab'.repeat(32) }), ['f1']);
  assert.deepEqual(await ids({ observable: 'setup.exe', until: iso(T0) }), []);
  assert.deepEqual(await ids({ observable: 'nothing' }), []);
  assert.deepEqual(await ids({ q: 'nmap' }), ['a1'], 'case-insensitive');
  assert.deepEqual(await ids({ q: 'misc' }), ['a3', 'a2', 'a1'], 'classification too');
  assert.deepEqual(await ids({ q: '100%' }), ['a2'], '% is literal');
  assert.deepEqual(await ids({ q: 'evil_thing' }), ['a2'], '_ is literal');
  assert.deepEqual(await ids({ q: 'evil', type: 'intrusion', device: 'dev-a', sid: 2 }), ['a3', 'a2']);
  await assert.rejects(events.query(A, { since: 'yesterday' }), RangeError);
});

both('unique events: grouping, counts, first and last seen, devices, filters, paging', async ({ events }) => {
  await events.commit(items(A, 'dev-a', [alert('1', { time: iso(T0 + 5000) }), alert('2', { time: iso(T0) })]));
  await events.commit(items(A, 'dev-b', [alert('3', { time: iso(T0 + 2000) })]));
  await events.commit(items(A, 'dev-a', [alert('1', { time: iso(T0 + 5000) })])); // a duplicate: not counted
  await events.commit(items(A, 'dev-a', [alert('4', { time: iso(T0 + 1000), signature: { gid: 1, sid: 99, message: 'other' } })]));
  await events.commit(
    items(A, 'dev-a', [
      { event_id: 'c1', type: 'connection', time: iso(T0 + 10_000), src_ip: '10.0.0.1', dst_ip: '10.0.0.2' },
      { event_id: 'c2', type: 'connection', time: iso(T0 + 11_000), src_ip: '10.0.0.1', dst_ip: '10.0.0.2' },
      { event_id: 'f1', type: 'file', time: iso(T0 + 12_000), src_ip: '10.0.0.1', dst_ip: '10.0.0.2', observables: { sha256: ['aa'] } },
      { event_id: 'f2', type: 'file', time: iso(T0 + 13_000), src_ip: '10.0.0.1', dst_ip: '10.0.0.2', observables: { sha256: ['bb'] } },
    ]),
  );
  const { data, next_cursor } = await events.unique(A, {});
  assert.equal(next_cursor, null);
  assert.deepEqual(
    data.map((u) => [u.type, u.count, u.last_seen]),
    [
      ['file', 1, iso(T0 + 13_000)],
      ['file', 1, iso(T0 + 12_000)],
      ['connection', 2, iso(T0 + 11_000)],
      ['intrusion', 3, iso(T0 + 5000)],
      ['intrusion', 1, iso(T0 + 1000)],
    ],
  );
  const three = data[3];
  assert.ok(three);
  assert.deepEqual(
    [three.first_seen, three.src_ip, three.dst_ip, three.gid, three.sid, three.message, three.priority, three.devices, three.org_id],
    [iso(T0), '10.0.0.5', '203.0.113.7', 1, 2024897, 'ET USER_AGENTS Go HTTP Client', 2, ['dev-a', 'dev-b'], A],
  );

  // The latest message wins; an older event does not overwrite it.
  await events.commit(items(A, 'dev-a', [alert('5', { time: iso(T0 + 6000), signature: { gid: 1, sid: 2024897, message: 'renamed', priority: 1 } })]));
  await events.commit(items(A, 'dev-c', [alert('6', { time: iso(T0 - 1000), signature: { gid: 1, sid: 2024897, message: 'ancient' } })]));
  const after = (await events.unique(A, { sid: 2024897 })).data;
  assert.deepEqual(
    after.map((u) => [u.count, u.message, u.priority, u.first_seen, u.devices]),
    [[5, 'renamed', 1, iso(T0 - 1000), ['dev-a', 'dev-b', 'dev-c']]],
  );

  assert.deepEqual((await events.unique(A, { type: 'connection' })).data.map((u) => u.count), [2]);
  assert.equal((await events.unique(A, { observable: '10.0.0.2' })).data.length, 3);
  assert.equal((await events.unique(A, { device: 'dev-b' })).data.length, 1);
  assert.equal((await events.unique(A, { since: iso(T0 + 11_000) })).data.length, 3);
  assert.equal((await events.unique(A, { until: iso(T0 + 11_000) })).data.length, 2);
  assert.equal((await events.unique(A, { q: 'OTHER' })).data.length, 1);
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await events.unique(A, { limit: 2, cursor });
    keys.push(...page.data.map((u) => u.key));
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  assert.deepEqual(keys, data.map((u) => u.key), 'pages walk the same order, each once');
});

both('histogram: counts per bucket, ascending, only non-empty buckets, with filters', async ({ events }) => {
  const at = [0, 10, 59, 60, 61, 300, 301, 302].map((s) => T0 + s * 1000);
  await events.commit(items(A, 'dev-a', at.map((ms, i) => alert(`h${i}`, { time: iso(ms), src_ip: i < 3 ? '10.1.1.1' : '10.2.2.2' }))));
  await events.commit(items(A, 'dev-a', [alert('early', { time: iso(-90_000) })]));
  assert.deepEqual(await events.histogram(A, { intervalSeconds: 60, since: iso(T0) }), [
    { start: iso(T0), count: 3 },
    { start: iso(T0 + 60_000), count: 2 },
    { start: iso(T0 + 300_000), count: 3 },
  ]);
  assert.deepEqual(await events.histogram(A, { intervalSeconds: 60, until: iso(0) }), [{ start: iso(-120_000), count: 1 }], 'floors before 1970 too');
  assert.deepEqual(await events.histogram(A, { intervalSeconds: 3600, since: iso(T0) }), [{ start: iso(T0), count: 8 }]);
  assert.deepEqual(await events.histogram(A, { intervalSeconds: 60, observable: '10.1.1.1' }), [{ start: iso(T0), count: 3 }]);
  assert.deepEqual(await events.histogram(A, { intervalSeconds: 60, since: iso(T0 + 61_000) }), [
    { start: iso(T0 + 60_000), count: 1 },
    { start: iso(T0 + 300_000), count: 3 },
  ]);
  assert.deepEqual(await events.histogram(A, { intervalSeconds: 60, sid: 1 }), []);
  assert.deepEqual(await events.histogram(A, { intervalSeconds: 60, sid: 2024897, type: 'intrusion', since: iso(T0), until: iso(T0 + 60_000) }), [
    { start: iso(T0), count: 3 },
  ]);
  await assert.rejects(events.histogram(A, { intervalSeconds: 0 }), RangeError);
});

both('span: the oldest and newest matching event times, by time, lookup or row filter', async ({ events }) => {
  const at = [T0 - 5 * DAY, T0, T0 + 7_000, T0 + 3 * DAY + 1];
  await events.commit(items(A, 'dev-a', at.map((ms, i) => alert(`s${i}`, { time: iso(ms), src_ip: i % 2 ? '10.1.1.1' : '10.2.2.2' }))));
  await events.commit(items(B, 'dev-b', [alert('s-b', { time: iso(T0 + 9 * DAY) })]));
  assert.deepEqual(await events.span(A, {}), { first: iso(T0 - 5 * DAY), last: iso(T0 + 3 * DAY + 1) });
  assert.deepEqual(await events.span(A, { since: iso(T0), until: iso(T0 + 3 * DAY + 1) }), { first: iso(T0), last: iso(T0 + 7_000) }, 'since in, until out');
  assert.deepEqual(await events.span(A, { observable: '10.1.1.1' }), { first: iso(T0), last: iso(T0 + 3 * DAY + 1) });
  assert.deepEqual(await events.span(A, { observable: '10.2.2.2', since: iso(T0 - DAY) }), { first: iso(T0 + 7_000), last: iso(T0 + 7_000) });
  assert.deepEqual(await events.span(A, { sid: 2024897, device: 'dev-a', until: iso(T0) }), { first: iso(T0 - 5 * DAY), last: iso(T0 - 5 * DAY) });
  assert.equal(await events.span(A, { type: 'connection' }), null);
  assert.equal(await events.span(A, { device: 'dev-b' }), null);
  assert.equal(await events.span('nobody', {}), null);
});

both('named: which values the org\'s events name, as addresses or observables, in one call', async ({ events }) => {
  await events.commit([
    ...items(A, 'dev-a', [alert('n1', { src_ip: '10.1.1.1', dst_ip: '198.51.100.1', observables: { domain: ['named.example'] } })]),
    ...items(B, 'dev-b', [alert('n2', { src_ip: '10.2.2.2', dst_ip: '198.51.100.2' })]),
  ]);
  const got = await events.named(A, ['10.1.1.1', '198.51.100.1', 'named.example', '198.51.100.2', 'never.example', '10.1.1.1']);
  assert.deepEqual([...got].sort(), ['10.1.1.1', '198.51.100.1', 'named.example']);
  assert.deepEqual([...(await events.named(B, ['198.51.100.1', '198.51.100.2']))], ['198.51.100.2']);
  assert.equal((await events.named(A, [])).size, 0);
  for (const v of got) assert.ok((await all(events, A, { observable: v })).length > 0, `query finds ${v}`);
});

/** Tails until `want` events came. On PostgreSQL an event shows only once every commit to the
 * same tables that began before its own has ended (so the tail never skips a late commit). */
async function tailAll(events: EventStore, after: string | null, step: number, want: number): Promise<{ events: StoredEvent[]; cursor: string | null }> {
  const out: StoredEvent[] = [];
  let cursor = after;
  const end = Date.now() + 10_000;
  for (;;) {
    const r = await events.tail(cursor, step);
    out.push(...r.events);
    cursor = r.cursor;
    if (r.events.length === 0) {
      if (out.length >= want || Date.now() > end) return { events: out, cursor };
      await new Promise((res) => setTimeout(res, 20));
    }
  }
}

both('tail: every org, in the order stored, without raw, resumable from its cursor', async ({ events }) => {
  assert.deepEqual(await events.tail(null, 10), { events: [], cursor: null, more: false });
  await events.commit(items(A, 'dev-a', [alert('t1', { raw: { big: true }, time: iso(T0 + DAY) }), alert('t2')]));
  await events.commit([...items(B, 'dev-b', [alert('t3', { time: iso(T0 - DAY) })]), ...items(A, 'dev-a', [alert('t1'), alert('t4')])]);
  const first = await tailAll(events, null, 2, 4);
  assert.deepEqual(first.events.map((e) => [e.event_id, e.org_id]), [['t1', A], ['t2', A], ['t3', B], ['t4', A]]);
  assert.ok(first.events.every((e) => e.raw === undefined));
  assert.deepEqual(await events.get(A, first.events[0]?.id as string).then((e) => e?.raw), { big: true }, 'get() has raw');
  assert.equal(first.cursor, first.events[3]?.id);

  await events.commit(items(B, 'dev-b', [alert('t5')]));
  const more = await tailAll(events, first.cursor, 10, 1);
  assert.deepEqual(more.events.map((e) => e.event_id), ['t5']);
  assert.equal((await events.tail(more.cursor, 10)).cursor, more.cursor, 'nothing new keeps the cursor');
  await assert.rejects(events.tail('garbage', 10));
});

both('tail with a filter: every event that shows one of its conditions, and a cursor past those that do not', async ({ events }) => {
  const sig = (sid: number, priority: number) => ({ gid: 1, sid, rev: 1, message: `rule ${sid}`, priority });
  await events.commit(items(A, 'dev-a', [
    alert('f1', { signature: sig(100, 3) }),
    alert('f2', { signature: sig(101, 1) }), // priority
    alert('f3', { signature: sig(102, 3), impact: 1 }), // impact
    alert('f4', { signature: sig(103, 3), impact: 0 }), // impact 0 is unknown: not one
    alert('f5', { signature: sig(104, 3), tags: ['disposition:malicious'] }), // tagged
    alert('f6', { signature: sig(105, 3) }), // its sid is listed
    alert('f7', { signature: sig(106, 2) }),
  ]));
  const filter = { priorityMax: 1, impactMax: 2, tagged: true, sids: [105] };
  const want = ['f2', 'f3', 'f5', 'f6'];
  const read = async (from: string | null, need: string[]) => {
    const seen: string[] = [];
    let cursor = from;
    const end = Date.now() + 10_000;
    for (;;) {
      const r = await events.tail(cursor, 3, filter);
      seen.push(...r.events.map((e) => e.event_id));
      cursor = r.cursor;
      if (r.more) continue;
      if (need.every((id) => seen.includes(id)) || Date.now() > end) return { seen, cursor };
      await new Promise((res) => setTimeout(res, 20));
    }
  };
  const first = await read(null, want);
  assert.deepEqual(first.seen, want, 'the rest are left out');
  assert.deepEqual((await events.tail(first.cursor, 3, filter)).events, [], 'the cursor is past everything read');

  await events.commit(items(B, 'dev-b', [alert('f8', { signature: sig(107, 3) }), alert('f9', { signature: sig(108, 1) })]));
  const next = await read(first.cursor, ['f9']);
  assert.deepEqual(next.seen, ['f9'], 'nothing read twice');
});

both('prune: the oldest days go first, with their counts and lookups; only older than before', async ({ events, partitions }) => {
  // Three days: 3 events on the first (two orgs), 2 on the second, 1 on the third.
  await events.commit([
    ...items(A, 'dev-a', [alert('a1', { time: iso(T0 + 1000), observables: { domain: ['old.test'] } }), alert('a2', { time: iso(T0 + 2000) })]),
    ...items(B, 'dev-b', [alert('b1', { time: iso(T0 + 3000), observables: { domain: ['old.test'] } })]),
  ]);
  await events.commit(items(A, 'dev-a', [alert('a3', { time: iso(T0 + DAY + 1000) }), alert('a4', { time: iso(T0 + DAY + 2000) })]));
  await events.commit(items(B, 'dev-b', [alert('b2', { time: iso(T0 + 2 * DAY) })]));
  assert.equal((await events.query(A, { observable: 'old.test' })).data.length, 1);
  if (partitions) assert.deepEqual((await partitions()).map((p) => p.rows), [3, 2, 1], 'a partition per day');

  assert.equal(await events.pruneOldest(3), 3);
  assert.deepEqual((await all(events, A, {})).map((e) => e.event_id), ['a4', 'a3']);
  assert.deepEqual((await all(events, B, {})).map((e) => e.event_id), ['b2']);
  assert.equal((await events.query(A, { observable: 'old.test' })).data.length, 0);
  assert.equal((await events.query(B, { observable: 'old.test' })).data.length, 0);
  assert.deepEqual([await events.count(A), await events.count(B), await events.count()], [2, 1, 3]);

  assert.equal(await events.pruneOldest(10, iso(T0 + 2 * DAY)), 2, 'only older than before');
  assert.equal(await events.pruneOldest(10, iso(T0 + 2 * DAY)), 0);
  assert.deepEqual((await all(events, A, {})).map((e) => e.event_id), []);
  assert.equal(await events.pruneOldest(0), 0, 'a limit below one prunes nothing');
  assert.equal(await events.pruneOldest(10), 1);
  assert.equal(await events.pruneOldest(10), 0);
  assert.equal(await events.count(), 0);
  assert.ok((await events.sizeBytes()) > 0);
  if (partitions) assert.deepEqual(await partitions(), [], 'pruned by dropping the partitions');

  // Nothing left: new events are stored and counted again, with ids never seen before.
  const before = new Set((await events.tail(null, 100)).events.map((e) => e.id));
  await events.commit(items(A, 'dev-a', [alert('new', { time: iso(T0 + 3 * DAY) })]));
  const fresh = await all(events, A, {});
  assert.deepEqual(fresh.map((e) => e.event_id), ['new']);
  assert.equal(before.has(fresh[0]?.id as string), false);
  assert.equal(await events.count(A), 1);
});

both('two nodes committing the same events at once store each once', async ({ events, node }) => {
  const other = await node();
  const evs = Array.from({ length: 400 }, (_, i) => alert(`c${i}`, { time: iso(T0 + (i % 3) * DAY + i) }));
  // Overlapping batches in opposite orders, from both nodes at once.
  const batches = [evs.slice(0, 250), evs.slice(150).reverse(), evs.slice(100, 300), evs.slice(0, 400).reverse()];
  const results = await Promise.all(batches.map((b, i) => (i % 2 === 0 ? events : other).commit(items(A, 'dev-a', b))));
  const stored = results.flatMap((r, i) => r.inserted.map((ok, j) => (ok ? (batches[i] as NormalizedEvent[])[j]?.event_id : null))).filter((x) => x !== null);
  assert.equal(stored.length, 400, 'each event reported as new exactly once');
  assert.equal(new Set(stored).size, 400);
  assert.equal(await events.count(A), 400);
  assert.equal(await other.count(A), 400);
  assert.equal((await all(other, A, {})).length, 400);
  assert.equal((await events.unique(A, {})).data[0]?.count, 400, 'counted once each in unique events');
  assert.equal((await tailAll(other, null, 150, 400)).events.length, 400);
});

both('events spanning several days land in a partition each, and a whole day goes at once', async ({ events, node, partitions }) => {
  await events.commit(items(A, 'dev-a', [0, 1, 2, 2, 5].map((d, i) => alert(`d${i}`, { time: iso(T0 + d * DAY + i * 1000) }))));
  assert.deepEqual((await events.histogram(A, { intervalSeconds: 86_400 })).map((b) => b.count), [1, 1, 2, 1]);
  assert.deepEqual((await all(events, A, { since: iso(T0 + DAY), until: iso(T0 + 3 * DAY) })).map((e) => e.event_id), ['d3', 'd2', 'd1']);
  // From here on PostgreSQL's own granularity: SQLite prunes event by event.
  if (!partitions) return;
  assert.equal(await events.pruneOldest(1000, iso(T0 + 3 * DAY)), 1, 'one day per call');
  assert.equal(await events.count(A), 4);
  assert.deepEqual(await partitions(), [
    { name: 'events_20250302', rows: 1 },
    { name: 'events_20250303', rows: 2 },
    { name: 'events_20250306', rows: 1 },
  ]);
  // Whole days only: a day not wholly before the cut stays, and one goes whole past `limit`.
  assert.equal(await events.pruneOldest(1000, iso(T0 + DAY + 1)), 0);
  assert.equal(await events.pruneOldest(1000, iso(T0 + 2 * DAY)), 1);
  assert.equal(await events.pruneOldest(1), 2, 'a whole day, past the limit');
  assert.deepEqual((await all(events, A, {})).map((e) => e.event_id), ['d4']);
  // The day's dedup rows went with it: a replay of a pruned event is stored again.
  assert.deepEqual((await events.commit(items(A, 'dev-a', [alert('d0', { time: iso(T0) })]))).inserted, [true]);

  // Another node that made a partition before this one dropped it makes it again.
  const other = await node();
  await other.commit(items(A, 'dev-b', [alert('late1', { time: iso(T0 + 9 * DAY) })]));
  for (const n of [1, 1, 1, 0]) assert.equal(await events.pruneOldest(1000, iso(T0 + 10 * DAY)), n, 'd0, d4, late1, each a day');
  assert.deepEqual((await other.commit(items(A, 'dev-b', [alert('late2', { time: iso(T0 + 9 * DAY + 1) })]))).inserted, [true]);
  assert.deepEqual((await all(events, A, {})).map((e) => e.event_id), ['late2']);
});

both('a NUL in a sensor\'s strings is stored (as U+FFFD where the store cannot hold it), never a failed commit', async ({ events }) => {
  const e = alert('nul:1', {
    signature: { gid: 1, sid: 1, rev: 1, message: 'bad\u0000sig', classification: 'x\u0000y', priority: 1 },
    raw: { payload: 'a\u0000b' },
    observables: { domain: ['nul\u0000.example'] },
  });
  const r = await events.commit(items(A, 'dev-1', [e]));
  assert.deepEqual(r.inserted, [true]);
  const [got] = await all(events, A, {});
  assert.ok(['bad\u0000sig', 'bad\uFFFDsig'].includes(got!.signature!.message ?? ''), got!.signature!.message);
  assert.deepEqual(got!.raw, { payload: 'a\u0000b' }, 'raw is JSON text: its NUL is an escape and survives');
});

test('tail on PostgreSQL: an open transaction elsewhere on the server does not hold it back; a commit that ends late is not skipped', await needsPg(), async (t) => {
  const { url, drop } = freshSchemaUrl();
  const dbs: PgDb[] = [];
  const clients: pg.Client[] = [];
  t.after(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    for (const db of dbs) await db.close();
    await drop();
  });
  const open = async () => {
    const db = await openPg(url);
    dbs.push(db);
    return openPgEventStore(db);
  };
  const client = async () => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    clients.push(c);
    return c;
  };
  const [events, other] = [await open(), await open()];

  // Someone's write transaction, left open, outside our tables.
  const idle = await client();
  await idle.query('BEGIN');
  await idle.query('SELECT pg_current_xact_id()');
  await events.commit(items(A, 'dev-a', [alert('e1', { time: iso(T0) })]));
  const first = await events.tail(null, 10);
  assert.deepEqual(first.events.map((e) => e.event_id), ['e1'], 'shown while the unrelated transaction stays open');

  // A commit that takes its id first and ends last: held at its count row by a lock of ours.
  const locker = await client();
  await locker.query(`SET search_path = ${new URL(url).searchParams.get('schema')}`);
  await locker.query('BEGIN');
  await locker.query('SELECT n FROM event_counts WHERE org_id = $1 FOR UPDATE', [A]);
  const lockerXid = Number((await locker.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x')).rows[0]!.x) % 2 ** 32;
  const late = events.commit(items(A, 'dev-a', [alert('e2', { time: iso(T0 + 1000) })]));
  for (let i = 0; ; i++) {
    const w = await locker.query('SELECT 1 FROM pg_locks WHERE NOT granted AND locktype = $1 AND transactionid::text = $2', ['transactionid', String(lockerXid)]);
    if (w.rowCount! > 0) break;
    assert.ok(i < 500, 'the late commit reached the lock');
    await new Promise((r) => setTimeout(r, 10));
  }
  await other.commit(items(B, 'dev-b', [alert('e3', { time: iso(T0 + 2000) })]));
  assert.deepEqual((await events.tail(first.cursor, 10)).events, [], 'nothing past a commit still running');
  await locker.query('COMMIT');
  assert.deepEqual((await late).inserted, [true]);
  const rest = await tailAll(events, first.cursor, 10, 2);
  assert.deepEqual(rest.events.map((e) => e.event_id), ['e2', 'e3'], 'the late commit first: it began first');
  await idle.query('ROLLBACK');
});
