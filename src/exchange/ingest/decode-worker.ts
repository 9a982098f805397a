// The decode worker's thread: frames in as bytes, decoded frames out. A batch's items go back as
// one JSON text: the main thread parses that faster than it would take a structured clone of the
// same objects, and far faster than parsing and validating the device's frame itself.
import { parentPort, workerData } from 'node:worker_threads';
import { decodeFrame, frameText } from './decode-frame.js';

export interface DecodeRequest { id: number; data: Uint8Array }
export type DecodeReply = { id: number; itemsJson?: string } & Record<string, unknown>;

const { maxBatchEvents } = workerData as { maxBatchEvents: number };

parentPort!.on('message', (m: DecodeRequest) => {
  const d = decodeFrame(frameText(m.data), maxBatchEvents);
  if (d.kind === 'batch') {
    const { items, ...rest } = d;
    parentPort!.postMessage({ id: m.id, ...rest, itemsJson: JSON.stringify(items) } satisfies DecodeReply);
  } else {
    parentPort!.postMessage({ id: m.id, ...d } satisfies DecodeReply);
  }
});
