import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NormalizedEvent } from '../src/events/event.js';
import { validateEvent } from '../src/events/validate.js';
import {
  decodeEvent,
  decodeRecords,
  mapUnified2,
  type U2Event,
  type U2ExtraData,
  type U2Packet,
} from '../src/connector/sources/unified2-decode.js';
import { Unified2Source } from '../src/connector/sources/unified2.js';
import type { SourceSink } from '../src/connector/sources/types.js';
import {
  event3,
  extraData,
  ipv4Event,
  ipv6Event,
  packet,
  type Event3Fields,
  type IdsEventFields,
} from './fixtures/unified2-writer.js';

// 2024-01-01T10:00:00Z
const T0 = 1704103200;

const E104: IdsEventFields = {
  sensor_id: 3,
  event_id: 7,
  event_second: T0,
  event_microsecond: 123456,
  signature_id: 2024897,
  generator_id: 1,
  signature_revision: 3,
  classification_id: 31,
  priority_id: 2,
  ip_source: '10.0.0.5',
  ip_destination: '203.0.113.7',
  sport_itype: 51234,
  dport_icode: 80,
  protocol: 6,
  impact_flag: 0x20,
  impact: 1,
  blocked: 1,
  mpls_label: 17,
  vlanId: 100,
  pad2: 4,
};
const PKT = Buffer.from('45000028000100004006f8e40a000005cb007107c822005000000000', 'hex');

const E105: IdsEventFields = {
  event_id: 8,
  event_second: T0 + 1,
  event_microsecond: 5,
  signature_id: 1000001,
  generator_id: 1,
  signature_revision: 1,
  classification_id: 4,
  priority_id: 3,
  ip_source: '2001:db8:10::25',
  ip_destination: '2001:db8:bad::53',
  sport_itype: 128, // ICMPv6 echo request
  dport_icode: 0,
  protocol: 58,
  impact_flag: 0,
  impact: 0,
  blocked: 2,
  mpls_label: 0,
  vlanId: 0,
  pad2: 0,
};

const E114: Event3Fields = {
  event_id: 9,
  event_second: T0 + 2,
  event_microsecond: 999999,
  rule_gid: 116,
  rule_sid: 434,
  rule_rev: 2,
  rule_class: 5,
  rule_priority: 1,
  policy_id_context: 1,
  policy_id_inspect: 2,
  policy_id_detect: 3,
  pkt_src_ip: '192.0.2.10',
  pkt_dst_ip: '198.51.100.53',
  pkt_mpls_label: 0,
  pkt_src_port_itype: 40122,
  pkt_dst_port_icode: 53,
  pkt_vlan_id: 12,
  pkt_ip_proto: 17,
  snort_status: 0,
  snort_action: 6, // ACT_BLOCK
  app_name: 'DNS',
};

function fixture(): { buf: Buffer; offsets: number[] } {
  const parts = [
    ipv4Event(E104),
    packet({ event_id: 7, event_second: T0, packet_second: T0, packet_microsecond: 123456, linktype: 228, data: PKT }),
    extraData({ event_id: 7, event_second: T0, type: 10, data: 'www.example.test:8080' }),
    extraData({ event_id: 7, event_second: T0, type: 9, data: '/cgi-bin/check?id=1' }),
    ipv6Event(E105),
    event3(E114),
  ];
  const offsets: number[] = [];
  let at = 0;
  for (const p of parts) {
    offsets.push(at);
    at += p.length;
  }
  return { buf: Buffer.concat(parts), offsets };
}

test('unified2: records split at their lengths, with the sizes of Snort’s structs', () => {
  const { buf, offsets } = fixture();
  const { records, end } = decodeRecords(buf, 0);
  assert.equal(end, buf.length);
  assert.deepEqual(
    records.map((r) => [r.type, r.offset, r.length]),
    [
      [104, offsets[0], 60],
      [2, offsets[1], 28 + PKT.length],
      [110, offsets[2], 32 + 'www.example.test:8080'.length],
      [110, offsets[3], 32 + '/cgi-bin/check?id=1'.length],
      [105, offsets[4], 84],
      [114, offsets[5], 160],
    ],
  );
});

