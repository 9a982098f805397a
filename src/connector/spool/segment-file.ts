// Segment files: `<20-digit base seq>.seg`, each a run of records with consecutive seqs starting
// at the base. This file names them and scans one at open to find where its valid records end.
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRecord } from './record.js';

/** One index entry per this many records: a read skips at most INDEX_EVERY - 1 records. */
export const INDEX_EVERY = 64;

const NAME = /^(\d{20})\.seg$/;

export function segmentName(base: number): string {
  return `${String(base).padStart(20, '0')}.seg`;
}

/** The segment files in `dir`, oldest first. */
export async function listSegments(dir: string): Promise<{ base: number; path: string }[]> {
  const out: { base: number; path: string }[] = [];
  for (const name of await readdir(dir)) {
    const m = NAME.exec(name);
    if (m) out.push({ base: Number(m[1]), path: join(dir, name) });
  }
  return out.sort((a, b) => a.base - b.base);
}

export interface ScanResult {
  /** Valid records from the start of the file. */
  count: number;
  /** Byte offset just past the last valid record. */
  dataEnd: number;
  fileSize: number;
  /** Byte offset of record k * INDEX_EVERY. */
  offsets: number[];
  /** Why the scan stopped before the end of the file, if it did. */
  problem?: string;
}

const CHUNK = 4 * 1024 * 1024;

/** Reads the segment front to back, checking every record's length and CRC. */
export async function scanSegment(path: string): Promise<ScanResult> {
  const fh = await open(path, 'r');
  try {
    const fileSize = (await fh.stat()).size;
    const offsets: number[] = [];
    let count = 0;
    let pos = 0;
    let want = CHUNK;
    while (pos < fileSize) {
      const len = Math.min(want, fileSize - pos);
      const buf = Buffer.allocUnsafe(len);
      const { bytesRead } = await fh.read(buf, 0, len, pos);
      const view = buf.subarray(0, bytesRead);
      let p = 0;
      let problem: string | undefined;
      while (p < view.length) {
        const r = parseRecord(view, p);
        if (r.kind === 'bad') {
          problem = `${r.reason} at byte ${pos + p}`;
          break;
        }
        if (r.kind === 'short') {
          if (pos + p + r.need > fileSize) problem = `incomplete record at byte ${pos + p} (${fileSize - pos - p} of ${r.need} bytes)`;
          // Otherwise the record continues past this chunk: read again from its start, with a
          // buffer big enough for it.
          want = Math.max(CHUNK, r.need);
          break;
        }
        if (count % INDEX_EVERY === 0) offsets.push(pos + p);
        count++;
        p += r.size;
      }
      pos += p;
      if (problem !== undefined) return { count, dataEnd: pos, fileSize, offsets, problem };
      if (bytesRead === 0) break;
    }
    return { count, dataEnd: pos, fileSize, offsets };
  } finally {
    await fh.close();
  }
}

/** What the spool keeps in memory per segment file. */
export interface Segment {
  base: number;
  /** Valid records visible to readers (durable): seqs base … base + count - 1. */
  count: number;
  /** Byte offset just past the last of those records: where the next append goes. */
  dataEnd: number;
  /** Bytes the file takes (more than dataEnd when a corrupt remainder was kept). */
  size: number;
  path: string;
  /** Byte offset of record k * INDEX_EVERY. */
  offsets: number[];
}

/** Seq just past the segment's last valid record. */
export function segmentEnd(s: Segment): number {
  return s.base + s.count;
}
