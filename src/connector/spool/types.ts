// The connector's durable spool: every event a source hands over is on disk before the source
// moves its checkpoint, and stays there until the exchange has acknowledged it.

export interface SpoolRecord {
  /** Position in the spool, increasing by one per record, never reused. */
  seq: number;
  /** The normalized event as JSON text, sent as is (no re-serialization on the hot path). */
  json: string;
}

/** Records as bytes, for a sender that frames them without decoding them to strings. */
export interface SpoolPayloads {
  /** Seq of the first record, or -1 when there is none. */
  firstSeq: number;
  /** Seq just past the last record (seqs may skip records lost to corruption in between). */
  endSeq: number;
  /** Each record's payload (UTF-8 JSON), in order: views valid until release(). */
  payloads: Buffer[];
  /** Sum of the payload lengths. */
  bytes: number;
  /** Hands the buffers under the views back for reuse; the views must not be used after. */
  release(): void;
}

export type SpoolFullPolicy = 'block' | 'drop_oldest';

export interface SpoolStats {
  /** Records appended but not yet acknowledged. */
  depth: number;
  /** Bytes on disk in segment files holding unacknowledged records. */
  bytes: number;
  appended: number;
  acked: number;
  /** Records the `drop_oldest` policy removed (or never stored) before they were ever sent. */
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
  /** What read returns, as byte views instead of strings; release() them once done. */
  readPayloads(fromSeq: number, max: number, maxBytes: number): Promise<SpoolPayloads>;
  /** Every record with seq < `uptoSeq` is acknowledged; fully acknowledged segments go away. */
  ack(uptoSeq: number): Promise<void>;
  /** Resolves when a record with seq ≥ `seq` exists (or the spool closes). */
  waitFor(seq: number): Promise<void>;
  stats(): SpoolStats;
  close(): Promise<void>;
}
