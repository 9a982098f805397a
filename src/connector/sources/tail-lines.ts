// Line batching for FileTail: the read buffer, the split of what was read into complete lines with
// their byte offsets, and the batch being built for the consumer.
import type { FileHandle } from 'node:fs/promises';

export interface TailLine {
  /** The line without its newline (and without a CR before it). Only a sample if `truncated`. */
  text: string;
  /** Byte offset of the line's first byte. */
  offset: number;
  /** Byte offset just past its newline: where reading resumes after this line. */
  endOffset: number;
  /** The line was longer than maxLineBytes; `text` holds its first bytes only. */
  truncated?: boolean;
}

const SAMPLE_BYTES = 1024;

export class LineBatcher {
  // Bytes read but not yet split into lines: buf[scan, bufLen) is file[bufOffset + scan, bufOffset + bufLen).
  private readonly buf: Buffer;
  private view: Buffer;
  private bufOffset = 0;
  private bufLen = 0;
  private scan = 0;
  private longLine: { offset: number; head: string } | undefined;
  private batch: TailLine[] = [];
  private batchBytes = 0;

  /** `bufBytes` is the longest line delivered whole. */
  constructor(bufBytes: number) {
    this.buf = Buffer.allocUnsafe(bufBytes);
    this.view = this.buf.subarray(0, 0);
  }

  /** Lines in the batch. */
  get length(): number {
    return this.batch.length;
  }

  /** Offset just past the batch's last line (the batch must not be empty). */
  get batchEnd(): number {
    return this.batch[this.batch.length - 1]!.endOffset;
  }

  /** Offset just past the bytes read from the file. */
  get readTo(): number {
    return this.bufOffset + this.bufLen;
  }

  /** Bytes read after the last complete line: a line still without its newline. */
  get hasPartial(): boolean {
    return this.scan < this.bufLen || this.longLine !== undefined;
  }

  /** Adds complete lines to the batch until it is full or the file has no more. */
  async readBatch(fh: FileHandle, maxLines: number, maxBytes: number): Promise<void> {
    while (this.batch.length < maxLines && this.batchBytes < maxBytes) {
      const nl = this.scan < this.bufLen ? this.view.indexOf(10, this.scan) : -1;
      if (nl < 0) {
        if ((await this.fill(fh)) === 0) return;
        continue;
      }
      const start = this.scan;
      this.scan = nl + 1;
      this.batchBytes += nl + 1 - start;
      if (this.longLine) {
        const { offset, head } = this.longLine;
        this.longLine = undefined;
        this.batch.push({ text: head, offset, endOffset: this.bufOffset + nl + 1, truncated: true });
        continue;
      }
      const end = nl > start && this.buf[nl - 1] === 13 ? nl - 1 : nl;
      this.batch.push({ text: this.buf.toString('utf8', start, end), offset: this.bufOffset + start, endOffset: this.bufOffset + nl + 1 });
    }
  }

  /** Reads more of the file after the unsplit rest; returns the bytes read (0 at the end). */
  private async fill(fh: FileHandle): Promise<number> {
    if (this.scan > 0) {
      this.buf.copyWithin(0, this.scan, this.bufLen);
      this.bufOffset += this.scan;
      this.bufLen -= this.scan;
      this.scan = 0;
    }
    if (this.bufLen === this.buf.length) {
      // A line longer than the buffer: keep its start as a sample and skip on to its end.
      this.longLine ??= { offset: this.bufOffset, head: this.buf.toString('utf8', 0, SAMPLE_BYTES) };
      this.bufOffset += this.bufLen;
      this.bufLen = 0;
    }
    const at = this.bufOffset + this.bufLen;
    const { bytesRead } = await fh.read(this.buf, this.bufLen, this.buf.length - this.bufLen, at);
    this.bufLen += bytesRead;
    this.view = this.buf.subarray(0, this.bufLen);
    return bytesRead;
  }

  /** Adds the unfinished last line to the batch as it is (its file will not complete it). */
  takePartial(): void {
    const endOffset = this.bufOffset + this.bufLen;
    if (this.longLine) {
      this.batch.push({ text: this.longLine.head, offset: this.longLine.offset, endOffset, truncated: true });
      this.longLine = undefined;
    } else {
      this.batch.push({ text: this.buf.toString('utf8', this.scan, this.bufLen), offset: this.bufOffset + this.scan, endOffset });
    }
    this.scan = this.bufLen;
  }

  /** Hands the batch over and forgets it: the array is the caller's now. */
  take(): TailLine[] {
    const lines = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    return lines;
  }

  /** Drops the batch. */
  clear(): void {
    this.batch = [];
    this.batchBytes = 0;
  }

  /** Forgets what was read after the batch; the next read starts at `offset`. */
  reset(offset: number): void {
    this.bufOffset = offset;
    this.bufLen = 0;
    this.scan = 0;
    this.view = this.buf.subarray(0, 0);
    this.longLine = undefined;
  }
}
