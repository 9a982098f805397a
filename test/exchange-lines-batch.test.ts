// Lines batches (protocol 2): the exchange reads them to the same events and rejections as the
// same records in a JSON batch, keeps each raw as the text the device sent, and is not fooled
// by records whose "raw" is not where a connector puts it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame, decodeFrameBytes, type DecodedFrame } from '../src/exchange/ingest/decode-frame.js';
import { FrameDecoder } from '../src/exchange/ingest/frame-decoder.js';
import { batchFrame, batchFormatFor } from '../src/connector/uplink/batch-frame.js';
import { eventRecord } from '../src/connector/event-record.js';
import { mapEve } from '../src/connector/sources/map-eve.js';
import { demoAlert } from '../src/connector/demo/simulator.js';
import { intrusion } from './helpers/exchange.js';

const silent = { warn() {}, error() {}, info() {}, debug() {} } as unknown as import('fastify').FastifyBaseLogger;

function frames(seq: number, records: string[]): { json: Buffer; lines: Buffer } {
  const payloads = records.map((r) => Buffer.from(r));
  const bytes = payloads.reduce((n, b) => n + b.length, 0);
  return { json: batchFrame(seq, payloads, bytes), lines: batchFrame(seq, payloads, bytes, Buffer.allocUnsafe, 'lines') };
}

/** What a batch stores: each item's event and raw as values, and the rejections. */
function stored(d: DecodedFrame) {
  assert.equal(d.kind, 'batch');
  if (d.kind !== 'batch') throw new Error('not a batch');
  return {
    seq: d.seq,
    count: d.count,
    items: d.items.map((x) => {
      const { raw, ...event } = x.event;
      return { event, raw: x.raw_json === undefined ? raw : JSON.parse(x.raw_json) };
    }),
    rejected: d.rejected.map((r) => ({ ...r, reason: r.code === 'not_object' ? '' : r.reason })),
  };
}

