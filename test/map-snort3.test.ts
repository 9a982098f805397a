import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateEvent } from '../src/events/validate.js';
import { mapSnort3, snortAction, snortTime } from '../src/connector/sources/map-snort3.js';

// alert_json lines as Snort 3 writes them (its own spacing: ` "key" : value` separated by ", ").
const DEFAULT_FIELDS = `{ "timestamp" : "07/28-10:11:12.123456", "pkt_num" : 5093, "proto" : "TCP", "pkt_gen" : "raw", "pkt_len" : 60, "dir" : "C2S", "src_ap" : "10.0.0.5:51234", "dst_ap" : "203.0.113.7:80", "rule" : "1:2000:3", "action" : "allow" }`;
const ALL_FIELDS = `{ "timestamp" : "07/28-10:11:12.123456", "pkt_num" : 88, "proto" : "TCP", "pkt_gen" : "raw", "pkt_len" : 410, "dir" : "C2S", "src_ap" : "10.0.0.5:51234", "dst_ap" : "203.0.113.7:8080", "rule" : "1:2030358:1", "action" : "would_drop", "gid" : 1, "sid" : 2030358, "rev" : 1, "msg" : "ET EXPLOIT Possible Apache log4j RCE Attempt (CVE-2021-44228)", "class" : "Attempted Administrator Privilege Gain", "priority" : 1, "src_addr" : "10.0.0.5", "src_port" : 51234, "dst_addr" : "203.0.113.7", "dst_port" : 8080, "service" : "http" }`;
const IPV6 = `{ "timestamp" : "07/28-10:11:12.5", "pkt_num" : 9, "proto" : "UDP", "pkt_gen" : "raw", "pkt_len" : 80, "dir" : "C2S", "src_ap" : "2001:db8:10::25:40122", "dst_ap" : "2001:db8:bad::53:53", "rule" : "1:2027865:2", "action" : "drop" }`;
const ICMP = `{ "timestamp" : "07/28-10:11:13.000001", "pkt_num" : 10, "proto" : "ICMP", "pkt_gen" : "raw", "pkt_len" : 84, "dir" : "UNK", "src_ap" : "10.0.0.8:0", "dst_ap" : "192.0.2.1:0", "rule" : "1:384:8", "action" : "allow", "icmp_type" : 8, "icmp_code" : 0, "class" : "none", "service" : "unknown" }`;

const NOW = new Date('2024-08-01T12:00:00Z');

function map(line: string, opts = { now: NOW, utc: true }): any {
  const ev = mapSnort3(JSON.parse(line), 'snort:2049:7:0a0b0c0d:0', opts);
  assert.ok(ev);
  const v = validateEvent(ev);
  assert.ok(v.ok, v.ok ? '' : `validator: ${v.reason}`);
  return ev;
}

test('default field set: tuple from src_ap/dst_ap, signature from rule "gid:sid:rev", allow', () => {
  const { raw, ...ev } = map(DEFAULT_FIELDS);
  assert.deepEqual(ev, {
    event_id: 'snort:2049:7:0a0b0c0d:0',
    type: 'intrusion',
    time: '2024-07-28T10:11:12.123456Z',
    src_ip: '10.0.0.5',
    src_port: 51234,
    dst_ip: '203.0.113.7',
    dst_port: 80,
    protocol: 'tcp',
    signature: { gid: 1, sid: 2000, rev: 3 },
    action: 'allowed',
  });
  assert.deepEqual(raw, JSON.parse(DEFAULT_FIELDS));
});

test('the optional fields win over src_ap/rule; service, class, msg, priority, would_drop', () => {
  const { raw: _raw, ...ev } = map(ALL_FIELDS);
  assert.deepEqual(ev, {
    event_id: 'snort:2049:7:0a0b0c0d:0',
    type: 'intrusion',
    time: '2024-07-28T10:11:12.123456Z',
    src_ip: '10.0.0.5',
    src_port: 51234,
    dst_ip: '203.0.113.7',
    dst_port: 8080,
    protocol: 'tcp',
    signature: {
      gid: 1,
      sid: 2030358,
      rev: 1,
      message: 'ET EXPLOIT Possible Apache log4j RCE Attempt (CVE-2021-44228)',
      classification: 'Attempted Administrator Privilege Gain',
      priority: 1,
    },
    action: 'would_block',
    app_proto: 'http',
  });
});

test('IPv6 *_ap is split on the last colon', () => {
  const ev = map(IPV6);
  assert.equal(ev.src_ip, '2001:db8:10::25');
  assert.equal(ev.src_port, 40122);
  assert.equal(ev.dst_ip, '2001:db8:bad::53');
  assert.equal(ev.dst_port, 53);
  assert.equal(ev.protocol, 'udp');
  assert.equal(ev.action, 'blocked');
  assert.equal(ev.time, '2024-07-28T10:11:12.5Z');
});

