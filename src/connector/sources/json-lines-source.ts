// A sensor source over a JSON-lines file (Suricata EVE, Snort 3 alert_json): FileTail for the
// bytes, a mapper for the format, validateEvent for the contract, a checkpoint for the position.
//
// Per batch of lines: parse, map (null = a record type not shipped, skipped), validate, then
// `await sink.write(events)` (or sink.writeRecords, the events as spool records) and only then save the checkpoint at the end of the batch's last
// line. A crash anywhere before the checkpoint is saved re-reads the batch; every event keeps its
// id (`<source>:<file identity>:<byte offset>`), so the exchange stores it once.
//
// The checkpoint save (two fsyncs, ~10 ms on a plain disk) runs beside the reading of the next
// batch rather than in front of it, and saves that queue up behind it collapse into the newest:
// a checkpoint may lag the spool, never lead it, and a lagging one only means a harmless re-read.
import type { NormalizedEvent } from '../../events/event.js';
import { MAX_RAW_BYTES, REJECT, validateEvent, type ValidationResult } from '../../events/validate.js';
import { eventRecord } from '../event-record.js';
import { CheckpointFile, type Checkpoint } from './checkpoint.js';
import { FileTail, type TailFile, type TailLine } from './file-tail.js';
import type { Source, SourceConfig, SourceSink, SourceState, SourceType } from './types.js';

export type RecordMapper = (rec: Record<string, unknown>, eventId: string) => NormalizedEvent | null;

export interface JsonLinesOptions {
  /** How often to look for new lines, rotation and truncation (ms, default 250). */
  pollMs?: number;
  /** Use fs.watch as an early wake-up besides polling (default true). */
  watch?: boolean;
}

const SAMPLE_CHARS = 200;
/** Keys of EVE and alert_json records that carry packet bytes; dropped from `raw` before giving raw up. */
const BULKY_KEYS = ['payload', 'payload_printable', 'packet', 'b64_data', 'http_request_body', 'http_response_body'];

interface Parsed {
  /** The events as spool records, when the sink takes those (and there are any). */
  records: string[] | undefined;
  /** Otherwise the events. */
  events: NormalizedEvent[];
  count: number;
  rejects: [reason: string, sample: string][];
  skipped: number;
}

export class JsonLinesSource implements Source {
  readonly name: string;
  private readonly path: string | undefined;
  private readonly checkpoint: CheckpointFile;
  private tail: FileTail | undefined;
  private started = false;
  private stopped = false;
  private paused = false;
  private eventsRead = 0;
  private eventsRejected = 0;
  private skipped = 0;
  private lastError: { message: string; time: string } | null = null;
  private cpWanted: Checkpoint | undefined;
  private cpWriting: Promise<void> | undefined;

  constructor(
    cfg: SourceConfig,
    private readonly sink: SourceSink,
    checkpointDir: string,
    private readonly type: SourceType,
    private readonly map: RecordMapper,
    /** A key of the connector's log sites (src/connector/log.ts). */
    private readonly where: string,
    private readonly options: JsonLinesOptions = {},
  ) {
    this.name = cfg.name;
    this.path = cfg.path;
    this.checkpoint = new CheckpointFile(checkpointDir, cfg.name);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (!this.path) {
      this.error(`source ${this.name}: ${this.type} needs path (the file to follow)`);
      return;
    }
    let cp;
    try {
      cp = await this.checkpoint.load();
    } catch (e) {
      // Start over: lines read again keep their event ids and the exchange drops the duplicates.
      this.sink.log.warn(this.where, `source ${this.name}: ignoring checkpoint ${this.checkpoint.path}: ${(e as Error).message}`);
    }
    this.tail = new FileTail({
      path: this.path,
      startIdentity: cp?.identity,
      startOffset: cp?.offset ?? 0,
      onLines: (lines, file) => this.take(lines, file),
      // Half a megabyte of lines at a time: a batch's line strings live until it is parsed, and
      // bigger batches outlive young-generation collections, get promoted and swell the heap
      // (1 MiB: peak RSS ~20 MB higher in bench/connector-pipeline.ts, for no more speed).
      maxBatchBytes: 512 * 1024,
      pollMs: this.options.pollMs,
      watch: this.options.watch,
      log: this.sink.log,
      where: this.where,
    });
    if (this.paused) this.tail.pause();
    await this.tail.start();
  }

  pause(): void {
    this.paused = true;
    this.tail?.pause();
  }

  resume(): void {
    this.paused = false;
    this.tail?.resume();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.tail?.stop();
    await this.cpWriting;
  }

  state(): SourceState {
    const t = this.tail;
    const state = this.stopped ? 'stopped' : this.lastError && !t ? 'error' : this.paused ? 'paused' : (t?.state ?? 'waiting');
    const s: SourceState = {
      name: this.name,
      type: this.type,
      state,
      file: t?.file ?? this.path,
      offset: t?.offset ?? 0,
      events_read: this.eventsRead,
      events_rejected: this.eventsRejected,
      last_error: latest(t?.lastError ?? null, this.lastError),
    };
    if (state === 'waiting') s.detail = `waiting for ${this.path ?? '(no path)'} to appear`;
    else if (this.skipped > 0) s.detail = `${this.skipped} record(s) of types not shipped skipped`;
    return s;
  }

