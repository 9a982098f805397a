// The decode worker's thread: frames in as bytes, decoded frames out. A batch's items go back as
// JSON text: the main thread parses that faster than it would take a structured clone of the
// same objects, and far faster than parsing and validating the device's frame itself. The text
// comes in pieces of ITEMS_PER_PIECE items (~80 KB), not one: V8 puts a string over 128 KB in
// a memory mapping of its own, and mapping, faulting in and unmapping one per frame on each side
// cost more than the parse (measured on the main thread: 13.5 against 16.3 µs an event).
import { parentPort, workerData } from 'node:worker_threads';
import { decodeFrame, frameText } from './decode-frame.js';

export interface DecodeRequest { id: number; data: Uint8Array }
export type DecodeReply = { id: number; itemsJson?: string[] } & Record<string, unknown>;

const ITEMS_PER_PIECE = 64;

const { maxBatchEvents } = workerData as { maxBatchEvents: number };

parentPort!.on('message', (m: DecodeRequest) => {
  const d = decodeFrame(frameText(m.data), maxBatchEvents);
  if (d.kind === 'batch') {
    const { items, ...rest } = d;
    const itemsJson: string[] = [];
    for (let i = 0; i < items.length; i += ITEMS_PER_PIECE) itemsJson.push(JSON.stringify(items.slice(i, i + ITEMS_PER_PIECE)));
    parentPort!.postMessage({ id: m.id, ...rest, itemsJson } satisfies DecodeReply);
  } else {
    parentPort!.postMessage({ id: m.id, ...d } satisfies DecodeReply);
  }
});
