// Snort unified2 spool reader, in the manner of Barnyard2.
//
// `path` is the spool directory plus the file prefix Snort was given: `/var/log/snort/unified2.log`
// means the files `unified2.log.<unix timestamp>` in /var/log/snort (Snort 2's default; Snort 3
// needs `unified2 = { nostamp = false }`). Files are read in timestamp order. The newest file is
// followed as it grows; a file is left for the next one only once a newer file exists and the
// current one is fully read.
//
// Records of one alert come as a group: the event record, then its packet (2) and extra-data (110)
// records with the same event_id. An event is therefore held until the next event record, a file
// change, or one second without new bytes, so that extras written after it are attached.
//
// The bookmark `<checkpointDir>/<name>.bookmark` ({file, offset}, written to a temp file, fsynced
// and renamed) is moved only after `sink.write` resolves. Its offset is the start of the first
// record whose event is not yet in the spool (a held event's own record), so a restart re-reads
// exactly what is not yet durable. Event ids are `<name>:<file>:<record offset>`: reading a record
// again gives the same id, and the exchange drops the duplicate.
import { mkdir, open, readFile, readdir, rename, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { NormalizedEvent } from '../../events/event.js';
import { validateEvent } from '../../events/validate.js';
import type { Source, SourceConfig, SourceSink, SourceState } from './types.js';
import {
  U2_EVENT_TYPES,
  U2_TYPE,
  Unified2FormatError,
  decodeEvent,
  decodeRecords,
  mapUnified2,
  type U2Event,
  type U2ExtraData,
  type U2Packet,
} from './unified2-decode.js';

export interface Unified2Options {
  /** How often to look for new bytes and new files (ms). */
  pollMs?: number;
  /** A held event is emitted after this long without new bytes (ms). */
  idleFlushMs?: number;
  /** Events per sink.write. */
  batchSize?: number;
  /** Bytes read from the file at a time. */
  readChunk?: number;
  /** How long stop() waits for a sink.write in progress (ms). */
  stopWaitMs?: number;
}

interface Bookmark {
  file: string;
  offset: number;
}

interface Group {
  offset: number;
  evt: U2Event;
  extras: Array<U2ExtraData | U2Packet>;
}

const WHERE = 'sourceUnified2';

export class Unified2Source implements Source {
  readonly name: string;
  private readonly dir: string;
  private readonly prefix: string;
  private readonly bookmarkPath: string;
  private readonly opt: Required<Unified2Options>;

  private phase: 'idle' | 'running' | 'stopped' = 'idle';
  private paused = false;
  private status: SourceState['state'] = 'stopped';
  private detail: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  private file: string | undefined;
  private fh: FileHandle | undefined;
  /** End of the last complete record read from `file`. */
  private readPos = 0;
  /** The file cannot be read past this offset (corrupt record). */
  private deadAt: number | undefined;
  /** When the file last changed size (or complete records were read). */
  private lastGrowth = Date.now();
  private lastSize = -1;
  private pending: Group | undefined;
  private saved: Bookmark | undefined;

  private eventsRead = 0;
  private eventsRejected = 0;
  private lastError: { message: string; time: string } | null = null;
  private waitingLogged = false;
  private failLoggedAt = 0;

  constructor(
    cfg: SourceConfig,
    private readonly sink: SourceSink,
    checkpointDir: string,
    options: Unified2Options = {},
  ) {
    if (!cfg.path) throw new Error(`source ${cfg.name}: unified2 needs path (spool directory + file prefix)`);
    this.name = cfg.name;
    this.dir = dirname(cfg.path);
    this.prefix = basename(cfg.path);
    this.bookmarkPath = join(checkpointDir, `${cfg.name}.bookmark`);
    this.opt = {
      pollMs: options.pollMs ?? 250,
      idleFlushMs: options.idleFlushMs ?? 1000,
      batchSize: options.batchSize ?? 500,
      readChunk: options.readChunk ?? 4 * 1024 * 1024,
      stopWaitMs: options.stopWaitMs ?? 5000,
    };
  }

  async start(): Promise<void> {
    if (this.phase === 'running') return;
    this.phase = 'running';
    this.paused = false;
    await mkdir(dirname(this.bookmarkPath), { recursive: true });
    try {
      this.saved = await readBookmark(this.bookmarkPath);
    } catch (e) {
      // Start over from the oldest file: events read again keep their ids, the exchange dedups them.
      this.sink.log.warn(WHERE, `source ${this.name}: ignoring bookmark ${this.bookmarkPath}: ${(e as Error).message}`);
      this.saved = undefined;
    }
    if (this.saved) {
      this.file = this.saved.file;
      this.readPos = this.saved.offset;
    }
    this.status = 'waiting';
    this.schedule(0);
  }

  pause(): void {
    if (this.phase !== 'running') return;
    this.paused = true;
    this.status = 'paused';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  resume(): void {
    if (this.phase !== 'running' || !this.paused) return;
    this.paused = false;
    this.status = this.fh ? 'attached' : 'waiting';
    this.lastGrowth = Date.now();
    if (!this.inFlight) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.phase = 'stopped';
    this.status = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inFlight) {
      // A sink.write that never resolves must not hold the connector's shutdown forever. The held
      // event is not emitted: the bookmark still points at it, so the next start reads it again.
      let t: NodeJS.Timeout | undefined;
      await Promise.race([this.inFlight, new Promise<void>((r) => (t = setTimeout(r, this.opt.stopWaitMs)))]);
      clearTimeout(t);
    }
    await this.closeFile();
    this.pending = undefined;
  }

  state(): SourceState {
    return {
      name: this.name,
      type: 'unified2',
      state: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(this.file ? { file: join(this.dir, this.file), offset: this.readPos } : {}),
      events_read: this.eventsRead,
      events_rejected: this.eventsRejected,
      last_error: this.lastError,
    };
  }

  // ---- loop ------------------------------------------------------------------------------------

  private schedule(ms: number): void {
    if (this.phase !== 'running' || this.paused || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.inFlight = this.step()
        .catch((e: Error) => this.fail(e))
        .then((more) => {
          this.inFlight = undefined;
          this.schedule(more === true ? 0 : this.opt.pollMs);
        });
    }, ms);
  }

  /** A poll failed (unreadable directory or file, full disk for the bookmark…): retried next poll. */
  private fail(e: Error): void {
    if (!this.paused && this.phase === 'running') this.status = 'error';
    this.detail = e.message;
    const now = Date.now();
    // Logged when it changes, then once a minute: a poll every 250 ms must not flood the log.
    if (this.lastError?.message !== e.message || now - this.failLoggedAt >= 60_000) {
      this.failLoggedAt = now;
      this.sink.log.error(WHERE, `source ${this.name}: ${e.message}`);
    }
    this.lastError = { message: e.message, time: new Date().toISOString() };
  }

  private live(): boolean {
    return this.phase === 'running';
  }

  /** One poll. Resolves true when there may be more to read at once. */
  private async step(): Promise<boolean> {
    if (!this.fh && !(await this.openCurrent())) return false;
    const fh = this.fh as FileHandle;
    const file = this.file as string;
    const size = (await fh.stat()).size;
    if (size < this.readPos) {
      this.sink.log.warn(WHERE, `source ${this.name}: ${file} shrank from ${this.readPos} to ${size} bytes; reading it again from the start`);
      this.readPos = 0;
      this.pending = undefined;
      this.deadAt = undefined;
    }
    if (size !== this.lastSize) {
      this.lastSize = size;
      this.lastGrowth = Date.now();
    }
    if (!this.paused) {
      this.status = this.deadAt === undefined ? 'attached' : 'error';
      if (this.deadAt === undefined) this.detail = undefined;
    }

    if (this.deadAt === undefined && size > this.readPos) {
      const more = await this.readSome(fh, file, size);
      if (more !== undefined) return more;
    }

    // Nothing new: emit a held event once the file has been quiet long enough.
    const quiet = Date.now() - this.lastGrowth >= this.opt.idleFlushMs;
    if (this.pending && quiet) {
      await this.deliver(this.takePending(), this.readPos);
      if (!this.live()) return false;
    }

    // Move on when a newer file exists and this one is done.
    const next = await this.nextFile(file);
    if (next === undefined) return false;
    const done = this.deadAt !== undefined || this.readPos === size;
    if (!done) {
      // An incomplete record at the end of a file Snort has left (it crashed mid-write).
      if (!quiet) return false;
      this.reject(`${file}: incomplete record at offset ${this.readPos} (${size - this.readPos} bytes) at the end of a finished file; skipped`);
    }
    await this.deliver(this.takePending(), this.deadAt ?? size);
    if (!this.live()) return false;
    await this.closeFile();
    this.file = next;
    this.readPos = 0;
    this.lastSize = -1;
    this.deadAt = undefined;
    await this.saveBookmark({ file: next, offset: 0 });
    return true;
  }

  /** Reads and delivers what is complete between readPos and size. Undefined: nothing complete. */
  private async readSome(fh: FileHandle, file: string, size: number): Promise<boolean | undefined> {
    let len = Math.min(size - this.readPos, this.opt.readChunk);
    let buf = await readAt(fh, this.readPos, len);
    let decoded: ReturnType<typeof decodeRecords>;
    try {
      decoded = decodeRecords(buf, 0, this.readPos);
      if (decoded.records.length === 0 && buf.length >= 8) {
        // One record larger than the chunk: read exactly that record if it is all there.
        const need = 8 + buf.readUInt32BE(4);
        if (need > buf.length && need <= size - this.readPos) {
          len = need;
          buf = await readAt(fh, this.readPos, len);
          decoded = decodeRecords(buf, 0, this.readPos);
        }
      }
    } catch (e) {
      if (!(e instanceof Unified2FormatError)) throw e;
      // Without sync markers nothing after a bad length can be trusted in this file.
      this.deadAt = e.offset;
      this.reject(`${file}: ${e.message} at offset ${e.offset}; the rest of the file is skipped`);
      this.status = 'error';
      this.detail = `${file} is corrupt at offset ${e.offset}; waiting for a newer file`;
      this.lastError = { message: this.detail, time: new Date().toISOString() };
      this.sink.log.error(WHERE, `source ${this.name}: ${this.detail}`);
      decoded = decodeRecords(buf.subarray(0, e.offset - this.readPos), 0, this.readPos);
    }
    if (decoded.records.length === 0) return undefined;
    this.lastGrowth = Date.now();

    let out: NormalizedEvent[] = [];
    for (const rec of decoded.records) {
      if (U2_EVENT_TYPES.has(rec.type)) {
        if (this.pending) out.push(...this.takePending());
        if (out.length >= this.opt.batchSize) {
          await this.deliver(out, rec.offset);
          out = [];
          if (!this.live()) return false;
        }
        let evt: U2Event;
        try {
          evt = decodeEvent(rec.type, rec.body) as U2Event;
        } catch (e) {
          this.reject(`${file}: record at offset ${rec.offset}: ${(e as Error).message}`, rec.body);
          continue;
        }
        this.pending = { offset: rec.offset, evt, extras: [] };
      } else if (rec.type === U2_TYPE.EXTRA_DATA || rec.type === U2_TYPE.PACKET) {
        let x: U2ExtraData | U2Packet;
        try {
          x = decodeEvent(rec.type, rec.body) as U2ExtraData | U2Packet;
        } catch (e) {
          this.reject(`${file}: record at offset ${rec.offset}: ${(e as Error).message}`, rec.body);
          continue;
        }
        // Records of an event already emitted (a tagged packet logged later) or of none are dropped.
        if (this.pending && this.pending.evt.event_id === x.event_id) this.pending.extras.push(x);
      }
      // Other types (Snort 3 buffers 3, AppID stats 113, obsolete 1/99/100) carry no alert.
    }
    const end = this.readPos + decoded.end;
    this.readPos = end;
    await this.deliver(out, this.pending ? this.pending.offset : end);
    return this.live() && this.deadAt === undefined && end < size;
  }

  /** Maps and validates the held event; the mapped event (if valid) is returned, the hold cleared. */
  private takePending(): NormalizedEvent[] {
    const g = this.pending;
    this.pending = undefined;
    if (!g) return [];
    const id = `${this.name}:${this.file}:${g.offset}`;
    let mapped: NormalizedEvent;
    try {
      mapped = mapUnified2(g.evt, g.extras, id);
    } catch (e) {
      this.reject(`${id}: ${(e as Error).message}`);
      return [];
    }
    const v = validateEvent(mapped);
    if (!v.ok) {
      this.reject(`${id}: ${v.code}: ${v.reason}`, JSON.stringify(mapped.raw));
      return [];
    }
    return [v.event];
  }

  /** Hands events to the sink, then moves the bookmark to `offset` of the current file. */
  private async deliver(events: NormalizedEvent[], offset: number): Promise<void> {
    if (events.length) {
      await this.sink.write(events);
      this.eventsRead += events.length;
    }
    if (!this.file) return;
    if (this.saved && this.saved.file === this.file && this.saved.offset === offset) return;
    await this.saveBookmark({ file: this.file, offset });
  }

  private async saveBookmark(b: Bookmark): Promise<void> {
    await writeBookmark(this.bookmarkPath, b);
    this.saved = b;
  }

  private reject(reason: string, sample?: Buffer | string): void {
    this.eventsRejected++;
    const s = sample === undefined ? undefined : typeof sample === 'string' ? sample.slice(0, 200) : sample.subarray(0, 64).toString('hex');
    this.sink.reject(this.name, reason, s);
  }

  // ---- files -----------------------------------------------------------------------------------

  /** The spool files, oldest first: `<prefix>.<digits>`. */
  private async listFiles(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const stamp = (n: string): number => Number(n.slice(this.prefix.length + 1));
    return names
      .filter((n) => n.startsWith(`${this.prefix}.`) && /^\d+$/.test(n.slice(this.prefix.length + 1)))
      .sort((a, b) => stamp(a) - stamp(b) || (a < b ? -1 : a > b ? 1 : 0));
  }

  private stampOf(name: string): number {
    return Number(name.slice(this.prefix.length + 1));
  }

  private async nextFile(current: string): Promise<string | undefined> {
    const cur = this.stampOf(current);
    return (await this.listFiles()).find((n) => this.stampOf(n) > cur || (this.stampOf(n) === cur && n > current));
  }

  /** Opens the file to read: the bookmarked one, else the one after it, else the oldest. */
  private async openCurrent(): Promise<boolean> {
    const files = await this.listFiles();
    if (this.file && !files.includes(this.file)) {
      const gone = this.file;
      const next = files.find((n) => this.stampOf(n) > this.stampOf(gone));
      if (files.length) {
        this.sink.log.warn(WHERE, `source ${this.name}: bookmarked file ${gone} is gone; continuing with ${next ?? 'the next file when one appears'}`);
      }
      if (!next) return this.waitForFiles();
      this.file = next;
      this.readPos = 0;
    } else if (!this.file) {
      const first = files[0];
      if (!first) return this.waitForFiles();
      this.file = first;
      this.readPos = 0;
    }
    const path = join(this.dir, this.file);
    this.fh = await open(path, 'r');
    const size = (await this.fh.stat()).size;
    if (this.readPos > size) {
      this.sink.log.warn(WHERE, `source ${this.name}: bookmark offset ${this.readPos} is past the end of ${this.file} (${size} bytes); reading it from the start`);
      this.readPos = 0;
    }
    this.lastGrowth = Date.now();
    this.waitingLogged = false;
    if (!this.paused) this.status = 'attached';
    this.detail = undefined;
    this.sink.log.info(WHERE, `source ${this.name}: reading ${path} from offset ${this.readPos}`);
    return true;
  }

  private waitForFiles(): false {
    if (!this.paused) this.status = 'waiting';
    this.detail = `no ${this.prefix}.<timestamp> files in ${this.dir} yet`;
    if (!this.waitingLogged) {
      this.waitingLogged = true;
      this.sink.log.warn(WHERE, `source ${this.name}: ${this.detail}`);
    }
    return false;
  }

  private async closeFile(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
  }
}

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, pos + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === len ? buf : buf.subarray(0, got);
}

/** The saved bookmark; undefined when there is none. Throws when it exists but cannot be used. */
async function readBookmark(path: string): Promise<Bookmark | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const b = JSON.parse(text) as Partial<Bookmark>;
  if (typeof b.file === 'string' && Number.isSafeInteger(b.offset) && (b.offset as number) >= 0 && !b.file.includes('/')) {
    return { file: b.file, offset: b.offset as number };
  }
  throw new Error(`not a bookmark: ${text.slice(0, 80)}`);
}

/** temp file, fsync, rename, fsync of the directory: the bookmark is either the old or the new. */
async function writeBookmark(path: string, b: Bookmark): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(`${JSON.stringify(b)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const d = await open(dirname(path), 'r');
  try {
    await d.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await d.close();
  }
}
