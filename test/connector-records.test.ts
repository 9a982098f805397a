// The connector's wire records: an event's spool record with its sensor line spliced in as raw
// parses to the same value as the event serialized whole, and a batch frame is the JSON the
// exchange expects.
import test from 'node:test';
import assert from 'node:assert/strict';
import { eventRecord } from '../src/connector/event-record.js';
import { batchFrame } from '../src/connector/uplink/batch-frame.js';
import { mapEve } from '../src/connector/sources/map-eve.js';
import { demoAlert } from '../src/connector/demo/simulator.js';
import type { NormalizedEvent } from '../src/events/event.js';

test('eventRecord with the raw line equals JSON.stringify of the event', () => {
  for (let i = 0; i < 50; i++) {
    const line = JSON.stringify(demoAlert());
    // Spacing as some sensors write it must survive too: the line is spliced in as it is.
    for (const text of [line, line.replace(/,"/g, ', "')]) {
      const ev = mapEve(JSON.parse(text) as Record<string, unknown>, `s:1:${i}`)!;
      const rec = eventRecord(ev, text);
      assert.deepEqual(JSON.parse(rec), JSON.parse(JSON.stringify(ev)));
      assert.ok(ev.raw !== undefined, 'the event keeps its raw');
    }
  }
  const bare: NormalizedEvent = { event_id: 'x', type: 'intrusion', time: '2024-01-01T00:00:00.000Z' };
  assert.equal(eventRecord(bare, '{"a":1}'), JSON.stringify(bare), 'no raw: the text is not used');
});

test('batchFrame joins payloads into the batch frame', () => {
  const payloads = ['{"event_id":"a"}', '{"event_id":"b","raw":{"x":"é"}}'].map((s) => Buffer.from(s));
  const bytes = payloads.reduce((n, b) => n + b.length, 0);
  const frame = batchFrame(7, payloads, bytes);
  assert.deepEqual(JSON.parse(frame.toString()), { type: 'batch', seq: 7, events: [{ event_id: 'a' }, { event_id: 'b', raw: { x: 'é' } }] });
  const pooled = batchFrame(8, payloads, bytes, (n) => Buffer.alloc(n * 3, 0x20));
  assert.equal(pooled.length, frame.length + 0, 'sliced to the frame');
  assert.equal(JSON.parse(pooled.toString()).seq, 8);
  assert.deepEqual(JSON.parse(batchFrame(1, [], 0).toString()), { type: 'batch', seq: 1, events: [] });
});
