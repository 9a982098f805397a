// A lines batch (protocol 2, docs/protocol.md §2): a head line, then one event's JSON a line.
//
// Why not one JSON document: the frame splits into events before any of it becomes a string,
// so no string outgrows V8's 128 KB (each such string costs a memory mapping of its own), and an
// event's `raw` — most of its bytes — is taken as the text the device sent, checked by one parse
// and stored as it came, instead of being parsed as part of the frame and written out again.
import { isAscii } from 'node:buffer';
import { REJECT, validateEvent, type ValidationResult } from '../../events/validate.js';
import type { Rejection } from '../../protocol/frames.js';
import type { DecodedFrame, DecodedItem } from './decode-frame.js';

/** The members a lines batch's head line must have. */
export interface LinesHead { type: 'batch'; format: 'lines'; seq: number }

const NL = 0x0a;
/** What a connector writes before `raw`, when raw is the event's last member (its records always). */
const RAW_KEY = ',"raw":';
/** A head line is short; a longer first line is not one. */
const MAX_HEAD_BYTES = 256;

/** The head of a lines batch, or undefined when `bytes` is not one (a JSON frame, say). */
export function linesHead(bytes: Buffer): LinesHead | undefined {
  if (bytes[0] !== 0x7b) return undefined;
  const nl = bytes.indexOf(NL, 0);
  if (nl < 0 || nl > MAX_HEAD_BYTES) return undefined;
  let head: unknown;
  try {
    head = JSON.parse(bytes.toString('utf8', 0, nl));
  } catch {
    return undefined;
  }
  const h = head as Partial<LinesHead> | null;
  return h !== null && typeof h === 'object' && h.type === 'batch' && h.format === 'lines' ? (h as LinesHead) : undefined;
}

interface Line {
  result: ValidationResult;
  /** What was parsed, for the event_id a rejection names. */
  parsed: unknown;
  /** The event's JSON without raw, as the device sent it, when it is the validated event's. */
  json?: string;
}

/** One event line: its head and raw parsed apart when it ends in `,"raw":<raw>}`, else whole. */
function decodeLine(line: string): Line {
  const p = line.indexOf(RAW_KEY);
  if (p > 0 && line.charCodeAt(line.length - 1) === 0x7d) {
    // Sound for any line: if both parts parse, the line is the head's object with raw as its
    // last member (a RAW_KEY inside a string, or in a nested object, leaves a head that does not
    // parse). A JSON duplicate key resolves to the last, and raw is the last here.
    const headText = `${line.slice(0, p)}}`;
    const rawText = line.slice(p + RAW_KEY.length, -1);
    let head: Record<string, unknown> | undefined;
    let ownRaw = false;
    try {
      const h: unknown = JSON.parse(headText);
      if (h !== null && typeof h === 'object' && !Array.isArray(h)) {
        ownRaw = Object.hasOwn(h, 'raw');
        (h as Record<string, unknown>).raw = JSON.parse(rawText);
        head = h as Record<string, unknown>;
      }
    } catch {
      // Parsed whole below, for the reason the device should hear.
    }
    if (head) {
      const { time, src_ip: src, dst_ip: dst, observables } = head;
      const result = validateEvent(head, rawText);
      // Validation copies the event and at most rewrites its time, addresses and observables
      // (a connector has already): with them as they came, the head's text is the event's JSON
      // and need not be written.
      const e = result.ok ? result.event : undefined;
      const same = e !== undefined && e.time === time && e.src_ip === src && e.dst_ip === dst && e.observables === observables && !ownRaw;
      return { result, parsed: head, json: same ? headText : undefined };
    }
  }
  let ev: unknown;
  try {
    ev = JSON.parse(line);
  } catch (e) {
    return { result: { ok: false, code: REJECT.NOT_OBJECT, reason: `event: not JSON (${(e as Error).message.slice(0, 120)})` }, parsed: undefined };
  }
  return { result: validateEvent(ev), parsed: ev };
}

export function decodeLines(bytes: Buffer, head: LinesHead, maxBatchEvents: number): DecodedFrame {
  if (!Number.isSafeInteger(head.seq)) return { kind: 'bad', message: 'batch needs an integer "seq"' };
  // Lines after the head; a newline at the very end closes the last, it does not open one more.
  const start = bytes.indexOf(NL, 0) + 1;
  let count = 0;
  if (start < bytes.length) {
    count = 1;
    for (let at = bytes.indexOf(NL, start); at >= 0 && at < bytes.length - 1; at = bytes.indexOf(NL, at + 1)) count++;
  }
  if (count > maxBatchEvents) return { kind: 'too_large', seq: head.seq, count };
  // JSON escapes all but ASCII, so frames nearly always are: latin1 then reads the same text as
  // UTF-8 at less than half the cost. ws has checked a text frame's UTF-8 already.
  const enc = isAscii(bytes) ? 'latin1' : 'utf8';
  const items: DecodedItem[] = [];
  const rejected: Rejection[] = [];
  let at = start;
  for (let i = 0; i < count; i++) {
    let end = bytes.indexOf(NL, at);
    if (end < 0) end = bytes.length;
    const { result: r, parsed, json } = decodeLine(bytes.toString(enc, at, end));
    at = end + 1;
    if (r.ok) {
      if (r.rawJson !== undefined) {
        delete r.event.raw;
        items.push(json === undefined ? { event: r.event, raw_json: r.rawJson } : { event: r.event, raw_json: r.rawJson, event_json: json });
      } else {
        items.push({ event: r.event });
      }
    } else {
      const id = (parsed as { event_id?: unknown } | null | undefined)?.event_id;
      rejected.push({ index: i, event_id: typeof id === 'string' ? id : undefined, code: r.code, reason: r.reason });
    }
  }
  return { kind: 'batch', seq: head.seq, count, items, rejected };
}
