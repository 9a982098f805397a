// The connector's durable spool: every event a source hands over is on disk before the source
// moves its checkpoint, and stays there until the exchange has acknowledged it.

export interface SpoolRecord {
  /** Position in the spool, increasing by one per record, never reused. */
  seq: number;
  /** The normalized event as JSON text, sent as is (no re-serialization on the hot path). */
  json: string;
}

export type SpoolFullPolicy = 'block' | 'drop_oldest';

export interface SpoolStats {
  /** Records appended but not yet acknowledged. */
  depth: number;
  /** Bytes on disk in segment files holding unacknowledged records. */
  bytes: number;
  appended: number;
  acked: number;
  /** Records removed unacknowledged by the `drop_oldest` policy. */
  dropped: number;
  /** Seq of the first record not yet acknowledged. */
  ackedUpTo: number;
  /** Seq the next append will get. */
  nextSeq: number;
  full: boolean;
}

export interface Spool {
  /** Appends the records and fsyncs before resolving. With policy `block`, waits while full. */
  append(jsons: string[]): Promise<void>;
  /** Reads up to `max` records (and at most about `maxBytes`) starting at `fromSeq`. */
  read(fromSeq: number, max: number, maxBytes: number): Promise<SpoolRecord[]>;
  /** Every record with seq < `uptoSeq` is acknowledged; fully acknowledged segments go away. */
  ack(uptoSeq: number): Promise<void>;
  /** Resolves when a record with seq ≥ `seq` exists (or the spool closes). */
  waitFor(seq: number): Promise<void>;
  stats(): SpoolStats;
  close(): Promise<void>;
}
