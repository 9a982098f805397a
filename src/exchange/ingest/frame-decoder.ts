// Devices' frames are parsed and validated on a worker thread, not on the event loop: in an
// ingest flood that work is a third of the main thread's, and the rest of the server (acks, the
// API, the console) waits behind it there. One worker for all connections: replies come back in
// the order frames went in, so each connection's frames keep their order.
import { Worker } from 'node:worker_threads';
import type { FastifyBaseLogger } from 'fastify';
import { decodeFrameBytes, type DecodedFrame, type DecodedItem } from './decode-frame.js';
import type { DecodeReply } from './decode-worker.js';

interface Waiting {
  /** The frame as it came, decoded here instead if the thread never starts. */
  data: Buffer;
  resolve: (d: DecodedFrame) => void;
  reject: (e: Error) => void;
}

/** The worker's module: compiled JS as shipped; under tsx (tests), its TypeScript source through tsx's loader. */
function startWorker(maxBatchEvents: number): Worker {
  const self = import.meta.url;
  const workerData = { maxBatchEvents };
  if (self.endsWith('.ts')) {
    const src = JSON.stringify(new URL('./decode-worker.ts', self).href);
    return new Worker(`import('tsx/esm/api').then((m) => m.register()).then(() => import(${src}))`, { eval: true, workerData });
  }
  return new Worker(new URL('./decode-worker.js', self), { workerData });
}

export class FrameDecoder {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  /** Set when a worker could not start at all: frames are then decoded inline, as before. */
  private inline = false;
  private closed = false;

  constructor(
    private readonly maxBatchEvents: number,
    private readonly log: FastifyBaseLogger,
    private readonly start: (maxBatchEvents: number) => Worker = startWorker,
  ) {}

  /** Rejects only when a worker that had been answering dies with the frame in hand: nothing of
   * it was acked, so the caller closes the connection and the device sends the batch again. A
   * worker that never starts costs no frame: those it held are decoded here. */
  decode(data: Buffer): Promise<DecodedFrame> {
    if (this.inline || this.closed) return Promise.resolve(decodeFrameBytes(data, this.maxBatchEvents));
    const w = this.worker ?? this.spawn();
    const id = this.nextId++;
    // A copy of our own to hand over: the frame may be a view into a larger buffer, and a
    // transfer would take all of that from its owner.
    const copy = new Uint8Array(data.byteLength);
    copy.set(data);
    return new Promise((resolve, reject) => {
      // Held open while it has frames in hand, and only then.
      if (this.waiting.size === 0) w.ref();
      this.waiting.set(id, { data, resolve, reject });
      w.postMessage({ id, data: copy }, [copy.buffer]);
    });
  }

  private spawn(): Worker {
    const w = this.start(this.maxBatchEvents);
    let answered = false;
    w.on('message', (r: DecodeReply) => {
      answered = true;
      const waiting = this.waiting.get(r.id);
      if (!waiting) return;
      this.waiting.delete(r.id);
      if (this.waiting.size === 0) w.unref();
      const { id: _id, itemsJson, raws, ...rest } = r;
      try {
        waiting.resolve((itemsJson === undefined ? rest : { ...rest, items: items(itemsJson, raws!) }) as DecodedFrame);
      } catch (err) {
        waiting.reject(err as Error);
      }
    });
    const fail = (err: Error) => {
      if (this.worker !== w) return;
      this.worker = null;
      const held = [...this.waiting.values()];
      this.waiting.clear();
      if (!answered && !this.closed) {
        this.inline = true;
        this.log.warn({ err }, 'frame decoder thread could not start; decoding frames on the main thread');
        // In the order they came, as the thread would have answered them.
        for (const waiting of held) waiting.resolve(decodeFrameBytes(waiting.data, this.maxBatchEvents));
        return;
      }
      if (!this.closed) this.log.error({ err }, 'frame decoder thread died; its connections are closed and their devices resend');
      for (const waiting of held) waiting.reject(err);
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`frame decoder thread exited with code ${code}`)));
    // Idle, never what keeps a process alive: close() ends it with the exchange.
    w.unref();
    this.worker = w;
    return w;
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    if (w) await w.terminate();
  }
}

/** A batch's items from the worker's reply: the events' JSON pieces, each item's raw_json beside. */
function items(itemsJson: string[], raws: Array<string | null>): DecodedItem[] {
  const out: DecodedItem[] = new Array(raws.length);
  let i = 0;
  for (const piece of itemsJson) {
    for (const event of JSON.parse(piece) as DecodedItem['event'][]) {
      const raw = raws[i];
      out[i++] = raw === null ? { event } : { event, raw_json: raw };
    }
  }
  return out;
}