test('ICMP: type and code as ports, not the 0 of *_ap; class "none" and service "unknown" left out', () => {
  const ev = map(ICMP);
  assert.equal(ev.protocol, 'icmp');
  assert.equal(ev.src_port, 8);
  assert.equal(ev.dst_port, 0);
  assert.deepEqual(ev.signature, { gid: 1, sid: 384, rev: 8 });
  assert.equal(ev.app_proto, undefined);
  const v6 = map(ICMP.replace('10.0.0.8:0', '2001:db8::8:0').replace('192.0.2.1:0', '2001:db8::1:0'));
  assert.equal(v6.protocol, 'ipv6-icmp');
  assert.equal(v6.src_ip, '2001:db8::8');
});

test('a packet kind that is not a transport (IP) has no protocol and no ports', () => {
  const ev = map(DEFAULT_FIELDS.replace('"TCP"', '"IP"').replace(':51234', ':0').replace(':80"', ':0"'));
  assert.equal(ev.protocol, undefined);
  assert.equal(ev.src_port, undefined);
  assert.equal(ev.dst_port, undefined);
});

test('year rule: this year, unless that is more than a day ahead; Feb 29 goes back to a leap year', () => {
  const jan2 = new Date('2025-01-02T00:00:00Z');
  assert.equal(snortTime('12/31-23:59:59.000001', jan2, true), '2024-12-31T23:59:59.000001Z');
  assert.equal(snortTime('01/02-23:00:00.000000', jan2, true), '2025-01-02T23:00:00.000000Z'); // within a day: clock skew
  assert.equal(snortTime('01/03-00:00:00.100000', jan2, true), '2025-01-03T00:00:00.100000Z');
  assert.equal(snortTime('01/03-00:00:01.000000', jan2, true), '2024-01-03T00:00:01.000000Z'); // over a day ahead
  assert.equal(snortTime('02/29-08:00:00.000000', new Date('2025-03-01T00:00:00Z'), true), '2024-02-29T08:00:00.000000Z');
  assert.equal(snortTime('02/29-08:00:00.000000', new Date('2024-03-01T00:00:00Z'), true), '2024-02-29T08:00:00.000000Z');
  // With show_year (-y) the year is written: YY/MM/DD.
  assert.equal(snortTime('23/07/28-10:11:12.123456', jan2, true), '2023-07-28T10:11:12.123456Z');
  assert.equal(snortTime('13/01-00:00:00.0', jan2, true), undefined);
  assert.equal(snortTime('2024-07-28T10:11:12Z', jan2, true), undefined);
});

test('local time (Snort without -U) gets this host\'s zone offset', () => {
  const ev = map(DEFAULT_FIELDS, { now: NOW, utc: false });
  assert.match(ev.time, /^2024-07-28T10:11:12\.123456[+-]\d\d:\d\d$/);
  assert.equal(new Date(ev.time).getTime(), new Date(2024, 6, 28, 10, 11, 12, 123).getTime());
});

test('an unreadable timestamp is passed on for the validator to reject with a reason', () => {
  const rec = JSON.parse(DEFAULT_FIELDS);
  rec.timestamp = 'yesterday';
  const v = validateEvent(mapSnort3(rec, 'x', { now: NOW }));
  assert.equal(v.ok, false);
  assert.match(v.ok ? '' : v.reason, /^time: "yesterday"/);
});

test('actions', () => {
  const cases: [unknown, string | undefined][] = [
    [undefined, 'allowed'],
    ['allow', 'allowed'],
    ['pass', 'allowed'],
    ['drop', 'blocked'],
    ['block', 'blocked'],
    ['reject', 'blocked'],
    ['reset', 'blocked'],
    ['would_drop', 'would_block'],
    ['wdrop', 'would_block'],
    ['would drop', 'would_block'],
    ['cant_drop', 'would_block'],
    ['hold', undefined],
    ['retry', undefined],
  ];
  for (const [a, want] of cases) assert.equal(snortAction(a), want, String(a));
  const rec = JSON.parse(DEFAULT_FIELDS);
  delete rec.action;
  assert.equal(map(JSON.stringify(rec)).action, 'allowed');
});

test('rule "1:2000:3" fills only what gid/sid/rev leave open; a record with neither has no signature', () => {
  const rec = JSON.parse(DEFAULT_FIELDS);
  rec.sid = 9000;
  assert.deepEqual(map(JSON.stringify(rec)).signature, { gid: 1, sid: 9000, rev: 3 });
  delete rec.sid;
  delete rec.rule;
  const v = validateEvent(mapSnort3(rec, 'x', { now: NOW }));
  assert.equal(v.ok, false);
  assert.match(v.ok ? '' : v.reason, /^signature: missing/);
});
