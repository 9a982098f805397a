// Follows a JSON-lines file the way `tail -F` does, for sources that must not lose or invent lines:
// it hands over batches of complete lines with their byte offsets, waits for the consumer to take
// each batch (the consumer checkpoints it), and only then reads on.
//
// - Rotation (rename + recreate, logrotate, Snort's alert_json rollover): when the path names a new
//   file *that has data*, the writer has switched, so the old file is read to its end through the
//   still-open descriptor and then the new file is read from 0. An empty new file (logrotate's
//   `create` runs before the writer reopens) does not trigger the switch, so lines the writer still
//   appends to the old file are not lost.
// - Truncation (copytruncate): the file is shorter than what was read, or its first line changed
//   → read it again from 0.
// - A missing file is waited for (state `waiting`).
// - A last line without its newline is held until it is completed.
//
// Identity of a file: `dev:ino:head`, where head is a short hash of its first line (at most 128
// bytes). dev:ino alone is not enough: a truncated file keeps its inode, and a deleted file's inode
// is reused, and reading "the same inode" again from 0 would produce event ids that collide with
// the earlier content's. The first line of a JSON-lines log carries its own timestamp, so it tells
// the generations apart. On start, a checkpoint matches a file with the same inode and head (the
// device number can change across reboots), including a rotated sibling (`eve.json.1`) whose
// remainder is then read before the current file.
//
// Change detection is polling (every pollMs, ≤ 250 ms by default) with fs.watch on the directory as
// an early wake-up where the platform offers it.
//
// The identity helpers are in file-identity.ts, the line splitting and batching in tail-lines.ts.
import { watch, type FSWatcher } from 'node:fs';
import { stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { findRotated, headHash, matches, openIfExists } from './file-identity.js';
import { LineBatcher, type TailLine } from './tail-lines.js';
import type { SourceLog } from './types.js';

export type { TailLine } from './tail-lines.js';

/** The file a batch came from. */
export interface TailFile {
  path: string;
  identity: string;
}

export type TailState = 'waiting' | 'attached' | 'paused' | 'stopped' | 'error';

export interface FileTailOptions {
  path: string;
  /** Where to start in the file named by startIdentity (or, without one, in whatever file is at path). */
  startOffset?: number;
  /** The identity a checkpoint recorded with startOffset. */
  startIdentity?: string;
  /**
   * Takes one batch. The tail reads on only after it resolves; if it rejects, the lines are read
   * again and offered again. The array is the consumer's: the tail keeps no reference to it.
   */
  onLines(lines: TailLine[], file: TailFile): Promise<void>;
  pollMs?: number;
  maxBatchLines?: number;
  maxBatchBytes?: number;
  /** Longer lines are delivered as a truncated sample (and rejected by the consumer). */
  maxLineBytes?: number;
  /** Use fs.watch to wake up early (default true); polling still runs. */
  watch?: boolean;
  log?: SourceLog;
  /** Prefix of log lines. */
  where?: string;
}

const MIB = 1024 * 1024;

export class FileTail {
  private readonly path: string;
  private readonly pollMs: number;
  private readonly maxLines: number;
  private readonly maxBytes: number;
  private readonly where: string;

  private st: TailState = 'stopped';
  private paused = false;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private idle = false;
  private watcher: FSWatcher | undefined;
  private lastErr: { message: string; time: string } | null = null;

  // The file being read. filePath differs from path only while finishing a rotated file found at start.
  private fh: FileHandle | undefined;
  private filePath: string;
  private devIno = '';
  private ident: string | undefined;
  private first = true;
  /** The path names a newer file with data: finish this one, then switch to `next`. */
  private draining = false;
  private next: FileHandle | undefined;

  /** Bytes read but not yet delivered, and the batch. */
  private readonly lines: LineBatcher;
  private delivered = 0;

  constructor(private readonly opts: FileTailOptions) {
    this.path = opts.path;
    this.filePath = opts.path;
    this.pollMs = opts.pollMs ?? 250;
    this.maxLines = opts.maxBatchLines ?? 2000;
    this.maxBytes = opts.maxBatchBytes ?? MIB;
    this.where = opts.where ?? `tail ${opts.path}`;
    this.lines = new LineBatcher(Math.max(opts.maxLineBytes ?? MIB, 4096));
    this.delivered = opts.startOffset ?? 0;
  }

  get state(): TailState {
    return this.st;
  }
  /** The file being read (a rotated file while its rest is read, else the configured path). */
  get file(): string {
    return this.filePath;
  }
  /** The current file's identity, once known. */
  get identity(): string | undefined {
    return this.ident;
  }
  /** Offset just past the last line the consumer has taken. */
  get offset(): number {
    return this.delivered;
  }
  get lastError(): { message: string; time: string } | null {
    return this.lastErr;
  }

  async start(): Promise<void> {
    if (this.loop || this.stopping) return;
    this.startWatch();
    this.loop = this.run();
  }

  /** Reads nothing more until resume(); a batch being delivered finishes first. The position is kept. */
  pause(): void {
    this.paused = true;
    if (this.st !== 'stopped') this.st = 'paused';
  }

  resume(): void {
    this.paused = false;
    this.wakeUp?.();
  }

  /** Stops for good: waits for a batch being delivered, then closes the file. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.loop;
    this.watcher?.close();
    this.watcher = undefined;
    await this.fh?.close();
    await this.next?.close();
    this.fh = this.next = undefined;
    this.st = 'stopped';
  }

  // ---- the loop ---------------------------------------------------------------------------------

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      if (this.paused) {
        this.st = 'paused';
        await this.sleep(undefined, false);
        continue;
      }
      try {
        if (this.fh === undefined && !(await this.attach())) {
          this.st = 'waiting';
          await this.sleep(this.pollMs, true);
          continue;
        }
        this.st = 'attached';
        // The identity is taken before reading, so lines are never labelled with a later generation's.
        if (this.ident === undefined) await this.takeIdentity();
        await this.lines.readBatch(this.fh!, this.maxLines, this.maxBytes);
        // Paused while that read was under way: what it read is kept, and goes after resume().
        if (this.paused) continue;
        if (this.lines.length > 0) {
          // Checked after reading: a file truncated and rewritten past our offset since the last look
          // would otherwise hand over the middle of the new content as if it were the old file's.
          if (await this.headChanged(this.fh)) this.truncated(-1);
          else await this.deliver();
        } else if (!(await this.atEof())) {
          await this.sleep(this.pollMs, true);
        }
        failures = 0;
      } catch (e) {
        // The batch (if any) is kept and offered again; back off so a failing sink is not hammered.
        this.fail(e);
        failures++;
        await this.sleep(Math.min(5000, this.pollMs * 2 ** Math.min(failures, 8)), false);
      }
    }
  }

  private async deliver(): Promise<void> {
    const file = { path: this.filePath, identity: await this.ensureIdentity() };
    const end = this.lines.batchEnd;
    // The batch is let go of here, not held while the consumer waits on its write: a batch
    // that fails is read again from the file instead (it starts at `delivered`). Held, its
    // megabyte of line strings would outlive young-generation collections and be promoted.
    const taking = this.handOver(file);
    try {
      await taking;
    } catch (err) {
      this.reset(this.delivered);
      throw err;
    }
    this.delivered = end;
  }

  /** Gives the batch to the consumer and forgets it. */
  private handOver(file: TailFile): Promise<void> {
    const lines = this.lines.take();
    try {
      return this.opts.onLines(lines, file);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** At the end of the file: handles truncation and rotation. True if the caller should read again at once. */
  private async atEof(): Promise<boolean> {
    const fh = this.fh!;
    const size = Number((await fh.stat({ bigint: true })).size);
    const readTo = this.lines.readTo;
    if (size < readTo || (await this.headChanged(fh))) {
      this.truncated(size < readTo ? size : -1);
      return true;
    }
    if (this.draining) {
      if (this.lines.hasPartial) {
        // The old file ended without a newline; nothing will complete the line now.
        this.lines.takePartial();
        return true;
      }
      await this.switchToNext();
      return true;
    }
    const now = await this.openNewer();
    if (now) {
      // The writer has switched. One more pass to the old file's end picks up its last lines.
      this.next = now;
      this.draining = true;
      return true;
    }
    return false;
  }

  /** Reads the file again from 0 as a new generation; what was read of the old content and not delivered is gone with it. */
  private truncated(size: number): void {
    const readTo = this.lines.readTo;
    const now = size < 0 ? 'its first line changed' : `${size} bytes`;
    this.opts.log?.warn(this.where, `${this.filePath} was truncated (${now}, had read ${readTo}); reading it again from the start`);
    this.lines.clear();
    this.ident = undefined;
    this.reset(0);
  }

  /** The file now at path, open, if it is not the one being read and has data. */
  private async openNewer(): Promise<FileHandle | undefined> {
    let st;
    try {
      st = await stat(this.path, { bigint: true });
    } catch {
      return undefined; // renamed away and not yet recreated: keep reading the old one
    }
    if (`${st.dev}:${st.ino}` === this.devIno || st.size === 0n) return undefined;
    const fh = await openIfExists(this.path);
    return fh;
  }

  private async switchToNext(): Promise<void> {
    const old = this.filePath;
    await this.fh!.close();
    this.fh = undefined;
    this.draining = false;
    this.ident = undefined;
    this.reset(0);
    const next = this.next;
    this.next = undefined;
    this.filePath = this.path;
    if (next) await this.use(next, this.path, undefined, 0);
    this.opts.log?.info(this.where, `${old} rotated; finished it and now reading ${this.path} from the start`);
  }

  // ---- opening ----------------------------------------------------------------------------------

  /** Opens the file to read; false if there is none yet. */
  private async attach(): Promise<boolean> {
    const fh = await openIfExists(this.path);
    const cp = this.first ? this.opts.startIdentity : undefined;
    if (cp === undefined) {
      if (!fh) return false;
      const offset = this.first ? (this.opts.startOffset ?? 0) : 0;
      this.first = false;
      await this.use(fh, this.path, undefined, offset);
      return true;
    }
    const offset = this.opts.startOffset ?? 0;
    if (fh && (await matches(fh, cp))) {
      this.first = false;
      await this.use(fh, this.path, cp, offset);
      return true;
    }
    const rotated = await findRotated(this.path, cp);
    if (rotated) {
      this.first = false;
      this.opts.log?.info(this.where, `resuming ${rotated.path} (rotated since the checkpoint) at ${offset}, then ${this.path}`);
      // The file now at path is switched to by the usual rule (once it has data), like any rotation.
      await fh?.close();
      await this.use(rotated.fh, rotated.path, cp, offset);
      return true;
    }
    if (!fh) return false; // keep looking for the checkpointed file until the path appears
    this.first = false;
    this.opts.log?.warn(this.where, `the checkpointed file (${cp}) is gone; reading ${this.path} from the start`);
    await this.use(fh, this.path, undefined, 0);
    return true;
  }

  private async use(fh: FileHandle, path: string, identity: string | undefined, offset: number): Promise<void> {
    const st = await fh.stat({ bigint: true });
    this.fh = fh;
    this.filePath = path;
    this.devIno = `${st.dev}:${st.ino}`;
    this.ident = identity;
    if (offset > Number(st.size)) {
      this.opts.log?.warn(this.where, `${path} is shorter (${st.size} bytes) than the checkpoint (${offset}); reading it from the start`);
      this.ident = undefined;
      offset = 0;
    }
    this.reset(offset);
  }

  private reset(offset: number): void {
    this.lines.reset(offset);
    this.delivered = offset;
  }

  private async takeIdentity(): Promise<void> {
    const h = await headHash(this.fh!);
    if (h !== undefined) this.ident = `${this.devIno}:${h}`;
  }

  private async ensureIdentity(): Promise<string> {
    // '0' only for a file whose first line never ended (a final partial line of a rotated file).
    this.ident ??= `${this.devIno}:${(await headHash(this.fh!)) ?? '0'}`;
    return this.ident;
  }

  private async headChanged(fh: FileHandle | undefined): Promise<boolean> {
    if (this.ident === undefined || fh === undefined) return false;
    const h = await headHash(fh);
    return h !== undefined && h !== this.ident.slice(this.ident.lastIndexOf(':') + 1);
  }

  // ---- waiting ----------------------------------------------------------------------------------

  /** Sleeps until the timeout, resume/stop, or (if `idle`) a change in the directory. */
  private sleep(ms: number | undefined, idle: boolean): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.idle = false;
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      this.wakeUp = done;
      this.idle = idle;
    });
  }

  private startWatch(): void {
    if (this.opts.watch === false) return;
    try {
      // persistent: false — a tail must not keep the process alive.
      this.watcher = watch(dirname(this.path), { persistent: false }, (_event, name) => {
        if (this.idle && (name === null || this.path.endsWith(name) || this.filePath.endsWith(name))) this.wakeUp?.();
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      this.watcher = undefined; // no directory yet, or no inotify left: polling alone
    }
  }

  private fail(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.lastErr = { message, time: new Date().toISOString() };
    this.st = 'error';
    this.opts.log?.error(this.where, message);
  }
}
