// The connector's spool as an append-only log of segment files `<20-digit base seq>.seg` holding
// `[u32 length][u32 crc32][payload]` records (record.ts), plus the ack position in `ack`.
// Appends are group-committed: every append call that queues up while a write + fdatasync is in
// flight goes out together in the next one, so concurrent callers share one fsync.
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAckPosition } from './ack-file.js';
import { BufferPool } from './buffer-pool.js';
import { syncDir, writeFully } from './fs-util.js';
import { encodeBatch, type EncodedBatch } from './record.js';
import { recoverSpool } from './recover.js';
import { readRun, type EmitRecord } from './segment-reader.js';
import { INDEX_EVERY, segmentEnd, segmentName, type Segment } from './segment-file.js';
import type { Spool, SpoolFullPolicy, SpoolPayloads, SpoolRecord, SpoolStats } from './types.js';

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
/** A lost ack position only means resending acked events (the exchange dedups by event_id), so
 *  acks are persisted lazily, at most this long after they happen (and at close). */
const ACK_FLUSH_MS = 200;
/** Cap on one group commit, so a long queue doesn't turn into one huge buffer. */
const GROUP_BYTES = 8 * 1024 * 1024;

interface PendingAppend {
  batch: EncodedBatch;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Active {
  seg: Segment;
  fh: FileHandle;
  /** Whether the file's directory entry is durable yet (a fresh segment needs a dir fsync). */
  named: boolean;
}

export async function openSegmentSpool(dir: string, opts: SegmentSpoolOptions): Promise<Spool> {
  if (!(opts.maxBytes > 0)) throw new RangeError('spool maxBytes must be > 0');
  if (opts.segmentBytes !== undefined && !(opts.segmentBytes > 0)) throw new RangeError('spool segmentBytes must be > 0');
  const log = opts.log ?? (() => {});
  const rec = await recoverSpool(dir, log);
  const spool = new SegmentSpool(dir, opts, log, rec.segments, rec.nextSeq, rec.ackedUpTo, rec.persistedAck, rec.dropped);
  await spool.start();
  return spool;
}

class SegmentSpool implements Spool {
  private readonly segmentBytes: number;
  private active: Active | null = null;
  /** Set when the active segment must not take more records (after a failed write). */
  private sealed = false;

  private depth: number;
  private appended = 0;
  private acked = 0;

  private readonly pool = new BufferPool();
  private readonly queue: PendingAppend[] = [];
  private writing = false;
  private writer: Promise<void> = Promise.resolve();
  private waitingForSpace = false;
  private spaceWaiters: (() => void)[] = [];
  private seqWaiters: { seq: number; resolve: () => void }[] = [];

  private ackTimer: NodeJS.Timeout | null = null;
  private ackChain: Promise<void> = Promise.resolve();
  /** Where the last read stopped, so a sequential reader needs no index lookup or skipping. */
  private cursor: { seq: number; base: number; off: number } | null = null;
  /** Seqs of records found corrupt by read(), so re-reading them counts the loss only once. */
  private readonly lostOnRead = new Set<number>();
  private closed = false;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly dir: string,
    private readonly opts: SegmentSpoolOptions,
    private readonly log: (msg: string) => void,
    private segments: Segment[],
    private nextSeq: number,
    private ackedUpTo: number,
    private persistedAck: number,
    private dropped: number,
  ) {
    this.segmentBytes = opts.segmentBytes ?? Math.min(DEFAULT_SEGMENT_BYTES, Math.max(64 * 1024, Math.floor(opts.maxBytes / 8)));
    this.depth = this.countRecords(ackedUpTo, nextSeq);
  }

  /** Reopens the last segment for appending and removes segments recovery found fully acked. */
  async start(): Promise<void> {
    const last = this.segments.at(-1);
    if (last && segmentEnd(last) === this.nextSeq) {
      this.active = { seg: last, fh: await open(last.path, 'r+'), named: true };
    }
    await this.collectGarbage();
  }

  // ---- append ----------------------------------------------------------------------------------

