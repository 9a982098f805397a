// The segment spool's shared state: the segments, the seq positions and counters, the segment being
// appended to, and the upkeep that ties them to the disk (the ack file, removing acked segments).
import { truncate, unlink, type FileHandle } from 'node:fs/promises';
import { writeAckPosition } from './ack-file.js';
import { segmentEnd, type Segment } from './segment-file.js';

export interface Active {
  seg: Segment;
  fh: FileHandle;
  /** Whether the file's directory entry is durable yet (a fresh segment needs a dir fsync). */
  named: boolean;
}

export class SpoolLedger {
  active: Active | null = null;
  /** Set when the active segment must not take more records (after a failed write). */
  sealed = false;

  depth: number;
  appended = 0;
  acked = 0;
  closed = false;
  /** Seq just past the last record handed to a reader (the uplink): the records below it have been
   * sent, or are about to be, and may be stored by the exchange already, so `drop_oldest` keeps
   * them. In memory only: after a restart nothing has been sent by this process. */
  sentUpTo = 0;

  private ackChain: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    public segments: Segment[],
    public nextSeq: number,
    public ackedUpTo: number,
    public persistedAck: number,
    public dropped: number,
  ) {
    this.depth = this.countRecords(ackedUpTo, nextSeq);
  }

  async retireActive(): Promise<void> {
    const a = this.active;
    this.active = null;
    if (a) await a.fh.close();
  }

  /**
   * Empties a segment `drop_oldest` dropped while older records are still unacknowledged (so the
   * ack position cannot move past it). The empty file stays until acks pass it: recovery reads a
   * zero-length segment that is not the last as dropped (already counted), not as corruption.
   * Behind another tombstone the file goes at once: one marks the whole run, so a long outage
   * does not pile up empty files.
   */
  async tombstone(seg: Segment): Promise<void> {
    const i = this.segments.indexOf(seg);
    const prev = this.segments[i - 1];
    if (prev && prev.count === 0 && prev !== this.active?.seg) {
      this.segments.splice(i, 1);
      await unlink(seg.path);
      return;
    }
    await truncate(seg.path, 0);
    seg.count = 0;
    seg.dataEnd = 0;
    seg.size = 0;
    seg.offsets = [];
  }

  // ---- ack position and garbage ------------------------------------------------------------------

  /** Writes the current ack position, one write at a time (they share the temp file). */
  persistAck(): Promise<void> {
    const p = this.ackChain.then(async () => {
      const pos = this.ackedUpTo;
      if (pos === this.persistedAck) return;
      await writeAckPosition(this.dir, pos);
      this.persistedAck = pos;
    });
    this.ackChain = p.catch(() => {});
    return p;
  }

  hasGarbage(): boolean {
    return this.segments.some((s) => s !== this.active?.seg && segmentEnd(s) <= this.ackedUpTo);
  }

  /**
   * Deletes segments holding no unacknowledged record, except the one being appended to. The ack
   * position is made durable first: recovery derives the next seq from the segments that remain
   * and the ack file, and must never hand out a seq again.
   */
  async collectGarbage(): Promise<void> {
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

  // ---- accounting --------------------------------------------------------------------------------

  /** Bytes of the segments that still hold an unacknowledged record. */
  liveBytes(): number {
    let n = 0;
    for (const s of this.segments) if (segmentEnd(s) > this.ackedUpTo) n += s.size;
    return n;
  }

  /** What `bytes` would be after appending `need` more bytes to the active segment. */
  bytesAfter(need: number): number {
    const a = this.active?.seg;
    const idle = a && segmentEnd(a) <= this.ackedUpTo ? a.size : 0;
    return this.liveBytes() + idle + need;
  }

  /** Records that exist with from ≤ seq < to (segments may have gaps where corruption was). */
  countRecords(from: number, to: number): number {
    let n = 0;
    for (const s of this.segments) n += Math.max(0, Math.min(to, segmentEnd(s)) - Math.max(from, s.base));
    return n;
  }
}
