// Reads a run of records out of one segment file with positional reads, so it never touches the
// writer's file handle or position and can run while appends go on.
import { open } from 'node:fs/promises';
import type { BufferPool } from './buffer-pool.js';
import { HEADER_BYTES, parseRecord } from './record.js';
import type { SpoolRecord } from './types.js';

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

/** Appends records to `out` (payload bytes counted in `acc.bytes`) until a limit or `endSeq`. */
export async function readRun(run: ReadRun, lim: ReadLimits, out: SpoolRecord[], acc: { bytes: number }, pool: BufferPool): Promise<RunResult> {
  let { seq, off, skip } = run;
  const wanted = Math.min(lim.maxBytes + HEADER_BYTES * lim.max, (lim.max + skip) * run.avgRecord);
  let chunk = Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, Math.ceil(wanted * 1.1)));
  const fh = await open(run.path, 'r');
  // Payloads are copied out into strings, so the chunk buffer goes back to the pool at the end.
  let backing = pool.take(chunk);
  try {
    while (seq < run.endSeq && off < run.endByte && out.length < lim.max) {
      const len = Math.min(chunk, run.endByte - off);
      if (backing.length < len) {
        pool.give(backing);
        backing = pool.take(len);
      }
      const { bytesRead } = await fh.read(backing, 0, len, off);
      const view = backing.subarray(0, bytesRead);
      let p = 0;
      while (seq < run.endSeq && out.length < lim.max) {
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
          if (out.length > 0 && acc.bytes + payload > lim.maxBytes) return { seq, off: off + p };
          out.push({ seq, json: view.toString('utf8', p + HEADER_BYTES, p + r.size) });
          acc.bytes += payload;
        }
        p += r.size;
        seq++;
      }
      off += p;
    }
    return { seq, off };
  } finally {
    pool.give(backing);
    await fh.close();
  }
}