test('unified2: every field of 104, 105 and 114 decodes', () => {
  const { buf } = fixture();
  const [r104, r2, rHost, rUri, r105, r114] = decodeRecords(buf, 0).records;
  const { vlanId: v104, ...f104 } = E104;
  assert.deepEqual(decodeEvent(104, r104!.body), { kind: 'ids_event', record_type: 104, ...f104, vlan_id: v104 });
  const { vlanId: v105, ...f105 } = E105;
  assert.deepEqual(decodeEvent(105, r105!.body), { kind: 'ids_event', record_type: 105, ...f105, sensor_id: 0, vlan_id: v105 });
  const { app_name: _a, ...rest114 } = E114;
  assert.deepEqual(decodeEvent(114, r114!.body), {
    kind: 'event3',
    record_type: 114,
    snort_id: 0,
    ...rest114,
    pkt_ip_ver: 0x44,
    app_name: 'DNS',
  });
  const pkt = decodeEvent(2, r2!.body) as U2Packet;
  assert.equal(pkt.kind, 'packet');
  assert.equal(pkt.event_id, 7);
  assert.equal(pkt.linktype, 228);
  assert.equal(pkt.packet_length, PKT.length);
  assert.deepEqual(pkt.packet_data, PKT);
  const host = decodeEvent(110, rHost!.body) as U2ExtraData;
  assert.deepEqual(
    { ...host, data: host.data.toString() },
    {
      kind: 'extra_data',
      record_type: 110,
      event_type: 4,
      event_length: rHost!.length,
      sensor_id: 0,
      event_id: 7,
      event_second: T0,
      type: 10,
      data_type: 1,
      blob_length: 8 + 'www.example.test:8080'.length,
      data: 'www.example.test:8080',
    },
  );
  assert.equal((decodeEvent(110, rUri!.body) as U2ExtraData).data.toString(), '/cgi-bin/check?id=1');
  assert.equal(decodeEvent(3, Buffer.alloc(10)), undefined, 'unknown types are skipped');
  // The legacy 7 and 72 are the first 52 and 76 bytes of 104 and 105 (no mpls, vlan, pad).
  const { mpls_label: _m, vlanId: _v, pad2: _p, ...legacy4 } = E104;
  assert.deepEqual(decodeEvent(7, r104!.body.subarray(0, 52)), { kind: 'ids_event', record_type: 7, ...legacy4 });
  const { mpls_label: _m6, vlanId: _v6, pad2: _p6, ...legacy6 } = E105;
  assert.deepEqual(decodeEvent(72, r105!.body.subarray(0, 76)), { kind: 'ids_event', record_type: 72, ...legacy6, sensor_id: 0 });
  // Snort 3 legacy_events: 104 with char app_name[64] appended.
  const withApp = ipv4Event({ ...E104, app_name: 'HTTP' });
  assert.equal(withApp.length, 8 + 124);
  assert.equal((decodeEvent(104, withApp.subarray(8)) as { app_name?: string }).app_name, 'HTTP');
  assert.throws(() => decodeEvent(104, r104!.body.subarray(0, 59)), /needs 60/);
});

function deepEqualDefined(actual: unknown, expected: unknown): void {
  assert.deepEqual(JSON.parse(JSON.stringify(actual)), expected);
}

