// ZeroMQ input, as Firepower's EventHandler feeds its SSE connector: the sensor BINDS a PUSH socket
// (e.g. ipc:///ngfw/var/sf/run/EventHandler_SSEConnector.sock) and this source's PULL socket
// CONNECTS to it. Each message is one frame holding one UTF-8 JSON normalized event (docs/events.md §6).
//
// ZeroMQ's connect succeeds even when the socket file does not exist and then retries silently, so
// an EventHandler that never came up (the known failure after an upgrade) would look like a quiet
// sensor. While not attached we stat the socket file every few seconds and, while it is missing,
// report `waiting` and log the line Cisco's connector logs in that case, once per change of state
// and then at most once a minute.
//
// Flow control: messages are received in batches (what is already queued, up to 1,000), and the
// next receive waits until `sink.write` has resolved. While the spool blocks, ZeroMQ's queues fill
// to their high-water marks (ours RCVHWM, then the sensor's SNDHWM) and the sensor's send blocks
// or fails there: nothing is dropped here. ZeroMQ has no acknowledgements, though: messages already
// moved into this process's queue when the source stops are lost unless the stop-time drain gets
// them into the spool.
import { stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { Pull } from 'zeromq';
import type { NormalizedEvent } from '../../events/event.js';
import { validateEvent } from '../../events/validate.js';
import type { Source, SourceConfig, SourceSink, SourceState } from './types.js';

export interface ZmqOptions {
  /** How often to stat the socket file while not attached (ms). */
  checkMs?: number;
  /** While the problem lasts, the log line is repeated at most this often (ms). */
  relogMs?: number;
  /** ZMQ_RCVHWM of the PULL socket. */
  receiveHighWaterMark?: number;
  /** Messages per sink.write at most. */
  batchMax?: number;
  /** How long stop() waits for a sink.write in progress (ms). */
  stopWaitMs?: number;
}

const WHERE_START = 'zmqStart';
const WHERE = 'sourceZmq';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** What Go's syscall errors say, as in `dial unix …: connect: no such file or directory`. */
const GO_ERRNO: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  ENOTDIR: 'not a directory',
  ECONNREFUSED: 'connection refused',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
};

export class ZmqSource implements Source {
  readonly name: string;
  private readonly endpoint: string;
  /** The socket file for ipc:// endpoints (not for the abstract namespace, ipc://@name). */
  private readonly socketPath: string | undefined;
  private readonly opt: Required<ZmqOptions>;

  private sock: Pull | undefined;
  private phase: 'idle' | 'running' | 'stopped' = 'idle';
  private paused = false;
  private attached = false;
  /** ZeroMQ reported a failed connect since the last success (the file may be a dead socket). */
  private retrying = false;
  private receiving = false;
  private loop: Promise<void> | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  /** The current problem reaching the endpoint (undefined: none seen) and when it was last logged. */
  private problem: string | undefined;
  private problemLoggedAt = 0;

  private eventsRead = 0;
  private eventsRejected = 0;
  private lastError: { message: string; time: string } | null = null;

  constructor(
    cfg: SourceConfig,
    private readonly sink: SourceSink,
    options: ZmqOptions = {},
  ) {
    if (!cfg.endpoint) throw new Error(`source ${cfg.name}: zmq needs endpoint (ipc:///path.sock)`);
    this.name = cfg.name;
    this.endpoint = cfg.endpoint;
    const ipc = cfg.endpoint.startsWith('ipc://') ? cfg.endpoint.slice('ipc://'.length) : undefined;
    this.socketPath = ipc && !ipc.startsWith('@') ? ipc : undefined;
    this.opt = {
      checkMs: options.checkMs ?? 3000,
      relogMs: options.relogMs ?? 60_000,
      receiveHighWaterMark: options.receiveHighWaterMark ?? 10_000,
      batchMax: options.batchMax ?? 1000,
      stopWaitMs: options.stopWaitMs ?? 5000,
    };
  }