const sensorLines = Array.from({ length: 30 }, (_, i) => {
  const line = JSON.stringify({ ...demoAlert(), flow_id: i, note: i % 3 === 0 ? 'ünïcode ✓ 𝄞' : 'plain' });
  return i % 2 === 0 ? line : line.replace(/,"/g, ', "'); // spacing some sensors write
});
const connectorRecords = sensorLines.map((line, i) => eventRecord(mapEve(JSON.parse(line), `eve:1:${i}`)!, line));

// Records a connector never writes, each a way a split at ',"raw":' could go wrong.
const odd = [
  JSON.stringify({ ...intrusion(), raw: { a: 1 }, app_proto: 'http' }), // raw not last
  JSON.stringify({ ...intrusion(), policy: 'x,"raw":{"a":1}', raw: { b: 2 } }), // the key's text inside a string
  JSON.stringify({ ...intrusion(), signature: { gid: 1, sid: 2, raw: 3 }, raw: { c: 3 } }), // nested key: rejected either way
  `${JSON.stringify(intrusion()).slice(0, -1)},"raw":{"d":4},"raw":{"e":5}}`, // duplicate key: the last wins
  `${JSON.stringify(intrusion()).slice(0, -1)},"raw":"text"}`,
  `${JSON.stringify(intrusion()).slice(0, -1)},"raw":{"big":"${'x'.repeat(70 * 1024)}"}}`, // over the raw limit
  `${JSON.stringify(intrusion()).slice(0, -1)},"raw":{"broken":}`,
  `${JSON.stringify({ ...intrusion(), src_ip: 'not-an-ip' }).slice(0, -1)},"raw":{"f":6}}`,
  '',
  '42',
];
const oddAsJson = odd.filter((r) => r !== '' && !r.includes('"broken":}'));

test('a lines batch decodes to what the same records decode to as a JSON batch', () => {
  for (const records of [connectorRecords, oddAsJson]) {
    const { json, lines } = frames(9, records);
    assert.notEqual(lines.toString(), json.toString());
    assert.deepEqual(stored(decodeFrameBytes(lines, 1000)), stored(decodeFrame(json.toString(), 1000)));
  }
});

test('raw is stored as the text the device sent', () => {
  const { lines } = frames(1, connectorRecords);
  const d = decodeFrameBytes(lines, 1000);
  assert.equal(d.kind, 'batch');
  if (d.kind !== 'batch') return;
  assert.equal(d.items.length, sensorLines.length);
  d.items.forEach((x, i) => {
    assert.equal(x.raw_json, sensorLines[i], `line ${i} kept verbatim`);
    assert.equal(x.event.raw, undefined);
  });
});

test("the event's own text is passed on only where it is the validated event", () => {
  const asSent = `${JSON.stringify({ ...intrusion(), time: '2026-11-29T07:00:00.123Z' }).slice(0, -1)},"raw":{"a":1}}`;
  const rewritten = `${JSON.stringify({ ...intrusion(), time: '2026-11-29T07:00:00.123456+0000' }).slice(0, -1)},"raw":{"a":1}}`;
  const ownRaw = `${JSON.stringify({ ...intrusion(), raw: 1 }).slice(0, -1)},"raw":{"a":1}}`;
  // From a device that does not canonicalize addresses (Suricata's spelling, passed through).
  const fullV6 = `${JSON.stringify({ ...intrusion(), time: '2026-11-29T07:00:00.123Z', src_ip: '2001:0db8:0000:0000:0000:0000:0000:0005', dst_ip: '2001:db8::80' }).slice(0, -1)},"raw":{"a":1}}`;
  const rawUrl = `${JSON.stringify({ ...intrusion(), time: '2026-11-29T07:00:00.123Z', observables: { url: ['http://x.example/{a}'] } }).slice(0, -1)},"raw":{"a":1}}`;
  const d = decodeFrameBytes(frames(1, [asSent, rewritten, ownRaw, fullV6, rawUrl]).lines, 10);
  assert.equal(d.kind, 'batch');
  if (d.kind !== 'batch') return;
  const [a, b, c, v6, url] = d.items;
  assert.deepEqual(url!.event.observables, { url: ['http://x.example/%7Ba%7D'] });
  assert.equal(url!.event_json, undefined, 'a URL rewritten: the text is not the event');
  assert.equal(v6!.event.src_ip, '2001:db8::5');
  assert.equal(v6!.event.dst_ip, '2001:db8::80');
  assert.equal(v6!.event_json, undefined, 'an address rewritten: the text is not the event');
  assert.ok(a!.event_json !== undefined);
  assert.deepEqual(JSON.parse(a!.event_json!), a!.event);
  assert.equal(b!.event.time, '2026-11-29T07:00:00.123Z');
  assert.equal(b!.event_json, undefined, 'time rewritten: the text is not the event');
  assert.equal(c!.event_json, undefined, 'a raw of its own in the head: not the event without raw');
  assert.deepEqual(JSON.parse(c!.raw_json!), { a: 1 });
});

test('bad lines are rejected one by one with their index and event id; the rest go on', () => {
  const d = decodeFrameBytes(frames(4, odd).lines, 1000);
  assert.equal(d.kind, 'batch');
  if (d.kind !== 'batch') return;
  assert.equal(d.count, odd.length);
  const why = new Map(d.rejected.map((r) => [r.index, r]));
  assert.equal(why.get(2)?.code, 'unknown_field');
  assert.equal(why.get(5)?.code, 'too_large');
  assert.match(why.get(5)!.reason, /raw: .* over the 65536-byte limit/);
  assert.equal(why.get(6)?.code, 'not_object');
  assert.match(why.get(6)!.reason, /not JSON/);
  assert.equal(why.get(7)?.code, 'bad_value');
  assert.equal(why.get(7)?.event_id, JSON.parse(odd[7]!.replace(',"raw":{"f":6}', '')).event_id);
  assert.equal(why.get(8)?.code, 'not_object', 'an empty line is a position, rejected');
  assert.equal(why.get(9)?.code, 'not_object');
  assert.deepEqual(d.items.map((x) => JSON.parse(x.raw_json!)), [{ a: 1 }, { b: 2 }, { e: 5 }, 'text']);
});

test('head, count and limits', () => {
  const { lines } = frames(3, connectorRecords.slice(0, 3));
  assert.deepEqual(decodeFrameBytes(lines, 2), { kind: 'too_large', seq: 3, count: 3 });
  const trailing = Buffer.concat([lines, Buffer.from('\n')]);
  assert.equal((decodeFrameBytes(trailing, 10) as { count: number }).count, 3, 'a final newline ends the last line');
  assert.deepEqual(decodeFrameBytes(Buffer.from('{"type":"batch","format":"lines","seq":"x"}\n{}'), 10), { kind: 'bad', message: 'batch needs an integer "seq"' });
  const empty = decodeFrameBytes(Buffer.from('{"type":"batch","format":"lines","seq":5}\n'), 10);
  assert.deepEqual(empty, { kind: 'batch', seq: 5, count: 0, items: [], rejected: [] });
  // A pretty-printed JSON frame is still a JSON frame, not a lines batch.
  const pretty = Buffer.from(JSON.stringify({ type: 'batch', seq: 6, events: [intrusion()] }, null, 2));
  assert.equal((decodeFrameBytes(pretty, 10) as { items: unknown[] }).items.length, 1);
  assert.deepEqual(decodeFrameBytes(Buffer.from('{"type":"heartbeat","status":{}}'), 10), { kind: 'frame', frame: { type: 'heartbeat', status: {} } });
});

test('a record with a newline in it makes its batch a JSON one', () => {
  const payloads = [Buffer.from('{"event_id":"a"}'), Buffer.from('{\n"event_id":"b"}')];
  const f = batchFrame(2, payloads, payloads[0]!.length + payloads[1]!.length, Buffer.allocUnsafe, 'lines');
  assert.deepEqual(JSON.parse(f.toString()), { type: 'batch', seq: 2, events: [{ event_id: 'a' }, { event_id: 'b' }] });
});

test('lines batches go only to an exchange whose hello says protocol 2 or later', () => {
  assert.equal(batchFormatFor(1), 'json');
  assert.equal(batchFormatFor(undefined), 'json');
  assert.equal(batchFormatFor('2'), 'json');
  assert.equal(batchFormatFor(2), 'lines');
  assert.equal(batchFormatFor(3), 'lines');
});

test('through the decoder thread: raw comes back beside each item, as sent', async () => {
  const decoder = new FrameDecoder(5000, silent);
  try {
    const { lines } = frames(11, [...connectorRecords, ...odd]);
    const { lines: lines2, json } = frames(12, [...connectorRecords, ...oddAsJson]);
    const [a, b, c] = await Promise.all([decoder.decode(lines), decoder.decode(lines2), decoder.decode(json)]);
    assert.deepEqual(stored(a), stored(decodeFrameBytes(lines, 5000)));
    assert.ok((a as { items: Array<{ raw_json?: string }> }).items.every((x) => typeof x.raw_json === 'string'));
    assert.deepEqual(stored(b), stored(c));
  } finally {
    await decoder.close();
  }
});
