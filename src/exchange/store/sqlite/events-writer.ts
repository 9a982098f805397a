// The event store of a file-backed exchange, on two threads: commits, the background indexer
// and pruning run on a writer thread (events-writer-thread.ts) with its own connection, so
// that the main thread keeps doing TLS, WebSocket framing, parsing and validation on the
// other core while SQLite inserts, sorts and fsyncs. Reads stay here, on the main thread's
// connection (WAL: readers never wait for the writer), and bring the indexer up to date
// themselves before a read that needs it, as on one thread: its watermark lives in the
// database and is read inside IMMEDIATE transactions, so the two connections never index an
// event twice.
//
// A commit crosses as one flat array of column values (encodeRows), which the structured
// clone copies cheaply, and its per-event result comes back as a transferred Uint8Array.
// The promise resolves only after the writer's transaction has committed (synchronous=FULL),
// so an ack still means durable.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { StoredEvent } from '../../../events/event.js';
import type { CommitItem, CommitResult, EventQuery, EventStore, HistogramBucket, Page, UniqueEvent } from '../types.js';
import { encodeRows } from './events-commit.js';
import { pruneBefore, type SqliteEventStore } from './events.js';

export type WriterRequest =
  | { id: number; op: 'commit'; bytes: Uint8Array; count: number }
  | { id: number; op: 'prune'; limit: number; before: number }
  | { id: number; op: 'close' };

export type WriterReply =
  | { id: number; ok: true; inserted?: Uint8Array; n?: number }
  | { id: number; ok: false; message: string; code: string | undefined };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

interface Waiter {
  resolve: (r: WriterReply & { ok: true }) => void;
  reject: (e: Error) => void;
}

// Built, the thread is events-writer-thread.js. Under tsx (tests, benches) it is a .ts file,
// and Node 20 does not carry tsx's ESM loader into a worker, so the worker loads it through
// tsx's require hook instead.
const TS = import.meta.url.endsWith('.ts');
const THREAD_FILE = fileURLToPath(new URL(TS ? './events-writer-thread.ts' : './events-writer-thread.js', import.meta.url));

function startThread(file: string): Worker {
  const workerData = { file };
  if (!TS) return new Worker(THREAD_FILE, { workerData });
  const code = `require('tsx/cjs'); require(${JSON.stringify(THREAD_FILE)});`;
  return new Worker(code, { eval: true, execArgv: [], workerData });
}

export class ThreadedEventStore implements EventStore {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  private closed = false;

  /** `reader`: the main thread's store on the same file, for the reads. */
  constructor(
    private readonly file: string,
    private readonly reader: SqliteEventStore,
  ) {}

  async commit(items: CommitItem[]): Promise<CommitResult> {
    if (items.length === 0) return { inserted: [] };
    const bytes = encodeRows(items);
    const r = await this.call({ op: 'commit', bytes, count: items.length }, [bytes.buffer as ArrayBuffer]);
    const flags = r.inserted as Uint8Array;
    const inserted = new Array<boolean>(flags.length);
    for (let i = 0; i < flags.length; i++) inserted[i] = flags[i] === 1;
    return { inserted };
  }

  async pruneOldest(limit: number, before?: string): Promise<number> {
    const n = Math.floor(limit);
    if (!(n > 0)) return 0;
    return (await this.call({ op: 'prune', limit: n, before: pruneBefore(before) })).n ?? 0;
  }

  query(orgId: string, q: EventQuery): Promise<Page<StoredEvent>> {
    return this.reader.query(orgId, q);
  }

  get(orgId: string, id: string): Promise<StoredEvent | null> {
    return this.reader.get(orgId, id);
  }

  unique(orgId: string, q: EventQuery): Promise<Page<UniqueEvent>> {
    return this.reader.unique(orgId, q);
  }

  histogram(orgId: string, q: EventQuery & { intervalSeconds: number }): Promise<HistogramBucket[]> {
    return this.reader.histogram(orgId, q);
  }

  count(orgId?: string): Promise<number> {
    return this.reader.count(orgId);
  }

  sizeBytes(): Promise<number> {
    return this.reader.sizeBytes();
  }

  /** Lets the writer finish what it was asked, then closes its connection and ends it. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    if (w === null) return;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    try {
      await this.call({ op: 'close' }, [], true);
    } catch {
      await w.terminate();
    }
    w.ref(); // until it has exited
    await exited;
  }

  private call(req: DistributiveOmit<WriterRequest, 'id'>, transfer: ArrayBuffer[] = [], closing = false): Promise<WriterReply & { ok: true }> {
    if (this.closed && !closing) return Promise.reject(new Error('the event store is closed'));
    const w = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) w.ref();
      this.waiting.set(id, { resolve, reject });
      w.postMessage({ ...req, id } as WriterRequest, transfer);
    });
  }

  private start(): Worker {
    const w = startThread(this.file);
    w.unref();
    w.on('message', (m: WriterReply) => {
      const waiter = this.waiting.get(m.id);
      if (waiter === undefined) return;
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) w.unref();
      if (m.ok) waiter.resolve(m);
      else waiter.reject(Object.assign(new Error(m.message), m.code === undefined ? {} : { code: m.code }));
    });
    const fail = (err: Error) => {
      if (this.worker === w) this.worker = null;
      const all = [...this.waiting.values()];
      this.waiting.clear();
      for (const waiter of all) waiter.reject(err);
    };
    w.on('error', (err) => fail(err));
    w.on('exit', (code) => fail(new Error(`the event writer thread exited (${code})`)));
    this.worker = w;
    return w;
  }
}