test('unified2: 104 with its packet and extra data maps to one intrusion event', () => {
  const { buf } = fixture();
  const recs = decodeRecords(buf, 0).records;
  const evt = decodeEvent(104, recs[0]!.body) as U2Event;
  const extras = recs.slice(1, 4).map((r) => decodeEvent(r.type, r.body) as U2ExtraData | U2Packet);
  const ev = mapUnified2(evt, extras, 'u2:unified2.log.1:0');
  const { raw, ...rest } = ev;
  assert.deepEqual(rest, {
    event_id: 'u2:unified2.log.1:0',
    type: 'intrusion',
    time: '2024-01-01T10:00:00.123456Z',
    src_ip: '10.0.0.5',
    src_port: 51234,
    dst_ip: '203.0.113.7',
    dst_port: 80,
    protocol: 'tcp',
    signature: { gid: 1, sid: 2024897, rev: 3, priority: 2 },
    impact: 1,
    action: 'blocked',
    observables: { domain: ['www.example.test'], url: ['http://www.example.test:8080/cgi-bin/check?id=1'] },
  });
  deepEqualDefined(raw, {
    record_type: 104,
    sensor_id: 3,
    event_id: 7,
    event_second: T0,
    event_microsecond: 123456,
    signature_id: 2024897,
    generator_id: 1,
    signature_revision: 3,
    classification_id: 31,
    priority_id: 2,
    ip_source: '10.0.0.5',
    ip_destination: '203.0.113.7',
    sport_itype: 51234,
    dport_icode: 80,
    protocol: 6,
    impact_flag: 0x20,
    impact: 1,
    blocked: 1,
    mpls_label: 17,
    vlan_id: 100,
    pad2: 4,
    extra_data: [
      { type: 10, name: 'http_hostname', value: 'www.example.test:8080' },
      { type: 9, name: 'http_uri', value: '/cgi-bin/check?id=1' },
    ],
    packets: [
      { packet_second: T0, packet_microsecond: 123456, linktype: 228, packet_length: PKT.length, data_base64: PKT.toString('base64') },
    ],
  });
  const v = validateEvent(ev);
  assert.ok(v.ok, JSON.stringify(v));
});

test('unified2: 105 (ICMPv6, would block) and 114 (Snort 3) map right', () => {
  const { buf } = fixture();
  const recs = decodeRecords(buf, 0).records;
  const ev105 = mapUnified2(decodeEvent(105, recs[4]!.body) as U2Event, [], 'x:105');
  const { raw: raw105, ...rest105 } = ev105;
  assert.deepEqual(rest105, {
    event_id: 'x:105',
    type: 'intrusion',
    time: '2024-01-01T10:00:01.000005Z',
    src_ip: '2001:db8:10::25',
    src_port: 128, // ICMP type
    dst_ip: '2001:db8:bad::53',
    dst_port: 0, // ICMP code
    protocol: 'ipv6-icmp',
    signature: { gid: 1, sid: 1000001, rev: 1, priority: 3 },
    action: 'would_block',
  });
  assert.equal((raw105 as { ip_source: string }).ip_source, '2001:db8:10::25');
  assert.ok(validateEvent(ev105).ok);

  const ev114 = mapUnified2(decodeEvent(114, recs[5]!.body) as U2Event, [], 'x:114');
  const { raw: raw114, ...rest114 } = ev114;
  assert.deepEqual(rest114, {
    event_id: 'x:114',
    type: 'intrusion',
    time: '2024-01-01T10:00:02.999999Z',
    src_ip: '192.0.2.10',
    src_port: 40122,
    dst_ip: '198.51.100.53',
    dst_port: 53,
    protocol: 'udp',
    signature: { gid: 116, sid: 434, rev: 2, priority: 1 },
    action: 'blocked',
    app_proto: 'DNS',
  });
  deepEqualDefined(raw114, {
    record_type: 114,
    snort_id: 0,
    event_id: 9,
    event_second: T0 + 2,
    event_microsecond: 999999,
    rule_gid: 116,
    rule_sid: 434,
    rule_rev: 2,
    rule_class: 5,
    rule_priority: 1,
    policy_id_context: 1,
    policy_id_inspect: 2,
    policy_id_detect: 3,
    pkt_src_ip: '192.0.2.10',
    pkt_dst_ip: '198.51.100.53',
    pkt_mpls_label: 0,
    pkt_src_port_itype: 40122,
    pkt_dst_port_icode: 53,
    pkt_vlan_id: 12,
    pkt_ip_ver: 0x44,
    pkt_ip_proto: 17,
    snort_status: 0,
    snort_action: 6,
    app_name: 'DNS',
  });
  assert.ok(validateEvent(ev114).ok);

  // IPv6 in 114, "would" status, ICMP.
  const v6 = decodeEvent(
    114,
    event3({ ...E114, pkt_src_ip: '2001:db8::1', pkt_dst_ip: '::ffff:192.0.2.1', pkt_ip_proto: 1, pkt_src_port_itype: 8, pkt_dst_port_icode: 0, snort_status: 2, snort_action: 5, app_name: '' }).subarray(8),
  ) as U2Event;
  const m = mapUnified2(v6, [], 'x:v6');
  assert.equal(m.src_ip, '2001:db8::1');
  assert.equal(m.dst_ip, '::ffff:192.0.2.1');
  assert.equal(m.protocol, 'icmp');
  assert.equal(m.src_port, 8);
  assert.equal(m.dst_port, 0);
  assert.equal(m.action, 'would_block');
  assert.equal(m.app_proto, undefined);
  assert.ok(validateEvent(m).ok);
  // Blocked 3 (can't block) and 0 are allowed; an unknown protocol is its number, without ports.
  const gre = mapUnified2(decodeEvent(104, ipv4Event({ ...E104, protocol: 47, blocked: 3, impact: 0 }).subarray(8)) as U2Event, [], 'x:gre');
  assert.equal(gre.action, 'allowed');
  assert.equal(gre.protocol, '47');
  assert.equal(gre.src_port, undefined);
  assert.equal(gre.impact, undefined);
});

