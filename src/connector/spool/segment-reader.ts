// Reads a run of records out of one segment file with positional reads, so it never touches the
// writer's file handle or position and can run while appends go on.
import type { FileHandle } from 'node:fs/promises';
import type { BufferPool } from './buffer-pool.js';
import { HEADER_BYTES, parseRecord } from './record.js';

const MIN_CHUNK = 64 * 1024;
const MAX_CHUNK = 16 * 1024 * 1024;

export interface ReadRun {
  path: string;
  /** Seq of the record at `off`. */
  seq: number;
  off: number;
  /** Records to step over before the first one returned (the index is sparse). */
  skip: number;
  /** Stop before this seq / byte offset: the durable end of the segment when the read began. */
  endSeq: number;
  endByte: number;
  /** Typical encoded record size, to size the reads. */
  avgRecord: number;
}

export interface ReadLimits {
  max: number;
  maxBytes: number;
}

export interface RunResult {
  /** Seq and byte offset where the run stopped. */
  seq: number;
  off: number;
  /** Set when the record at `seq` failed its length or CRC check. */
  bad?: string;
}

/**
 * Takes one record's payload, `buf[start, end)`. With `held`, `buf` stays valid after the call
 * (the receiver may keep views of it); without, only during the call.
 */
export type EmitRecord = (seq: number, buf: Buffer, start: number, end: number) => void;

/**
 * Emits records until a limit or `endSeq`, counting them and their payload bytes in `acc`, read
 * through `fh`, the segment's file opened for reading (the caller's to close).
 * With `held`, every chunk buffer a record was emitted from is pushed there instead of going back
 * to the pool, so views of it stay valid; the caller gives them back once done with them.
 */
export async function readRun(
  fh: FileHandle,
  run: ReadRun,
  lim: ReadLimits,
  emit: EmitRecord,
  acc: { bytes: number; count: number },
  pool: BufferPool,
  held?: Buffer[],
): Promise<RunResult> {
  let { seq, off, skip } = run;
  const wanted = Math.min(lim.maxBytes + HEADER_BYTES * lim.max, (lim.max + skip) * run.avgRecord);
  let chunk = Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, Math.ceil(wanted * 1.1)));
  let backing: Buffer | null = pool.take(chunk);
  try {
    while (seq < run.endSeq && off < run.endByte && acc.count < lim.max) {
      const len = Math.min(chunk, run.endByte - off);
      if (backing === null) backing = pool.take(len);
      else if (backing.length < len) {
        pool.give(backing);
        backing = pool.take(len);
      }
      const { bytesRead } = await fh.read(backing, 0, len, off);
      const view = backing.subarray(0, bytesRead);
      let p = 0;
      let emitted = false;
      try {
        while (seq < run.endSeq && acc.count < lim.max) {
          const r = parseRecord(view, p);
          if (r.kind === 'short') {
            // The record runs past this chunk: read again from its start, big enough to hold it.
            if (p === 0) {
              if (bytesRead < len || r.need > run.endByte - off) return { seq, off, bad: `record at byte ${off} runs past the segment's end` };
              chunk = Math.max(chunk, r.need);
            }
            break;
          }
          if (r.kind === 'bad') return { seq, off: off + p, bad: `${r.reason} at byte ${off + p}` };
          if (skip > 0) {
            skip--;
          } else {
            const payload = r.size - HEADER_BYTES;
            // At most about maxBytes, but always at least one record so a big one can't stall.
            if (acc.count > 0 && acc.bytes + payload > lim.maxBytes) return { seq, off: off + p };
            emit(seq, backing, p + HEADER_BYTES, p + r.size);
            emitted = true;
            acc.bytes += payload;
            acc.count++;
          }
          p += r.size;
          seq++;
        }
      } finally {
        if (emitted && held) {
          held.push(backing);
          backing = null;
        }
      }
      off += p;
    }
    return { seq, off };
  } finally {
    if (backing) pool.give(backing);
  }
}