  async start(): Promise<void> {
    if (this.phase === 'running') return;
    this.phase = 'running';
    this.paused = false;
    this.attached = false;
    const sock = new Pull({ receiveHighWaterMark: this.opt.receiveHighWaterMark, linger: 0 });
    this.sock = sock;
    sock.events.on('connect', () => this.setAttached(true));
    sock.events.on('disconnect', () => this.setAttached(false));
    sock.events.on('connect:retry', () => {
      this.retrying = true;
      this.setAttached(false);
    });
    await this.checkSocket();
    try {
      sock.connect(this.endpoint);
    } catch (e) {
      // A malformed endpoint: nothing will ever arrive. Report it, keep the connector up.
      this.phase = 'stopped';
      sock.close();
      this.noteError(WHERE_START, `Could not connect to ZeroMQ PUSH endpoint: ${(e as Error).message}`);
      return;
    }
    this.checkTimer = setInterval(() => {
      if (!this.attached && this.phase === 'running') void this.checkSocket();
    }, this.opt.checkMs);
    this.checkTimer.unref();
    this.loop = this.receiveLoop(sock);
  }

  pause(): void {
    if (this.phase === 'running') this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.wake?.();
  }

  async stop(): Promise<void> {
    if (this.phase !== 'running') {
      this.phase = 'stopped';
      return;
    }
    this.phase = 'stopped';
    if (this.checkTimer) clearInterval(this.checkTimer);
    this.checkTimer = undefined;
    this.wake?.();
    const sock = this.sock;
    // A receive in progress only ends when the socket closes; a write in progress gets some time.
    if (this.receiving) sock?.close();
    if (this.loop) {
      let t: NodeJS.Timeout | undefined;
      await Promise.race([this.loop, new Promise<void>((r) => (t = setTimeout(r, this.opt.stopWaitMs)))]);
      clearTimeout(t);
    }
    sock?.close();
    this.attached = false;
  }

  state(): SourceState {
    const state: SourceState['state'] =
      this.phase !== 'running' ? 'stopped' : this.paused ? 'paused' : this.attached ? 'attached' : 'waiting';
    let detail: string | undefined;
    if (state === 'waiting') detail = this.problem ?? `connecting to ${this.endpoint}`;
    return {
      name: this.name,
      type: 'zmq',
      state,
      ...(detail ? { detail } : {}),
      events_read: this.eventsRead,
      events_rejected: this.eventsRejected,
      last_error: this.lastError,
    };
  }

  // ---- endpoint watch --------------------------------------------------------------------------

  private setAttached(on: boolean): void {
    if (on === this.attached) return;
    this.attached = on;
    if (on) {
      this.problem = undefined;
      this.retrying = false;
      this.sink.log.info(WHERE_START, `source ${this.name}: connected to ZeroMQ PUSH endpoint ${this.endpoint}`);
    } else if (this.phase === 'running') {
      this.sink.log.warn(WHERE_START, `source ${this.name}: ZeroMQ PUSH endpoint ${this.endpoint} went away; reconnecting`);
      void this.checkSocket();
    }
  }

  /**
   * Stats the socket file and logs, rate-limited, while it cannot be dialled. Never throws.
   * Missing file → "no such file or directory". A file that is there but refuses (a regular file,
   * or a socket nobody listens on any more, seen as ZeroMQ connect retries after the file appeared)
   * → "connection refused". A file that is there with no failed retry yet: connecting, nothing said.
   */
  private async checkSocket(): Promise<void> {
    if (!this.socketPath) return;
    let problem: string | undefined;
    let known = true;
    try {
      const st = await stat(this.socketPath);
      if (!st.isSocket()) {
        problem = GO_ERRNO.ECONNREFUSED;
      } else if (this.retrying && this.problem !== GO_ERRNO.ENOENT) {
        problem = GO_ERRNO.ECONNREFUSED;
      } else {
        // Retries made while the file was missing say nothing about the file that is there now.
        known = this.problem === GO_ERRNO.ENOENT;
      }
      this.retrying = false; // the next verdict needs a retry after this look
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      problem = GO_ERRNO[code] ?? (e as Error).message;
      this.retrying = false;
    }
    if (this.attached || this.phase !== 'running') return;
    if (problem === undefined) {
      if (known) {
        // The file appeared: ZeroMQ's next retry will connect.
        this.sink.log.info(WHERE_START, `source ${this.name}: ${this.socketPath} is there now; connecting`);
        this.problem = undefined;
      }
      return;
    }
    const now = Date.now();
    if (problem !== this.problem || now - this.problemLoggedAt >= this.opt.relogMs) {
      this.problemLoggedAt = now;
      // Byte for byte what Cisco's SSEConnector logs (its Go error text ends in a newline).
      this.noteError(
        WHERE_START,
        `Could not connect to ZeroMQ PUSH endpoint: could not dial to "${this.endpoint}": dial unix ${this.socketPath}: connect: ${problem}\n`,
      );
    }
    this.problem = problem;
  }