  append(jsons: string[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('spool is closed'));
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
        const bytes = group.reduce((n, g) => n + g.batch.buf.length, 0);
        if (this.opts.policy === 'drop_oldest') await this.dropForRoom(bytes);
        await this.commit(group.map((g) => g.batch));
        for (const g of group) g.resolve();
      } catch (err) {
        for (const g of group) g.reject(err);
      }
      for (const g of group) this.pool.give(g.batch.backing);
      try {
        await this.collectGarbage();
      } catch (err) {
        this.log(`spool: removing acknowledged segments failed: ${String(err)}`);
      }
    }
    this.writing = false;
  }

  /** Dequeues the next group; with policy `block`, first waits until the oldest append fits. */
  private async takeGroup(): Promise<PendingAppend[]> {
    const block = this.opts.policy === 'block';
    for (;;) {
      const first = this.queue[0];
      if (!first) return [];
      await this.retireAckedActive(first.batch.buf.length);
      // An append bigger than the whole bound goes through once nothing is unacknowledged,
      // otherwise it would wait forever.
      if (block && this.depth > 0 && this.bytesAfter(first.batch.buf.length) > this.opts.maxBytes) {
        if (this.closed) {
          const err = new Error('spool is closed');
          for (const p of this.queue.splice(0)) p.reject(err);
          return [];
        }
        this.waitingForSpace = true;
        await new Promise<void>((r) => this.spaceWaiters.push(r));
        this.waitingForSpace = false;
        continue;
      }
      const group = [this.queue.shift()!];
      let total = first.batch.buf.length;
      for (let next = this.queue[0]; next; next = this.queue[0]) {
        const n = next.batch.buf.length;
        if (total + n > GROUP_BYTES) break;
        if (block && this.bytesAfter(total + n) > this.opts.maxBytes) break;
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
    if (this.active && (this.sealed || segmentEnd(this.active.seg) !== this.nextSeq)) await this.retireActive();
    let pieces: Buffer[] = [];
    let pendingBytes = 0;
    let pendingCount = 0;
    let offsets: number[] = [];
    const flush = async (): Promise<void> => {
      const a = this.active;
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
          await syncDir(this.dir);
          a.named = true;
        }
      } catch (err) {
        // Leave no partial record where the next write would go; if even that fails, recovery
        // treats the remainder as a corrupt tail. Either way new records go to a new segment.
        await a.fh.truncate(a.seg.dataEnd).catch(() => {});
        this.sealed = true;
        throw err;
      } finally {
        if (joined) this.pool.give(joined);
      }
      for (const o of offsets) a.seg.offsets.push(o);
      a.seg.count += pendingCount;
      a.seg.dataEnd += pendingBytes;
      a.seg.size = a.seg.dataEnd;
      this.nextSeq += pendingCount;
      this.depth += pendingCount;
      this.appended += pendingCount;
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
        const a = this.active;
        const used = a ? a.seg.dataEnd + pendingBytes : 0;
        if (!a || (used > 0 && used + size > this.segmentBytes)) {
          if (off > runStart) pieces.push(b.buf.subarray(runStart, off));
          runStart = off;
          await flush();
          await this.openSegment();
        }
        const seg = this.active!.seg;
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
    if (this.active) await this.retireActive();
    const seg: Segment = { base: this.nextSeq, count: 0, dataEnd: 0, size: 0, path: join(this.dir, segmentName(this.nextSeq)), offsets: [] };
    // A fresh segment whose first write failed has this very name: start it over.
    if (this.segments.at(-1)?.base === seg.base) this.segments.pop();
    const fh = await open(seg.path, 'w');
    this.segments.push(seg);
    this.active = { seg, fh, named: false };
    this.sealed = false;
  }

  private async retireActive(): Promise<void> {
    const a = this.active;
    this.active = null;
    if (a) await a.fh.close();
  }

  /**
   * A fully acknowledged active segment counts for nothing in `bytes`, but appending to it would
   * count all of it again: start a fresh segment instead when that would cross the bound.
   */
  private async retireAckedActive(need: number): Promise<void> {
    const a = this.active;
    if (!a || a.seg.count === 0 || segmentEnd(a.seg) > this.ackedUpTo) return;
    if (this.liveBytes() + a.seg.size + need <= this.opts.maxBytes) return;
    await this.retireActive();
    await this.collectGarbage();
  }

  /** Policy `drop_oldest`: removes the oldest segments until `need` more bytes fit. */
  private async dropForRoom(need: number): Promise<void> {
    let n = 0;
    while (this.bytesAfter(need) > this.opts.maxBytes) {
      const victim = this.segments.find((s) => segmentEnd(s) > this.ackedUpTo);
      if (!victim) break;
      if (this.active?.seg === victim) await this.retireActive();
      const next = this.segments[this.segments.indexOf(victim) + 1];
      const lost = segmentEnd(victim) - Math.max(victim.base, this.ackedUpTo);
      this.ackedUpTo = next ? next.base : this.nextSeq;
      this.depth -= lost;
      this.dropped += lost;
      n += lost;
    }
    if (n === 0) return;
    this.log(`spool: full, dropped the ${n} oldest unacknowledged records`);
    this.opts.onDrop?.(n);
    await this.collectGarbage();
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
    if (this.closed) return;
    const to = Math.min(Math.floor(uptoSeq), this.nextSeq);
    if (!(to > this.ackedUpTo)) return;
    const n = this.countRecords(this.ackedUpTo, to);
    this.ackedUpTo = to;
    this.depth -= n;
    this.acked += n;
    for (const w of this.spaceWaiters.splice(0)) w();
    if (this.hasGarbage()) await this.collectGarbage();
    else this.scheduleAckFlush();
  }

  private scheduleAckFlush(): void {
    if (this.ackTimer) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = null;
      this.persistAck().catch((err: unknown) => this.log(`spool: saving the ack position failed: ${String(err)}`));
    }, ACK_FLUSH_MS);
    this.ackTimer.unref();
  }

  /** Writes the current ack position, one write at a time (they share the temp file). */
  private persistAck(): Promise<void> {
    const p = this.ackChain.then(async () => {
      const pos = this.ackedUpTo;
      if (pos === this.persistedAck) return;
      await writeAckPosition(this.dir, pos);
      this.persistedAck = pos;
    });
    this.ackChain = p.catch(() => {});
    return p;
  }

  private hasGarbage(): boolean {
    return this.segments.some((s) => s !== this.active?.seg && segmentEnd(s) <= this.ackedUpTo);
  }

  /**
   * Deletes segments holding no unacknowledged record, except the one being appended to. The ack
   * position is made durable first: recovery derives the next seq from the segments that remain
   * and the ack file, and must never hand out a seq again.
   */
  private async collectGarbage(): Promise<void> {
    if (!this.hasGarbage()) return;
    const dead = this.segments.filter((s) => s !== this.active?.seg && segmentEnd(s) <= this.ackedUpTo);
    this.segments = this.segments.filter((s) => !dead.includes(s));
    await this.persistAck();
    for (const s of dead) {
      await unlink(s.path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
  }

  // ---- read ------------------------------------------------------------------------------------

  async read(fromSeq: number, max: number, maxBytes: number): Promise<SpoolRecord[]> {
    const out: SpoolRecord[] = [];
    await this.readWith(fromSeq, max, maxBytes, (seq, buf, start, end) => out.push({ seq, json: buf.toString('utf8', start, end) }));
    return out;
  }

  async readPayloads(fromSeq: number, max: number, maxBytes: number): Promise<SpoolPayloads> {
    const payloads: Buffer[] = [];
    const held: Buffer[] = [];
    let first = -1;
    let last = -1;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      payloads.length = 0;
      for (const b of held.splice(0)) this.pool.give(b);
    };
    try {
      const acc = await this.readWith(fromSeq, max, maxBytes, (seq, buf, start, end) => {
        if (first < 0) first = seq;
        last = seq;
        payloads.push(buf.subarray(start, end));
      }, held);
      return { firstSeq: first, endSeq: last + 1, payloads, bytes: acc.bytes, release };
    } catch (err) {
      release();
      throw err;
    }
  }

  private async readWith(fromSeq: number, max: number, maxBytes: number, emit: EmitRecord, held?: Buffer[]): Promise<{ bytes: number; count: number }> {
    const acc = { bytes: 0, count: 0 };
    let seq = Math.max(fromSeq, this.ackedUpTo);
    while (acc.count < max && seq < this.nextSeq && (acc.count === 0 || acc.bytes < maxBytes)) {
      const seg = this.segmentFor(seq);
      if (!seg) break;
      if (seq < seg.base) seq = seg.base;
      const start = this.locate(seg, seq);
      let r;
      try {
        r = await readRun(
          { path: seg.path, seq: seq - start.skip, off: start.off, skip: start.skip, endSeq: segmentEnd(seg), endByte: seg.dataEnd, avgRecord: Math.ceil(seg.dataEnd / seg.count) },
          { max, maxBytes },
          emit,
          acc,
          this.pool,
          held,
        );
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        // Deleted meanwhile: acknowledged or dropped, so carry on from the new ack position. A
        // file missing for any other reason is stepped over.
        if (this.segments.includes(seg)) this.log(`spool: ${seg.path} is missing; skipping it`);
        seq = Math.max(seq, this.ackedUpTo, this.segments.includes(seg) ? segmentEnd(seg) : 0);
        continue;
      }
      if (r.bad !== undefined) {
        seq = this.skipCorrupt(seg, r.seq, r.bad);
        continue;
      }
      if (r.seq === seq) {
        if (acc.count > 0) break; // a limit was hit (or the next call handles it)
        // Nothing readable where the index points: treat it like a corrupt record, never spin.
        seq = this.skipCorrupt(seg, seq, 'no readable record where the index points');
        continue;
      }
      seq = r.seq;
      this.cursor = { seq, base: seg.base, off: r.off };
    }
    return acc;
  }

  /** The first segment holding a record ≥ seq (binary search: segment ends only grow). */
  private segmentFor(seq: number): Segment | undefined {
    let lo = 0;
    let hi = this.segments.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (segmentEnd(this.segments[mid]!) > seq) hi = mid;
      else lo = mid + 1;
    }
    while (lo < this.segments.length && this.segments[lo]!.count === 0) lo++;
    return this.segments[lo];
  }

  private locate(seg: Segment, seq: number): { off: number; skip: number } {
    const c = this.cursor;
    if (c && c.base === seg.base && c.seq === seq) return { off: c.off, skip: 0 };
    const k = seq - seg.base;
    const i = Math.floor(k / INDEX_EVERY);
    return { off: seg.offsets[i]!, skip: k - i * INDEX_EVERY };
  }

  /**
   * A record that passed the checks when written (or at open) fails them now: the disk changed
   * under us. Step to the next indexed record (offsets there are known good), count the records
   * in between as dropped once, and go on: one bad sector must not stall the uplink forever.
   */
  private skipCorrupt(seg: Segment, badSeq: number, why: string): number {
    const k = badSeq - seg.base;
    const nextIndexed = (Math.floor(k / INDEX_EVERY) + 1) * INDEX_EVERY;
    const resume = Math.min(seg.base + nextIndexed, segmentEnd(seg));
    if (!this.lostOnRead.has(badSeq)) {
      this.lostOnRead.add(badSeq);
      const lost = Math.max(0, resume - Math.max(badSeq, this.ackedUpTo));
      this.dropped += lost;
      this.log(`spool: ${seg.path}: ${why} (record ${badSeq}); skipping ${resume - badSeq} records`);
    }
    return resume;
  }

  // ---- waiting, stats, close -------------------------------------------------------------------

  waitFor(seq: number): Promise<void> {
    if (this.closed || this.nextSeq > seq) return Promise.resolve();
    return new Promise((resolve) => this.seqWaiters.push({ seq, resolve }));
  }

  private wakeSeqWaiters(): void {
    if (this.seqWaiters.length === 0) return;
    const still: typeof this.seqWaiters = [];
    for (const w of this.seqWaiters) {
      if (this.nextSeq > w.seq) w.resolve();
      else still.push(w);
    }
    this.seqWaiters = still;
  }

  stats(): SpoolStats {
    const bytes = this.liveBytes();
    return {
      depth: this.depth,
      bytes,
      appended: this.appended,
      acked: this.acked,
      dropped: this.dropped,
      ackedUpTo: this.ackedUpTo,
      nextSeq: this.nextSeq,
      full: this.waitingForSpace || bytes >= this.opts.maxBytes,
    };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    // Appends already queued are written; one waiting for space (policy block) is rejected.
    for (const w of this.spaceWaiters.splice(0)) w();
    while (this.writing) await this.writer;
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    try {
      await this.persistAck();
    } finally {
      await this.retireActive();
      for (const w of this.seqWaiters.splice(0)) w.resolve();
    }
  }

  // ---- accounting --------------------------------------------------------------------------------

  /** Bytes of the segments that still hold an unacknowledged record. */
  private liveBytes(): number {
    let n = 0;
    for (const s of this.segments) if (segmentEnd(s) > this.ackedUpTo) n += s.size;
    return n;
  }

  /** What `bytes` would be after appending `need` more bytes to the active segment. */
  private bytesAfter(need: number): number {
    const a = this.active?.seg;
    const idle = a && segmentEnd(a) <= this.ackedUpTo ? a.size : 0;
    return this.liveBytes() + idle + need;
  }

  /** Records that exist with from ≤ seq < to (segments may have gaps where corruption was). */
  private countRecords(from: number, to: number): number {
    let n = 0;
    for (const s of this.segments) n += Math.max(0, Math.min(to, segmentEnd(s)) - Math.max(from, s.base));
    return n;
  }
}
