// The segment spool's append path. Appends are group-committed: every append call that queues up
// while a write + fdatasync is in flight goes out together in the next one, so concurrent callers
// share one fsync. Also wakes the readers waiting for a seq to exist.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { BufferPool } from './buffer-pool.js';
import { syncDir, writeFully } from './fs-util.js';
import { encodeBatch, type EncodedBatch } from './record.js';
import { INDEX_EVERY, segmentEnd, segmentName, type Segment } from './segment-file.js';
import { countDrop, dropForRoom, retireAckedActive, type SegmentSpoolOptions } from './spool-bounds.js';
import type { SpoolLedger } from './spool-ledger.js';

/** Cap on one group commit, so a long queue doesn't turn into one huge buffer. */
const GROUP_BYTES = 8 * 1024 * 1024;

/** Policy `drop_oldest`, when only records awaiting their ack fill the spool: how long to wait for
 *  an ack before dropping incoming records instead. Acks from a live exchange take milliseconds. */
const ACK_WAIT_MS = 1000;

interface PendingAppend {
  batch: EncodedBatch;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class SpoolAppender {
  private readonly queue: PendingAppend[] = [];
  private writing = false;
  private writer: Promise<void> = Promise.resolve();
  private waiting = false;
  private spaceWaiters: (() => void)[] = [];
  private seqWaiters: { seq: number; resolve: () => void }[] = [];
  /** A wait for acks (drop_oldest) ran out: don't wait again until an ack comes, so a gone
   *  exchange costs the sources one wait, not one per append. */
  private acksStalled = false;

  constructor(
    private readonly l: SpoolLedger,
    private readonly opts: SegmentSpoolOptions,
    private readonly segmentBytes: number,
    private readonly pool: BufferPool,
    private readonly log: (msg: string) => void,
  ) {}

  /** An append is waiting for acks to free space (policy `block`). */
  get waitingForSpace(): boolean {
    return this.waiting;
  }

  append(jsons: string[]): Promise<void> {
    if (this.l.closed) return Promise.reject(new Error('spool is closed'));
    if (jsons.length === 0) return Promise.resolve();
    let batch: EncodedBatch;
    try {
      // Encoded here, on the caller's turn, so encoding overlaps the fsync already in flight.
      batch = encodeBatch(jsons, (n) => this.pool.take(n));
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        this.writer = this.runWriter();
      }
    });
  }

  /** Lets appends waiting for space look again (after an ack, or to fail them at close). */
  wakeSpaceWaiters(): void {
    this.acksStalled = false;
    for (const w of this.spaceWaiters.splice(0)) w();
  }

  /** Resolves once the writer has nothing left to do. */
  async drain(): Promise<void> {
    while (this.writing) await this.writer;
  }

  /** The single writer: takes queued appends in order, a group at a time. Never rejects. */
  private async runWriter(): Promise<void> {
    while (this.queue.length > 0) {
      let group: PendingAppend[];
      try {
        group = await this.takeGroup();
      } catch (err) {
        // Only housekeeping (closing/deleting an old segment) can fail here; fail the oldest
        // append rather than wedge the writer.
        this.queue.shift()?.reject(err);
        continue;
      }
      if (group.length === 0) continue;
      try {
        let batches = group.map((g) => g.batch);
        if (this.opts.policy === 'drop_oldest') batches = await this.makeRoom(batches);
        await this.commit(batches);
        for (const g of group) g.resolve();
      } catch (err) {
        for (const g of group) g.reject(err);
      }
      for (const g of group) this.pool.give(g.batch.backing);
      try {
        await this.l.collectGarbage();
      } catch (err) {
        this.log(`spool: removing acknowledged segments failed: ${String(err)}`);
      }
    }
    this.writing = false;
  }

  /**
   * Policy `drop_oldest`: drops unsent records, oldest first, until the batches fit under the
   * bound. When what is left is records awaiting their ack, waits a while for acks; if none come,
   * the incoming records that do not fit are the unsent ones to drop (oldest of them first).
   */
  private async makeRoom(batches: EncodedBatch[]): Promise<EncodedBatch[]> {
    const l = this.l;
    const bytes = batches.reduce((n, b) => n + b.buf.length, 0);
    for (;;) {
      const before = l.dropped;
      const fits = await dropForRoom(l, bytes, this.opts);
      if (l.dropped > before) this.log(`spool: full, dropped the ${l.dropped - before} oldest unsent records`);
      if (fits) return batches;
      if (this.acksStalled || l.closed || l.sentUpTo <= l.ackedUpTo) break;
      const acked = l.ackedUpTo;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ACK_WAIT_MS);
        this.spaceWaiters.push(() => { clearTimeout(t); resolve(); });
      });
      if (l.ackedUpTo === acked) this.acksStalled = true;
    }
    let room = Math.max(0, this.opts.maxBytes - l.bytesAfter(0));
    const kept: EncodedBatch[] = [];
    let lost = 0;
    // Newest first: what fits of the newest records is kept.
    for (let i = batches.length - 1; i >= 0; i--) {
      const b = batches[i]!;
      let keep = 0;
      let keepBytes = 0;
      while (keep < b.sizes.length && keepBytes + b.sizes[b.sizes.length - 1 - keep]! <= room) keepBytes += b.sizes[b.sizes.length - 1 - keep++]!;
      room -= keepBytes;
      lost += b.sizes.length - keep;
      if (keep > 0) kept.unshift({ buf: b.buf.subarray(b.buf.length - keepBytes), backing: b.backing, sizes: b.sizes.subarray(b.sizes.length - keep) });
      if (keep < b.sizes.length) room = 0;
    }
    if (lost > 0) {
      this.log(`spool: full of records awaiting their ack, dropped ${lost} incoming records`);
      countDrop(l, lost, this.opts);
    }
    return kept;
  }

  /** Dequeues the next group; with policy `block`, first waits until the oldest append fits. */
  private async takeGroup(): Promise<PendingAppend[]> {
    const block = this.opts.policy === 'block';
    const l = this.l;
    for (;;) {
      const first = this.queue[0];
      if (!first) return [];
      await retireAckedActive(l, first.batch.buf.length, this.opts.maxBytes);
      // An append bigger than the whole bound goes through once nothing is unacknowledged,
      // otherwise it would wait forever.
      if (block && l.depth > 0 && l.bytesAfter(first.batch.buf.length) > this.opts.maxBytes) {
        if (l.closed) {
          const err = new Error('spool is closed');
          for (const p of this.queue.splice(0)) p.reject(err);
          return [];
        }
        this.waiting = true;
        await new Promise<void>((r) => this.spaceWaiters.push(r));
        this.waiting = false;
        continue;
      }
      const group = [this.queue.shift()!];
      let total = first.batch.buf.length;
      for (let next = this.queue[0]; next; next = this.queue[0]) {
        const n = next.batch.buf.length;
        if (total + n > GROUP_BYTES) break;
        if (block && l.bytesAfter(total + n) > this.opts.maxBytes) break;
        // One group never outgrows the bound, so one append's records can't push out another's.
        if (!block && total + n > this.opts.maxBytes) break;
        group.push(this.queue.shift()!);
        total += n;
      }
      return group;
    }
  }

  /**
   * Writes the batches behind the last record, one write + fdatasync per segment touched (one in
   * the common case), and makes the records visible only once they are durable.
   */
  private async commit(batches: EncodedBatch[]): Promise<void> {
    const l = this.l;
    if (l.active && (l.sealed || segmentEnd(l.active.seg) !== l.nextSeq)) await l.retireActive();
    let pieces: Buffer[] = [];
    let pendingBytes = 0;
    let pendingCount = 0;
    let offsets: number[] = [];
    const flush = async (): Promise<void> => {
      const a = l.active;
      if (!a || pendingCount === 0) return;
      let joined: Buffer | null = null;
      let buf = pieces[0]!;
      if (pieces.length > 1) {
        joined = this.pool.take(pendingBytes);
        buf = joined.subarray(0, pendingBytes);
        let at = 0;
        for (const p of pieces) at += p.copy(buf, at);
      }
      try {
        await writeFully(a.fh, buf, a.seg.dataEnd);
        await a.fh.datasync();
        if (!a.named) {
          await syncDir(l.dir);
          a.named = true;
        }
      } catch (err) {
        // Leave no partial record where the next write would go; if even that fails, recovery
        // treats the remainder as a corrupt tail. Either way new records go to a new segment.
        await a.fh.truncate(a.seg.dataEnd).catch(() => {});
        l.sealed = true;
        throw err;
      } finally {
        if (joined) this.pool.give(joined);
      }
      for (const o of offsets) a.seg.offsets.push(o);
      a.seg.count += pendingCount;
      a.seg.dataEnd += pendingBytes;
      a.seg.size = a.seg.dataEnd;
      l.nextSeq += pendingCount;
      l.depth += pendingCount;
      l.appended += pendingCount;
      pieces = [];
      offsets = [];
      pendingBytes = 0;
      pendingCount = 0;
      this.wakeSeqWaiters();
    };
    for (const b of batches) {
      let runStart = 0;
      let off = 0;
      for (const size of b.sizes) {
        const a = l.active;
        const used = a ? a.seg.dataEnd + pendingBytes : 0;
        if (!a || (used > 0 && used + size > this.segmentBytes)) {
          if (off > runStart) pieces.push(b.buf.subarray(runStart, off));
          runStart = off;
          await flush();
          await this.openSegment();
        }
        const seg = l.active!.seg;
        if ((seg.count + pendingCount) % INDEX_EVERY === 0) offsets.push(seg.dataEnd + pendingBytes);
        pendingBytes += size;
        pendingCount++;
        off += size;
      }
      if (off > runStart) pieces.push(b.buf.subarray(runStart, off));
    }
    await flush();
  }

  /** Starts a new segment named after the next seq; its name is made durable by the first flush. */
  private async openSegment(): Promise<void> {
    const l = this.l;
    if (l.active) await l.retireActive();
    const seg: Segment = { base: l.nextSeq, count: 0, dataEnd: 0, size: 0, path: join(l.dir, segmentName(l.nextSeq)), offsets: [] };
    // A fresh segment whose first write failed has this very name: start it over.
    if (l.segments.at(-1)?.base === seg.base) l.segments.pop();
    const fh = await open(seg.path, 'w');
    l.segments.push(seg);
    l.active = { seg, fh, named: false };
    l.sealed = false;
  }

  // ---- waiting for records -----------------------------------------------------------------------

  /** Resolves when a record with seq ≥ `seq` exists (or the spool closes). */
  waitFor(seq: number): Promise<void> {
    if (this.l.closed || this.l.nextSeq > seq) return Promise.resolve();
    return new Promise((resolve) => this.seqWaiters.push({ seq, resolve }));
  }

  private wakeSeqWaiters(): void {
    if (this.seqWaiters.length === 0) return;
    const still: typeof this.seqWaiters = [];
    for (const w of this.seqWaiters) {
      if (this.l.nextSeq > w.seq) w.resolve();
      else still.push(w);
    }
    this.seqWaiters = still;
  }

  /** At close: every waiter resolves. */
  releaseSeqWaiters(): void {
    for (const w of this.seqWaiters.splice(0)) w.resolve();
  }
}
