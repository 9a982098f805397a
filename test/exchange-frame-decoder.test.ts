// Devices' frames decoded on the decoder thread: the same answers as decoding inline, in the
// order the frames went in, and a thread that dies fails only the frames it held.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame, frameText } from '../src/exchange/ingest/decode-frame.js';
import { Worker } from 'node:worker_threads';
import { FrameDecoder } from '../src/exchange/ingest/frame-decoder.js';
import { encodeBatch, decodePiece } from '../src/exchange/bus/batch-codec.js';
import { intrusion } from './helpers/exchange.js';

const silent = { warn() {}, error() {}, info() {}, debug() {} } as unknown as import('fastify').FastifyBaseLogger;

function batch(seq: number, events: unknown[]): Buffer {
  return Buffer.from(JSON.stringify({ type: 'batch', seq, events }));
}

test('a batch: valid events with raw carried as text, rejections with index, code and reason', () => {
  const good = intrusion({ raw: { alert: { signature_id: 1 }, note: 'ünïcode' } });
  const bad = { ...intrusion(), src_ip: 'not-an-ip' };
  const d = decodeFrame(batch(7, [good, bad, 'nope']).toString(), 100);
  assert.equal(d.kind, 'batch');
  if (d.kind !== 'batch') return;
  assert.equal(d.seq, 7);
  assert.equal(d.count, 3);
  assert.equal(d.items.length, 1);
  assert.equal(d.items[0]!.event.event_id, good.event_id);
  assert.equal(d.items[0]!.event.raw, undefined);
  assert.deepEqual(JSON.parse(d.items[0]!.raw_json!), good.raw);
  assert.deepEqual(d.rejected.map((r) => [r.index, r.event_id, r.code]), [[1, bad.event_id, 'bad_value'], [2, undefined, 'not_object']]);
  assert.match(d.rejected[0]!.reason, /src_ip/);
});

test('frame bytes read as UTF-8 text, whether all ASCII or not, and malformed bytes as U+FFFD', () => {
  const ascii = Buffer.from('{"type":"heartbeat","note":"plain \\u00e9"}');
  assert.equal(frameText(ascii), ascii.toString('utf8'));
  const multi = Buffer.from('{"note":"ünïcode ✓ 𝄞 日本"}');
  assert.equal(frameText(multi), '{"note":"ünïcode ✓ 𝄞 日本"}');
  const broken = Buffer.from([0x7b, 0x22, 0xc3, 0x22, 0xff, 0x7d]);
  assert.equal(frameText(broken), broken.toString('utf8'));
  assert.ok(frameText(broken).includes('\ufffd'));
  // A view into a larger buffer reads only its own bytes.
  const big = Buffer.from('xx{"a":"é"}yy');
  assert.equal(frameText(big.subarray(2, big.length - 2)), '{"a":"é"}');
});

test('frames that are not batches, and bad ones, are told apart', () => {
  assert.deepEqual(decodeFrame('{"type":"heartbeat","status":{}}', 10), { kind: 'frame', frame: { type: 'heartbeat', status: {} } });
  const notJson = decodeFrame('{"type":', 10);
  assert.equal(notJson.kind, 'bad');
  assert.match((notJson as { message: string }).message, /frame is not JSON/);
  assert.deepEqual(decodeFrame('42', 10), { kind: 'bad', message: 'frame is not a JSON object' });
  assert.deepEqual(decodeFrame('{"type":"batch","seq":"1","events":[]}', 10), { kind: 'bad', message: 'batch needs an integer "seq" and an array "events"' });
  assert.deepEqual(decodeFrame(batch(3, [intrusion(), intrusion(), intrusion()]).toString(), 2), { kind: 'too_large', seq: 3, count: 3 });
});

test('on the thread: the same answers as inline, in the order sent', async () => {
  const decoder = new FrameDecoder(5000, silent);
  try {
    const frames = Array.from({ length: 40 }, (_, i) => (i % 10 === 9
      ? Buffer.from(`{"type":"heartbeat","n":${i}}`)
      : batch(i, Array.from({ length: 1 + (i % 7) * 50 }, () => intrusion({ raw: { i, note: i % 2 ? 'ascii' : 'ünïcode ✓' } })))));
    const got = await Promise.all(frames.map((f) => decoder.decode(f)));
    assert.deepEqual(got, frames.map((f) => decodeFrame(f.toString(), 5000)));
    assert.ok((decoder as unknown as { worker: unknown }).worker, 'decoded on a thread, not inline');
  } finally {
    await decoder.close();
  }
});

test('a decoder thread that dies fails the frames it held; the next frame gets a new thread', async () => {
  const decoder = new FrameDecoder(5000, silent);
  try {
    await decoder.decode(batch(1, [intrusion()]));
    const held = Array.from({ length: 20 }, (_, i) => decoder.decode(batch(i + 2, Array.from({ length: 500 }, () => intrusion()))));
    await (decoder as unknown as { worker: import('node:worker_threads').Worker }).worker.terminate();
    const outcomes = await Promise.allSettled(held);
    assert.ok(outcomes.some((o) => o.status === 'rejected'), 'frames in hand are failed, not left hanging');
    for (const o of outcomes) if (o.status === 'rejected') assert.match(String(o.reason), /frame decoder thread exited/);
    const after = await decoder.decode(batch(99, [intrusion()]));
    assert.equal(after.kind, 'batch');
    assert.equal((after as { seq: number }).seq, 99);
    assert.ok((decoder as unknown as { worker: unknown }).worker, 'a new thread, not inline');
  } finally {
    await decoder.close();
  }
});

test('a decoder thread that cannot start leaves decoding on the main thread, and says so; the frames it held are decoded there, in order', async () => {
  const warned: string[] = [];
  const log = { ...silent, warn: (_o: unknown, msg: string) => warned.push(msg) } as unknown as import('fastify').FastifyBaseLogger;
  const decoder = new FrameDecoder(5000, log, () => new Worker('throw new Error("no thread here")', { eval: true }));
  try {
    const held = [batch(1, [intrusion()]), batch(11, [intrusion(), intrusion()]), Buffer.from('{"type":"batch"')];
    const answers = await Promise.all(held.map((f) => decoder.decode(f)));
    assert.deepEqual(answers, held.map((f) => decodeFrame(f.toString(), 5000)));
    assert.deepEqual(answers.map((a) => a.kind), ['batch', 'batch', 'bad']);
    const frame = batch(2, [intrusion(), { bad: true }]);
    assert.deepEqual(await decoder.decode(frame), decodeFrame(frame.toString(), 5000));
    assert.equal((decoder as unknown as { worker: unknown }).worker, null);
    assert.deepEqual(warned, ['frame decoder thread could not start; decoding frames on the main thread']);
  } finally {
    await decoder.close();
  }
});

test('through JetStream an item whose raw is only text arrives with raw as an object', () => {
  const ev = intrusion({ raw: { flow_id: 12, payload: 'a"b' } });
  const { raw, ...rest } = ev;
  const pieces = encodeBatch('dev-1', [{ org_id: 'org-1', device_id: 'dev-1', event: rest, raw_json: JSON.stringify(raw) }], 1 << 20);
  const items = decodePiece(pieces[0]!.data);
  assert.deepEqual(items[0]!.event, ev);
});
