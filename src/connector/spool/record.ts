// The on-disk record: [u32 payload length BE][u32 CRC-32 of payload BE][payload, UTF-8 JSON].
// Every record of one append call is encoded into a single Buffer, so the call costs one write.
import { crc32 } from './crc32.js';

export const HEADER_BYTES = 8;
/**
 * Upper bound on a payload. Recovery treats a larger length as corruption, which keeps a
 * garbage length field from making it read (or wait for) gigabytes.
 */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

export interface EncodedBatch {
  /** The records, back to back. */
  buf: Buffer;
  /** The (possibly larger, pooled) buffer `buf` lies in. */
  backing: Buffer;
  /** Encoded size (header + payload) of each record, in order. */
  sizes: Uint32Array;
}

export function encodeBatch(jsons: readonly string[], alloc: (size: number) => Buffer = Buffer.allocUnsafe): EncodedBatch {
  const sizes = new Uint32Array(jsons.length);
  let total = 0;
  for (let i = 0; i < jsons.length; i++) {
    const len = Buffer.byteLength(jsons[i]!, 'utf8');
    // Empty payloads are refused: a zero-filled tail (what a power cut can leave) would
    // otherwise parse as valid records of length 0 and CRC 0.
    if (len === 0) throw new RangeError(`spool record ${i} is empty`);
    if (len > MAX_RECORD_BYTES) throw new RangeError(`spool record ${i} is ${len} bytes (max ${MAX_RECORD_BYTES})`);
    sizes[i] = HEADER_BYTES + len;
    total += HEADER_BYTES + len;
  }
  const backing = alloc(total);
  const buf = backing.subarray(0, total);
  let off = 0;
  for (let i = 0; i < jsons.length; i++) {
    const size = sizes[i]!;
    const start = off + HEADER_BYTES;
    buf.write(jsons[i]!, start, 'utf8');
    buf.writeUInt32BE(size - HEADER_BYTES, off);
    buf.writeUInt32BE(crc32(buf.subarray(start, off + size)), off + 4);
    off += size;
  }
  return { buf, backing, sizes };
}

export type Parsed =
  | { kind: 'record'; size: number }
  /** Not enough bytes in `buf` for the record starting at `at`: `need` bytes from `at` are. */
  | { kind: 'short'; need: number }
  | { kind: 'bad'; reason: string };

/** Checks the record at `buf[at]`: complete, sane length, matching CRC. */
export function parseRecord(buf: Buffer, at: number): Parsed {
  if (buf.length - at < HEADER_BYTES) return { kind: 'short', need: HEADER_BYTES };
  const len = buf.readUInt32BE(at);
  if (len === 0 || len > MAX_RECORD_BYTES) return { kind: 'bad', reason: `implausible length ${len}` };
  const end = at + HEADER_BYTES + len;
  if (end > buf.length) return { kind: 'short', need: HEADER_BYTES + len };
  if (crc32(buf.subarray(at + HEADER_BYTES, end)) !== buf.readUInt32BE(at + 4)) return { kind: 'bad', reason: 'CRC mismatch' };
  return { kind: 'record', size: HEADER_BYTES + len };
}