  private noteError(where: string, message: string): void {
    this.lastError = { message: message.trimEnd(), time: new Date().toISOString() };
    this.sink.log.error(where, message);
  }

  // ---- receiving -------------------------------------------------------------------------------

  private waitResume(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        resolve();
      };
    });
  }

  private async receiveLoop(sock: Pull): Promise<void> {
    while (this.phase === 'running') {
      if (this.paused) {
        await this.waitResume();
        continue;
      }
      const batch: Buffer[][] = [];
      this.receiving = true;
      try {
        batch.push(await sock.receive());
        // Drain what is already queued, without waiting for more.
        while (batch.length < this.opt.batchMax && sock.readable) batch.push(await sock.receive());
      } catch (e) {
        if (this.phase !== 'running' || sock.closed) {
          this.receiving = false;
          if (batch.length) await this.deliver(batch);
          return;
        }
        this.noteError(WHERE, `source ${this.name}: receive failed: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 1000));
      } finally {
        this.receiving = false;
      }
      // Paused while the batch came in: hold it until resume (or stop) rather than drop it.
      while (this.paused && this.phase === 'running') await this.waitResume();
      if (batch.length) await this.deliver(batch);
    }
    // Stopping: what ZeroMQ already queued here would die with the socket; spool it first.
    const rest: Buffer[][] = [];
    try {
      while (!sock.closed && sock.readable && rest.length < this.opt.receiveHighWaterMark) rest.push(await sock.receive());
    } catch {
      // closed under us
    }
    if (rest.length) await this.deliver(rest);
  }

  private async deliver(batch: Buffer[][]): Promise<void> {
    const events: NormalizedEvent[] = [];
    for (const frames of batch) {
      const ev = this.parse(frames);
      if (ev) events.push(ev);
    }
    if (!events.length) return;
    await this.sink.write(events);
    this.eventsRead += events.length;
  }

  private parse(frames: Buffer[]): NormalizedEvent | undefined {
    const first = frames[0] ?? Buffer.alloc(0);
    if (frames.length !== 1) {
      this.reject(`a multi-part message of ${frames.length} frames (one frame, one event)`, first);
      return undefined;
    }
    let text: string;
    try {
      text = utf8.decode(first);
    } catch {
      this.reject('not UTF-8', first);
      return undefined;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      this.reject(`not JSON: ${(e as Error).message}`, text);
      return undefined;
    }
    if (typeof obj === 'object' && obj !== null && !Array.isArray(obj) && !('event_id' in obj)) {
      // The sensor gave no replayable position, so no stable id can be derived; a random one is
      // enough because this is the only time the event is read: from here on it lives in the
      // durable spool, and a resend from the spool carries the same id.
      (obj as { event_id: string }).event_id = `${this.name}:${randomUUID()}`;
    }
    const v = validateEvent(obj);
    if (!v.ok) {
      this.reject(`${v.code}: ${v.reason}`, text);
      return undefined;
    }
    return v.event;
  }

  private reject(reason: string, sample: Buffer | string): void {
    this.eventsRejected++;
    const s = typeof sample === 'string' ? sample.slice(0, 200) : sample.subarray(0, 100).toString('hex');
    this.sink.reject(this.name, reason, s);
  }
}
