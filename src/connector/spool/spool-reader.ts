// The segment spool's read path: finding a seq's segment and record, reading runs of records, and
// stepping over records that went bad on disk.
import { open, type FileHandle } from 'node:fs/promises';
import type { BufferPool } from './buffer-pool.js';
import { readRun, type EmitRecord } from './segment-reader.js';
import { INDEX_EVERY, segmentEnd, type Segment } from './segment-file.js';
import type { SpoolLedger } from './spool-ledger.js';
import type { SpoolPayloads, SpoolRecord } from './types.js';

export class SpoolReader {
  /** Where the last read stopped, so a sequential reader needs no index lookup or skipping. */
  private cursor: { seq: number; base: number; off: number } | null = null;
  /** Seqs of records found corrupt by read(), so re-reading them counts the loss only once. */
  private readonly lostOnRead = new Set<number>();
  /** The segment last read from, held open: the uplink reads one segment hundreds of times in a
   * row, and opening and closing it for each read was ~4 % of the connector's CPU in a flood.
   * Segment paths are never reused (named by first seq), so a handle never reads another file. */
  private held: Held | null = null;

  constructor(
    private readonly l: SpoolLedger,
    private readonly pool: BufferPool,
    private readonly log: (msg: string) => void,
  ) {}

  async read(fromSeq: number, max: number, maxBytes: number): Promise<SpoolRecord[]> {
    const out: SpoolRecord[] = [];
    await this.readWith(fromSeq, max, maxBytes, (seq, buf, start, end) => out.push({ seq, json: buf.toString('utf8', start, end) }));
    if (out.length > 0) this.markSent(out.at(-1)!.seq + 1);
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
      if (first >= 0) this.markSent(last + 1);
      return { firstSeq: first, endSeq: last + 1, payloads, bytes: acc.bytes, release };
    } catch (err) {
      release();
      throw err;
    }
  }

  /** What is read is what the uplink sends: see SpoolLedger.sentUpTo. */
  private markSent(end: number): void {
    if (end > this.l.sentUpTo) this.l.sentUpTo = end;
  }

  private async readWith(fromSeq: number, max: number, maxBytes: number, emit: EmitRecord, held?: Buffer[]): Promise<{ bytes: number; count: number }> {
    const l = this.l;
    const acc = { bytes: 0, count: 0 };
    let seq = Math.max(fromSeq, l.ackedUpTo);
    while (acc.count < max && seq < l.nextSeq && (acc.count === 0 || acc.bytes < maxBytes)) {
      const seg = this.segmentFor(seq);
      if (!seg) break;
      if (seq < seg.base) seq = seg.base;
      const start = this.locate(seg, seq);
      let r;
      try {
        const { fh, release } = await this.use(seg.path);
        try {
          r = await readRun(
            fh,
            { path: seg.path, seq: seq - start.skip, off: start.off, skip: start.skip, endSeq: segmentEnd(seg), endByte: seg.dataEnd, avgRecord: Math.ceil(seg.dataEnd / seg.count) },
            { max, maxBytes },
            emit,
            acc,
            this.pool,
            held,
          );
        } finally {
          release();
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        // Deleted meanwhile: acknowledged or dropped, so carry on from the new ack position. A
        // file missing for any other reason is stepped over.
        if (l.segments.includes(seg)) this.log(`spool: ${seg.path} is missing; skipping it`);
        seq = Math.max(seq, l.ackedUpTo, l.segments.includes(seg) ? segmentEnd(seg) : 0);
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

  /** `path` opened for reading, until `release`: the held handle when it is that segment's, else
   * a new one held in its place. A handle let go of closes once no read uses it. A segment
   * deleted meanwhile may still be read through a held handle: it holds only acknowledged or
   * dropped records, and the exchange drops a copy. */
  private async use(path: string): Promise<{ fh: FileHandle; release: () => void }> {
    let h = this.held;
    if (h?.path !== path) {
      this.letGo();
      h = this.held = { path, fh: open(path, 'r'), users: 0, current: true };
    }
    h.users++;
    const release = (): void => {
      h.users--;
      if (!h.current && h.users === 0) closeHandle(h);
    };
    try {
      return { fh: await h.fh, release };
    } catch (err) {
      release();
      if (this.held === h) this.held = null; // the next read tries to open it again
      throw err;
    }
  }

  private letGo(): void {
    const h = this.held;
    this.held = null;
    if (!h) return;
    h.current = false;
    if (h.users === 0) closeHandle(h);
  }

  /** Lets go of the held segment handle (the spool is closing). */
  close(): void {
    this.letGo();
  }

  /** The first segment holding a record ≥ seq (binary search: segment ends only grow). */
  private segmentFor(seq: number): Segment | undefined {
    const segments = this.l.segments;
    let lo = 0;
    let hi = segments.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (segmentEnd(segments[mid]!) > seq) hi = mid;
      else lo = mid + 1;
    }
    while (lo < segments.length && segments[lo]!.count === 0) lo++;
    return segments[lo];
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
      const lost = Math.max(0, resume - Math.max(badSeq, this.l.ackedUpTo));
      this.l.dropped += lost;
      this.log(`spool: ${seg.path}: ${why} (record ${badSeq}); skipping ${resume - badSeq} records`);
    }
    return resume;
  }
}

interface Held { path: string; fh: Promise<FileHandle>; users: number; current: boolean }

function closeHandle(h: Held): void {
  h.fh.then((f) => f.close()).catch(() => {});
}
