// The decode worker's thread: frames in as bytes, decoded frames out. A batch's items go back as
// JSON text: the main thread parses that faster than it would take a structured clone of the
// same objects, and far faster than parsing and validating the device's frame itself. The text
// comes in pieces of ITEMS_PER_PIECE items (each far under 128 KB), not one: V8 puts a string over 128 KB in
// a memory mapping of its own, and mapping, faulting in and unmapping one per frame on each side
// cost more than the parse (measured on the main thread: 13.5 against 16.3 µs an event).
// Each item's raw_json goes beside its piece as a string of its own, not inside the piece's
// JSON: a string crosses as its bytes, where inside JSON it would be escaped here and unescaped
// there, and it is most of an event's bytes.
import { parentPort, workerData } from 'node:worker_threads';
import { decodeFrameBytes } from './decode-frame.js';

export interface DecodeRequest { id: number; data: Uint8Array }
/** `itemsJson`: the items without raw_json, in pieces; `raws`: each item's raw_json or null. */
export type DecodeReply = { id: number; itemsJson?: string[]; raws?: Array<string | null> } & Record<string, unknown>;

const ITEMS_PER_PIECE = 64;

const { maxBatchEvents } = workerData as { maxBatchEvents: number };

parentPort!.on('message', (m: DecodeRequest) => {
  const d = decodeFrameBytes(m.data, maxBatchEvents);
  if (d.kind === 'batch') {
    const { items, ...rest } = d;
    const itemsJson: string[] = [];
    const raws: Array<string | null> = new Array(items.length);
    for (let i = 0; i < items.length; i += ITEMS_PER_PIECE) {
      let piece = '[';
      for (let j = i; j < Math.min(items.length, i + ITEMS_PER_PIECE); j++) {
        const it = items[j]!;
        raws[j] = it.raw_json ?? null;
        piece += `${j > i ? ',' : ''}${it.event_json ?? JSON.stringify(it.event)}`;
      }
      itemsJson.push(`${piece}]`);
    }
    parentPort!.postMessage({ id: m.id, ...rest, itemsJson, raws } satisfies DecodeReply);
  } else {
    parentPort!.postMessage({ id: m.id, ...d } satisfies DecodeReply);
  }
});