test('unified2: an incomplete record at the end is left for later', () => {
  const { buf, offsets } = fixture();
  const cut = buf.subarray(0, buf.length - 10);
  const part = decodeRecords(cut, 0);
  assert.equal(part.records.length, 5);
  assert.equal(part.end, offsets[5]);
  // A header alone is incomplete too.
  assert.equal(decodeRecords(buf.subarray(0, offsets[5]! + 4), 0).end, offsets[5]);
  const rest = decodeRecords(buf, part.end, 0);
  assert.equal(rest.records.length, 1);
  assert.equal(rest.records[0]!.type, 114);
  assert.equal(rest.records[0]!.offset, offsets[5]);
  assert.equal(rest.end, buf.length);
  assert.throws(() => decodeRecords(Buffer.from('00000068ffffffff', 'hex'), 0), /claims/);
});

// ---- the source ---------------------------------------------------------------------------------

interface FakeSink extends SourceSink {
  events: NormalizedEvent[];
  rejects: string[];
  logs: string[];
}

function fakeSink(write?: (events: NormalizedEvent[]) => Promise<void>): FakeSink {
  const sink: FakeSink = {
    events: [],
    rejects: [],
    logs: [],
    write: async (events) => {
      if (write) await write(events);
      sink.events.push(...events);
    },
    reject: (_source, reason) => sink.rejects.push(reason),
    log: {
      info: (w, m) => sink.logs.push(`info ${w} ${m}`),
      warn: (w, m) => sink.logs.push(`warn ${w} ${m}`),
      error: (w, m) => sink.logs.push(`error ${w} ${m}`),
    },
  };
  return sink;
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function ev(id: number, sec = T0): Buffer {
  return ipv4Event({ ...E104, event_id: id, event_second: sec, signature_id: 1000 + id });
}

function setup(): { dir: string; spool: string; ckpt: string; prefix: string } {
  const dir = mkdtempSync(join(tmpdir(), 'u2-'));
  return { dir, spool: join(dir, 'spool'), ckpt: join(dir, 'ckpt'), prefix: join(dir, 'spool', 'unified2.log') };
}

test('unified2 source: follows a growing file, attaches trailing extras, moves to the next file', async (t) => {
  const { dir, spool, ckpt, prefix } = setup();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sink = fakeSink();
  const src = new Unified2Source({ name: 'u2', type: 'unified2', path: prefix }, sink, ckpt, { pollMs: 20, idleFlushMs: 300 });
  t.after(() => src.stop());
  await src.start();
  await until(() => src.state().state === 'waiting' && src.state().detail !== undefined, 'waiting');
  assert.match(src.state().detail ?? '', /no unified2\.log\.<timestamp> files/);

  mkdirSync(spool, { recursive: true });
  const f1 = join(spool, 'unified2.log.1704103200');
  const a = ev(1);
  writeFileSync(f1, a); // the event alone; its extras come a moment later
  await until(() => src.state().state === 'attached', 'attached');
  await sleep(60);
  appendFileSync(f1, extraData({ event_id: 1, event_second: T0, type: 10, data: 'late.example.test' }));
  await until(() => sink.events.length === 1, 'event 1');
  assert.equal(sink.events[0]!.event_id, 'u2:unified2.log.1704103200:0');
  assert.deepEqual(sink.events[0]!.observables, { domain: ['late.example.test'] });

  // A record written in two pieces is emitted only once complete.
  const b = ev(2);
  const bAt = readFileSync(f1).length;
  appendFileSync(f1, b.subarray(0, 20));
  await sleep(500);
  assert.equal(sink.events.length, 1, 'the truncated record is not emitted');
  appendFileSync(f1, b.subarray(20));
  await until(() => sink.events.length === 2, 'event 2');
  assert.equal(sink.events[1]!.event_id, `u2:unified2.log.1704103200:${bAt}`);
  assert.equal(sink.events[1]!.signature?.sid, 1002);

  // A newer file: the current one is done, so the source moves on.
  const f2 = join(spool, 'unified2.log.1704103300');
  writeFileSync(f2, Buffer.concat([ev(3), ev(4)]));
  await until(() => sink.events.length === 4, 'events 3 and 4');
  assert.deepEqual(
    sink.events.slice(2).map((e) => e.event_id),
    ['u2:unified2.log.1704103300:0', `u2:unified2.log.1704103300:${ev(3).length}`],
  );
  await until(() => existsSync(join(ckpt, 'u2.bookmark')) && JSON.parse(readFileSync(join(ckpt, 'u2.bookmark'), 'utf8')).offset === 2 * ev(3).length, 'bookmark at end');
  assert.deepEqual(JSON.parse(readFileSync(join(ckpt, 'u2.bookmark'), 'utf8')), { file: 'unified2.log.1704103300', offset: 2 * ev(3).length });
  assert.equal(src.state().file, f2);
  assert.equal(src.state().events_read, 4);
  assert.deepEqual(sink.rejects, []);
  await src.stop();
  assert.equal(src.state().state, 'stopped');
});

test('unified2 source: the bookmark moves only after the sink resolves', async (t) => {
  const { dir, spool, ckpt, prefix } = setup();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(spool, { recursive: true });
  writeFileSync(join(spool, 'unified2.log.1704103200'), Buffer.concat([ev(1), ev(2), ev(3)]));
  let calls = 0;
  const hung = fakeSink(() => {
    calls++;
    return new Promise<void>(() => undefined); // never resolves
  });
  const src = new Unified2Source({ name: 'u2', type: 'unified2', path: prefix }, hung, ckpt, { pollMs: 20, idleFlushMs: 100, stopWaitMs: 50 });
  t.after(() => src.stop());
  await src.start();
  await until(() => calls > 0, 'a write');
  await sleep(400);
  assert.equal(existsSync(join(ckpt, 'u2.bookmark')), false, 'no bookmark while the write hangs');
  assert.equal(calls, 1, 'no further reads while the write hangs');
  await src.stop();
  assert.equal(existsSync(join(ckpt, 'u2.bookmark')), false);

  // A working sink then gets everything, from the start.
  const sink = fakeSink();
  const src2 = new Unified2Source({ name: 'u2', type: 'unified2', path: prefix }, sink, ckpt, { pollMs: 20, idleFlushMs: 100 });
  t.after(() => src2.stop());
  await src2.start();
  await until(() => sink.events.length === 3, 'three events');
  await src2.stop();
});

test('unified2 source: restart from the bookmark repeats nothing; ids are stable', async (t) => {
  const { dir, spool, ckpt, prefix } = setup();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(spool, { recursive: true });
  const f1 = join(spool, 'unified2.log.1704103200');
  writeFileSync(f1, Buffer.concat([ev(1), ev(2), ev(3)]));
  const cfg = { name: 'u2', type: 'unified2' as const, path: prefix };

  // A long idle time: event 3 is still held when the source stops.
  const s1 = fakeSink();
  const a = new Unified2Source(cfg, s1, ckpt, { pollMs: 20, idleFlushMs: 60_000 });
  t.after(() => a.stop());
  await a.start();
  await until(() => s1.events.length === 2, 'events 1 and 2');
  await sleep(100);
  await a.stop();
  assert.equal(s1.events.length, 2);
  assert.deepEqual(JSON.parse(readFileSync(join(ckpt, 'u2.bookmark'), 'utf8')), { file: 'unified2.log.1704103200', offset: 2 * ev(1).length });

  appendFileSync(f1, Buffer.concat([ev(4), ev(5)]));
  const s2 = fakeSink();
  const b = new Unified2Source(cfg, s2, ckpt, { pollMs: 20, idleFlushMs: 100 });
  t.after(() => b.stop());
  await b.start();
  await until(() => s2.events.length === 3, 'events 3, 4, 5');
  await sleep(200);
  await b.stop();
  const L = ev(1).length;
  assert.deepEqual(
    s2.events.map((e) => [e.event_id, e.signature?.sid]),
    [
      [`u2:unified2.log.1704103200:${2 * L}`, 1003],
      [`u2:unified2.log.1704103200:${3 * L}`, 1004],
      [`u2:unified2.log.1704103200:${4 * L}`, 1005],
    ],
  );

  // A replay from scratch (bookmark lost) gives the same ids for the same records.
  rmSync(join(ckpt, 'u2.bookmark'));
  const s3 = fakeSink();
  const c = new Unified2Source(cfg, s3, ckpt, { pollMs: 20, idleFlushMs: 100 });
  t.after(() => c.stop());
  await c.start();
  await until(() => s3.events.length === 5, 'all five again');
  await c.stop();
  assert.deepEqual(
    s3.events.map((e) => e.event_id),
    [...s1.events, ...s2.events].map((e) => e.event_id),
  );
});

test('unified2 source: a corrupt length is rejected and the source moves on to the next file', async (t) => {
  const { dir, spool, ckpt, prefix } = setup();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(spool, { recursive: true });
  writeFileSync(join(spool, 'unified2.log.1704103200'), Buffer.concat([ev(1), Buffer.from('00000068ffffffff', 'hex'), Buffer.alloc(100)]));
  const sink = fakeSink();
  const src = new Unified2Source({ name: 'u2', type: 'unified2', path: prefix }, sink, ckpt, { pollMs: 20, idleFlushMs: 100 });
  t.after(() => src.stop());
  await src.start();
  await until(() => sink.events.length === 1 && src.state().state === 'error', 'event 1 and error state');
  assert.equal(sink.rejects.length, 1);
  assert.match(sink.rejects[0]!, /claims/);
  writeFileSync(join(spool, 'unified2.log.1704103300'), ev(2));
  await until(() => sink.events.length === 2, 'event 2 from the next file');
  await until(() => src.state().state === 'attached', 'attached again');
  await src.stop();
});
