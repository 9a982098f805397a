// A batch frame built straight from spool records (each an event's JSON text), in one buffer.
//
// Two forms (docs/protocol.md §2): the JSON frame every exchange reads, and, where the exchange's
// hello says protocol 2 or later, the lines batch — a head line, then one record a line — which
// the exchange splits into events without parsing the frame as one document.
import { LINES_BATCH_PROTOCOL } from '../../protocol/frames.js';

export type BatchFormat = 'json' | 'lines';

/** The form to send to an exchange that greeted with protocol `protocol`. */
export function batchFormatFor(protocol: unknown): BatchFormat {
  return typeof protocol === 'number' && protocol >= LINES_BATCH_PROTOCOL ? 'lines' : 'json';
}

const NL = 0x0a;

/**
 * `{"type":"batch","seq":<seq>,"events":[<payload>,…]}`, or for 'lines'
 * `{"type":"batch","format":"lines","seq":<seq>}\n<payload>\n…`, in one buffer (from `alloc`,
 * sliced to size). A record holding a newline (none a source writes) makes that batch JSON.
 */
export function batchFrame(seq: number, payloads: readonly Buffer[], bytes: number, alloc: (size: number) => Buffer = Buffer.allocUnsafe, format: BatchFormat = 'json'): Buffer {
  const lines = format === 'lines' && payloads.every((p) => p.indexOf(NL) < 0);
  const head = lines ? `{"type":"batch","format":"lines","seq":${seq}}\n` : `{"type":"batch","seq":${seq},"events":[`;
  const size = head.length + bytes + Math.max(0, payloads.length - 1) + (lines ? 0 : 2);
  const frame = alloc(size).subarray(0, size);
  let at = frame.write(head, 0, 'latin1');
  const sep = lines ? NL : 0x2c; // \n or ,
  for (let i = 0; i < payloads.length; i++) {
    if (i > 0) frame[at++] = sep;
    at += payloads[i]!.copy(frame, at);
  }
  if (!lines) {
    frame[at++] = 0x5d; // ]
    frame[at++] = 0x7d; // }
  }
  return frame;
}
