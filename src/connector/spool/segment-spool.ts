// The connector's spool as an append-only log of segment files `<20-digit base seq>.seg` holding
// `[u32 length][u32 crc32][payload]` records (record.ts), plus the ack position in `ack`.
// Appends are group-committed: every append call that queues up while a write + fdatasync is in
// flight goes out together in the next one, so concurrent callers share one fsync.
//
// This module opens the spool and handles acks, stats and close; the parts are beside it: the
// shared state and its upkeep (spool-ledger.ts), the bound and full policy (spool-bounds.ts), the
// append path (spool-appender.ts) and the read path (spool-reader.ts).
import { open } from 'node:fs/promises';
import { BufferPool } from './buffer-pool.js';
import { recoverSpool } from './recover.js';
import { segmentEnd } from './segment-file.js';
import { SpoolAppender } from './spool-appender.js';
import { checkOptions, segmentBytesFor, type SegmentSpoolOptions } from './spool-bounds.js';
import { SpoolLedger } from './spool-ledger.js';
import { SpoolReader } from './spool-reader.js';
import type { Spool, SpoolPayloads, SpoolRecord, SpoolStats } from './types.js';

export type { SegmentSpoolOptions } from './spool-bounds.js';

/** A lost ack position only means resending acked events (the exchange dedups by event_id), so
 *  acks are persisted lazily, at most this long after they happen (and at close). */
const ACK_FLUSH_MS = 200;

export async function openSegmentSpool(dir: string, opts: SegmentSpoolOptions): Promise<Spool> {
  checkOptions(opts);
  const log = opts.log ?? (() => {});
  const rec = await recoverSpool(dir, log);
  const ledger = new SpoolLedger(dir, rec.segments, rec.nextSeq, rec.ackedUpTo, rec.persistedAck, rec.dropped);
  const spool = new SegmentSpool(ledger, opts, log);
  await spool.start();
  return spool;
}

class SegmentSpool implements Spool {
  private readonly pool = new BufferPool();
  private readonly appender: SpoolAppender;
  private readonly reader: SpoolReader;

  private ackTimer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly l: SpoolLedger,
    private readonly opts: SegmentSpoolOptions,
    private readonly log: (msg: string) => void,
  ) {
    this.appender = new SpoolAppender(l, opts, segmentBytesFor(opts), this.pool, log);
    this.reader = new SpoolReader(l, this.pool, log);
  }

  /** Reopens the last segment for appending and removes segments recovery found fully acked. */
  async start(): Promise<void> {
    const l = this.l;
    const last = l.segments.at(-1);
    if (last && segmentEnd(last) === l.nextSeq) {
      l.active = { seg: last, fh: await open(last.path, 'r+'), named: true };
    }
    await l.collectGarbage();
  }

  append(jsons: string[]): Promise<void> {
    return this.appender.append(jsons);
  }

  read(fromSeq: number, max: number, maxBytes: number): Promise<SpoolRecord[]> {
    return this.reader.read(fromSeq, max, maxBytes);
  }

  readPayloads(fromSeq: number, max: number, maxBytes: number): Promise<SpoolPayloads> {
    return this.reader.readPayloads(fromSeq, max, maxBytes);
  }

  // ---- ack -------------------------------------------------------------------------------------

  /**
   * Moves the ack position in memory at once (freeing space for blocked appends) but persists it
   * lazily, within ACK_FLUSH_MS or at close: losing it in a crash only means the acknowledged
   * records after the older position are sent again, and the exchange stores one row per
   * (device, event_id), so they count as duplicates and nothing else. The exception is an ack
   * that empties a segment: the position is saved before the file is deleted (collectGarbage).
   */
  async ack(uptoSeq: number): Promise<void> {
    const l = this.l;
    if (l.closed) return;
    const to = Math.min(Math.floor(uptoSeq), l.nextSeq);
    if (!(to > l.ackedUpTo)) return;
    const n = l.countRecords(l.ackedUpTo, to);
    l.ackedUpTo = to;
    l.depth -= n;
    l.acked += n;
    this.appender.wakeSpaceWaiters();
    if (l.hasGarbage()) await l.collectGarbage();
    else this.scheduleAckFlush();
  }

  private scheduleAckFlush(): void {
    if (this.ackTimer) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = null;
      this.l.persistAck().catch((err: unknown) => this.log(`spool: saving the ack position failed: ${String(err)}`));
    }, ACK_FLUSH_MS);
    this.ackTimer.unref();
  }

  // ---- waiting, stats, close -------------------------------------------------------------------

  waitFor(seq: number): Promise<void> {
    return this.appender.waitFor(seq);
  }

  stats(): SpoolStats {
    const l = this.l;
    const bytes = l.liveBytes();
    return {
      depth: l.depth,
      bytes,
      appended: l.appended,
      acked: l.acked,
      dropped: l.dropped,
      ackedUpTo: l.ackedUpTo,
      nextSeq: l.nextSeq,
      full: this.appender.waitingForSpace || bytes >= this.opts.maxBytes,
    };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.l.closed = true;
    // Appends already queued are written; one waiting for space (policy block) is rejected.
    this.appender.wakeSpaceWaiters();
    await this.appender.drain();
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    try {
      await this.l.persistAck();
    } finally {
      await this.l.retireActive();
      this.reader.close();
      this.appender.releaseSeqWaiters();
    }
  }
}
