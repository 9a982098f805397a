// The segment spool's bound on disk use and what happens at it (SpoolFullPolicy): the options, the
// segment size, and making room. Policy `block` itself is the wait in SpoolAppender.takeGroup.
import type { SpoolLedger } from './spool-ledger.js';
import { segmentEnd } from './segment-file.js';
import type { SpoolFullPolicy } from './types.js';

export interface SegmentSpoolOptions {
  /** Bound on `stats().bytes`; what happens at the bound is `policy`. */
  maxBytes: number;
  policy: SpoolFullPolicy;
  /** A segment is closed once the next record would take it past this. Default maxBytes / 8, within
   *  4 KiB–16 MiB: `drop_oldest` frees whole segments, so a segment must be a small part of the bound. */
  segmentBytes?: number;
  /** Called with the number of records `drop_oldest` just removed, none of them ever sent. */
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
  return opts.segmentBytes ?? Math.min(DEFAULT_SEGMENT_BYTES, Math.max(4 * 1024, Math.floor(opts.maxBytes / 8)));
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

/**
 * Policy `drop_oldest`: removes the oldest unsent segments until `need` more bytes fit, and says
 * whether they do. Records already read for sending are never dropped: they are in flight (or were,
 * on a connection that died) and the exchange may have stored them; they will be acked or sent
 * again. So a drop counts only records that will never be sent. A dropped segment behind records
 * still awaiting their ack becomes a tombstone (SpoolLedger.tombstone).
 */
export async function dropForRoom(l: SpoolLedger, need: number, opts: SegmentSpoolOptions): Promise<boolean> {
  let n = 0;
  while (l.bytesAfter(need) > opts.maxBytes) {
    const victim = l.segments.find((s) => s.count > 0 && segmentEnd(s) > l.ackedUpTo && Math.max(s.base, l.ackedUpTo) >= l.sentUpTo);
    if (!victim) break;
    if (l.active?.seg === victim) await l.retireActive();
    const lost = segmentEnd(victim) - Math.max(victim.base, l.ackedUpTo);
    if (l.countRecords(l.ackedUpTo, victim.base) === 0) {
      const next = l.segments[l.segments.indexOf(victim) + 1];
      l.ackedUpTo = next ? next.base : l.nextSeq;
    } else {
      await l.tombstone(victim);
    }
    l.depth -= lost;
    n += lost;
  }
  if (n > 0) {
    countDrop(l, n, opts);
    await l.collectGarbage();
  }
  return l.bytesAfter(need) <= opts.maxBytes;
}

export function countDrop(l: SpoolLedger, n: number, opts: SegmentSpoolOptions): void {
  l.dropped += n;
  opts.onDrop?.(n);
}
