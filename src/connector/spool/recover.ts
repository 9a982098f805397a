// Opening a spool directory after any kind of stop, kill -9 included: scan the segments, cut a
// torn tail off the last one, step over corruption elsewhere, and rebuild the in-memory index.
import { mkdir, open, unlink } from 'node:fs/promises';
import { readAckPosition } from './ack-file.js';
import { listSegments, scanSegment, segmentEnd, type Segment } from './segment-file.js';

export interface Recovered {
  segments: Segment[];
  /** Seq of the first unacknowledged record. */
  ackedUpTo: number;
  /** The position the `ack` file holds now. */
  persistedAck: number;
  nextSeq: number;
  /** Unacknowledged records lost to corruption. */
  dropped: number;
}

export async function recoverSpool(dir: string, log: (msg: string) => void): Promise<Recovered> {
  await mkdir(dir, { recursive: true });
  const ackFile = (await readAckPosition(dir)) ?? 0;
  const files = await listSegments(dir);
  const segments: Segment[] = [];
  let dropped = 0;
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    const next = files[i + 1];
    // Everything in it is below the next segment's base, hence acknowledged: no need to read it.
    // (The ack file is always made durable before segments go, so this is just a deletion that
    // the previous run did not get to.)
    if (next && next.base <= ackFile) {
      await unlink(f.path);
      continue;
    }
    const scan = await scanSegment(f.path);
    if (next && scan.fileSize === 0) {
      // A tombstone: drop_oldest dropped this segment's records (and counted them then).
      segments.push({ base: f.base, count: 0, dataEnd: 0, size: 0, path: f.path, offsets: [] });
      continue;
    }
    let count = scan.count;
    if (next && f.base + count > next.base) {
      log(`spool: ${f.path} overlaps the next segment; using its first ${next.base - f.base} records`);
      count = next.base - f.base;
    }
    let size = scan.fileSize;
    if (!next) {
      // The last segment: anything after its last valid record is the remainder of a write that
      // never completed (kill -9, power cut), so no append covering it ever resolved. Cut it off
      // so appends continue right behind the last good record.
      if (scan.dataEnd < scan.fileSize) {
        log(`spool: ${f.path}: cut ${scan.fileSize - scan.dataEnd} bytes of torn tail (${scan.problem ?? 'trailing bytes'})`);
        const fh = await open(f.path, 'r+');
        try {
          await fh.truncate(scan.dataEnd);
          await fh.sync();
        } finally {
          await fh.close();
        }
      }
      size = scan.dataEnd;
    } else if (f.base + count < next.base) {
      // Corruption inside a finished segment: record lengths after the bad one can't be trusted,
      // so resume at the next segment (whose name says exactly how many records this loses).
      const lost = Math.max(0, next.base - Math.max(f.base + count, ackFile));
      dropped += lost;
      log(`spool: ${f.path}: ${scan.problem ?? 'records missing'} after record ${f.base + count}; skipping to the next segment, ${lost} unacknowledged records lost`);
    }
    segments.push({ base: f.base, count, dataEnd: scan.dataEnd, size, path: f.path, offsets: scan.offsets });
  }
  const last = segments.at(-1);
  let nextSeq = last ? segmentEnd(last) : ackFile;
  if (ackFile > nextSeq) {
    // Only possible if segment data vanished underneath us; never hand out an acked seq again.
    log(`spool: ack position ${ackFile} is past the last record (${nextSeq}); continuing from it`);
    nextSeq = ackFile;
  }
  const first = segments[0];
  const ackedUpTo = Math.min(nextSeq, Math.max(ackFile, first ? first.base : ackFile));
  return { segments, ackedUpTo, persistedAck: ackFile, nextSeq, dropped };
}
