// A sensor source: reads one sensor's output and hands normalized events to the spool.
// Each source is one file implementing this interface; connector.ts picks it by `type`.
import type { NormalizedEvent } from '../../events/event.js';

export type SourceType = 'zmq' | 'eve' | 'snort3-json' | 'unified2';

export interface SourceConfig {
  name: string;
  type: SourceType;
  /** `ipc:///path.sock` for zmq. */
  endpoint?: string;
  /** The file (eve, snort3-json) or the spool directory + file prefix (unified2). */
  path?: string;
}

/** What a source reports about itself for the local API and the doctor. */
export interface SourceState {
  name: string;
  type: SourceType;
  /** attached | waiting (for the socket or file) | paused (cloud events off or spool full) | stopped | error */
  state: 'attached' | 'waiting' | 'paused' | 'stopped' | 'error';
  detail?: string;
  file?: string;
  offset?: number;
  events_read: number;
  events_rejected: number;
  last_error?: { message: string; time: string } | null;
}

/**
 * Where a source delivers: `write` resolves once the events are durably in the spool; only
 * then may a file source move its checkpoint. A source must await each write before reading on,
 * which is how a full spool (policy `block`) slows the source down.
 */
export interface SourceSink {
  write(events: NormalizedEvent[]): Promise<void>;
  /**
   * Optional, the same as `write` for events a source has already turned into spool records
   * with `eventRecord` (event-record.ts), one at a time as it read them. A source that parses
   * text records uses it when offered: the parsed record under each event can then be dropped
   * at once rather than held (and copied by the garbage collector) until the batch is written.
   */
  writeRecords?(records: string[]): Promise<void>;
  /** A record that could not be read or mapped: counted and logged, never blocking the stream. */
  reject(source: string, reason: string, sample?: string): void;
  log: SourceLog;
}

export interface SourceLog {
  info(where: string, msg: string): void;
  warn(where: string, msg: string): void;
  error(where: string, msg: string): void;
}

export interface Source {
  readonly name: string;
  start(): Promise<void>;
  /** Stop reading (cloud events off, spool full): keep the position, read nothing until resume. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
  state(): SourceState;
}
