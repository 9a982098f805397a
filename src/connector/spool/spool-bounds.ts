// The segment spool's bound on disk use and what happens at it (SpoolFullPolicy): the options, the
// segment size, and making room. Policy `block` itself is the wait in SpoolAppender.takeGroup.
import type { SpoolLedger } from './spool-ledger.js';
import { segmentEnd } from './segment-file.js';
import type { SpoolFullPolicy } from './types.js';

export interface SegmentSpoolOptions {
  /** Bound on `stats().bytes`; what happens at the bound is `policy`. */
  maxBytes: number;
  policy: SpoolFullPolicy;
  /** A segment is closed once the next record would take it past this. Default 16 MiB (at most maxBytes / 8). */
  segmentBytes?: number;
  /** Called with the number of unacknowledged records `drop_oldest` just removed. */
  onDrop?: (n: number) => void;
  /** Recovery and corruption messages. */
  log?: (msg: string) => void;
}

const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;

export function checkOptions(opts: SegmentSpoolOptions): void {
  if (!(opts.maxBytes > 0)) throw new RangeError('spool maxBytes must be > 0');
  if (opts.segmentBytes !== undefined && !(opts.segmentBytes > 0)) throw new RangeError('spool segmentBytes must be > 0');
}

export function segmentBytesFor(opts: SegmentSpoolOptions): number {
  return opts.segmentBytes ?? Math.min(DEFAULT_SEGMENT_BYTES, Math.max(64 * 1024, Math.floor(opts.maxBytes / 8)));
}

/**
 * A fully acknowledged active segment counts for nothing in `bytes`, but appending to it would
 * count all of it again: start a fresh segment instead when that would cross the bound.
 */
export async function retireAckedActive(l: SpoolLedger, need: number, maxBytes: number): Promise<void> {
  const a = l.active;
  if (!a || a.seg.count === 0 || segmentEnd(a.seg) > l.ackedUpTo) return;
  if (l.liveBytes() + a.seg.size + need <= maxBytes) return;
  await l.retireActive();
  await l.collectGarbage();
}

/** Policy `drop_oldest`: removes the oldest segments until `need` more bytes fit. */
export async function dropForRoom(l: SpoolLedger, need: number, opts: SegmentSpoolOptions, log: (msg: string) => void): Promise<void> {
  let n = 0;
  while (l.bytesAfter(need) > opts.maxBytes) {
    const victim = l.segments.find((s) => segmentEnd(s) > l.ackedUpTo);
    if (!victim) break;
    if (l.active?.seg === victim) await l.retireActive();
    const next = l.segments[l.segments.indexOf(victim) + 1];
    const lost = segmentEnd(victim) - Math.max(victim.base, l.ackedUpTo);
    l.ackedUpTo = next ? next.base : l.nextSeq;
    l.depth -= lost;
    l.dropped += lost;
    n += lost;
  }
  if (n === 0) return;
  log(`spool: full, dropped the ${n} oldest unacknowledged records`);
  opts.onDrop?.(n);
  await l.collectGarbage();
}