  /** One batch from the tail: resolves once the events are in the spool (the checkpoint follows). */
  private take(lines: TailLine[], file: TailFile): Promise<void> {
    // Not async, and nothing of the batch is held while the write is awaited (only the numbers
    // below): the lines and parsed records are garbage before the spool's fsync returns.
    const end = lines[lines.length - 1]!.endOffset;
    const { records, events, count, rejects, skipped } = this.parse(lines, file);
    let written: Promise<void> = Promise.resolve();
    if (records) written = this.sink.writeRecords!(records);
    else if (count > 0) written = this.sink.write(events);
    return written.then(() => {
      this.saveCheckpoint({ identity: file.identity, offset: end });
      // Counted once the batch is through: a batch offered again after a failure is not counted twice.
      this.eventsRead += count;
      this.skipped += skipped;
      this.eventsRejected += rejects.length;
      for (const [reason, sample] of rejects) this.sink.reject(this.name, reason, sample);
    });
  }

  /**
   * Parses, maps and validates a batch of lines. Where the sink takes spool records, each event
   * is turned into its record at once (with its line as `raw`, when raw is that line's record
   * unchanged), so the parsed record is garbage before the next line is read.
   */
  private parse(lines: TailLine[], file: TailFile): Parsed {
    const records = this.sink.writeRecords ? ([] as string[]) : undefined;
    const events: NormalizedEvent[] = [];
    const rejects: [reason: string, sample: string][] = [];
    let skipped = 0;
    let count = 0;
    for (const line of lines) {
      const text = line.text;
      if (line.truncated) {
        rejects.push([`line longer than the tail's limit (${line.endOffset - line.offset} bytes)`, text.slice(0, SAMPLE_CHARS)]);
        continue;
      }
      let rec: unknown;
      try {
        rec = JSON.parse(text);
      } catch (e) {
        if (text.trim() === '') continue; // a blank line is nothing, not garbage
        rejects.push([`not JSON: ${(e as Error).message}`, text.slice(0, SAMPLE_CHARS)]);
        continue;
      }
      if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) {
        rejects.push(['not a JSON object', text.slice(0, SAMPLE_CHARS)]);
        continue;
      }
      const eventId = `${this.name}:${file.identity}:${line.offset}`;
      let ev: NormalizedEvent | null;
      try {
        ev = this.map(rec as Record<string, unknown>, eventId);
      } catch (e) {
        rejects.push([`cannot map: ${(e as Error).message}`, text.slice(0, SAMPLE_CHARS)]);
        continue;
      }
      if (ev === null) {
        skipped++;
        continue;
      }
      const lineBytes = line.endOffset - line.offset;
      const v = validate(ev, lineBytes);
      if (!v.ok) {
        rejects.push([`${v.code}: ${v.reason}`, text.slice(0, SAMPLE_CHARS)]);
        continue;
      }
      count++;
      if (records) records.push(eventRecord(v.event, v.event.raw === rec && lineBytes <= MAX_RAW_BYTES ? text : undefined));
      else events.push(v.event);
    }
    return { records: records && records.length > 0 ? records : undefined, events, count, rejects, skipped };
  }

  private saveCheckpoint(cp: Checkpoint): void {
    this.cpWanted = cp;
    this.cpWriting ??= this.writeCheckpoints();
  }

  private async writeCheckpoints(): Promise<void> {
    while (this.cpWanted) {
      const cp = this.cpWanted;
      this.cpWanted = undefined;
      try {
        await this.checkpoint.save(cp);
      } catch (e) {
        // Not retried on its own: the next batch saves a newer one; until then a restart re-reads.
        this.error(`source ${this.name}: cannot save checkpoint ${this.checkpoint.path}: ${(e as Error).message}`);
      }
    }
    this.cpWriting = undefined;
  }

  private error(message: string): void {
    this.lastError = { message, time: new Date().toISOString() };
    this.sink.log.error(this.where, message);
  }
}

function latest<T extends { time: string }>(a: T | null, b: T | null): T | null {
  return a === null ? b : b === null ? a : a.time >= b.time ? a : b;
}

/**
 * JSON.parse then JSON.stringify never lengthens a string and lengthens a number at most 5.25
 * times ("1e20" → "100000000000000000000"), so the raw record of a line up to this many bytes is
 * always within MAX_RAW_BYTES. For such lines validateEvent's size check of raw — a
 * JSON.stringify of the whole record, about a quarter of the CPU per line — can prove nothing and
 * is skipped.
 */
const RAW_ALWAYS_FITS = Math.floor(MAX_RAW_BYTES / 6);

/**
 * validateEvent, and if only `raw` is too large (a record with packet bytes), the event again with
 * the bulky keys taken out of raw, then without raw: the detection is worth more than its record.
 */
function validate(ev: NormalizedEvent, lineBytes: number): ValidationResult {
  if (lineBytes <= RAW_ALWAYS_FITS) {
    const raw = ev.raw;
    ev.raw = undefined;
    const v = validateEvent(ev);
    ev.raw = raw;
    if (v.ok) v.event.raw = raw;
    return v;
  }
  const v = validateEvent(ev);
  if (v.ok || v.code !== REJECT.TOO_LARGE || !v.reason.startsWith('raw:') || typeof ev.raw !== 'object' || ev.raw === null) return v;
  const raw: Record<string, unknown> = { ...(ev.raw as Record<string, unknown>) };
  for (const k of BULKY_KEYS) delete raw[k];
  for (const block of ['http', 'alert']) {
    const b = raw[block];
    if (typeof b === 'object' && b !== null) {
      const copy: Record<string, unknown> = { ...(b as Record<string, unknown>) };
      for (const k of BULKY_KEYS) delete copy[k];
      raw[block] = copy;
    }
  }
  const slim = validateEvent({ ...ev, raw });
  if (slim.ok || slim.code !== REJECT.TOO_LARGE) return slim;
  const { raw: _dropped, ...bare } = ev;
  return validateEvent(bare);
}
