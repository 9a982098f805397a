// The one WebSocket to the exchange's eventing endpoint: reads the spool from the first
// unacknowledged record, keeps a window of batches in flight, advances the spool on acks,
// resends whatever was unacknowledged after a reconnect, and obeys control frames.
import { proxyAgent } from './proxy.js';
import WebSocket from 'ws';
import type { Spool } from '../spool/types.js';
import type { Credentials } from './credentials.js';
import type { ControlFrame, ExchangeFrame, HelloFrame, DeviceStatus } from '../../protocol/frames.js';
import { Backoff } from './backoff.js';
import { maskedHeaderBytes, maskTextFrameInPlace } from './masked-frame.js';
import { handshakeTimeoutError, tracedTlsConnect, type DialTrace } from './dial-trace.js';
import { batchFormatFor, batchFrame, type BatchFormat } from './batch-frame.js';

/** Seconds after connecting for the heartbeat that reports the backlog's progress. */
const EARLY_HEARTBEAT_S = 5;

export type UplinkState = 'stopped' | 'connecting' | 'connected' | 'backoff' | 'revoked' | 'paused';

export interface UplinkLog {
  info(site: string, msg: string): void;
  warn(site: string, msg: string): void;
  error(site: string, msg: string): void;
}

export interface UplinkDeps {
  spool: Spool;
  credentials: () => Credentials;
  log: UplinkLog;
  /** Words a connect error as the Go connector did, so the note's greps keep working. */
  describeError: (err: Error, url: URL) => string;
  /** The device's status for heartbeats. */
  status: () => DeviceStatus;
  onControl: (f: ControlFrame) => Promise<{ status: 'ok' | 'error'; detail?: string }>;
  /** The exchange refused this device (deleted, revoked): enrollment is needed again. */
  onRevoked: (reason: string) => void;
  heartbeatSeconds: number;
  /** http://host:port to tunnel the WebSocket through (connector.properties `proxy`). */
  proxy?: string;
  window?: number;
  maxBatchBytes?: number;
  /** How long TCP connect, TLS and the HTTP upgrade together may take (default 20 s). */
  handshakeTimeoutMs?: number;
}

// ws's own text for its handshake timer; it carries no code, so it is reworded (dial-trace.ts).
const WS_HANDSHAKE_TIMEOUT = 'Opening handshake has timed out';

const DEFAULT_BATCH_BYTES = 512 << 10;

interface InFlight { from: number; to: number; acked: boolean }

export interface UplinkStatus {
  state: UplinkState;
  since: string;
  backoff_until: string | null;
  remote_address: string | null;
  url: string | null;
  batches_in_flight: number;
  events_sent: number;
  events_acked: number;
  events_duplicate: number;
  events_rejected: number;
  last_ack_at: string | null;
  connects: number;
  last_error: { message: string; time: string } | null;
}

export class Uplink {
  private ws: WebSocket | null = null;
  private readonly backoff = new Backoff();
  private st: UplinkStatus = {
    state: 'stopped', since: new Date().toISOString(), backoff_until: null, remote_address: null, url: null,
    batches_in_flight: 0, events_sent: 0, events_acked: 0, events_duplicate: 0, events_rejected: 0,
    last_ack_at: null, connects: 0, last_error: null,
  };
  private inflight = new Map<number, InFlight>();
  private batchSeq = 0;
  private sendPos = 0;
  private maxBatch = 1000;
  /** What the exchange of this connection reads (its hello's protocol). */
  private batchFormat: BatchFormat = 'json';
  private sending = false;
  private sendingPaused = false;
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private earlyHeartbeat: NodeJS.Timeout | null = null;
  private drainWaiters: Array<() => void> = [];
  /** Bytes of batch frames given to the socket and not yet written out. */
  private unflushed = 0;
  /** Buffers batch frames are built and masked in, each back here once its frame is written
   * out (see masked-frame.ts). */
  private frameBufs: Buffer[] = [];

  constructor(private readonly d: UplinkDeps) {}

  status(): UplinkStatus {
    return { ...this.st, batches_in_flight: this.inflight.size };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  /** Stop sending new batches (cloud events off); the connection stays for control frames. */
  pauseSending(paused: boolean): void {
    this.sendingPaused = paused;
    if (!paused) void this.pump();
  }

  /** Waits up to `ms` for in-flight batches to be acked, then closes. */
  async stop(ms = 5000): Promise<void> {
    this.running = false;
    this.sendingPaused = true;
    if (this.inflight.size > 0 && this.ws?.readyState === WebSocket.OPEN) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        this.drainWaiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
    if (this.timer) clearTimeout(this.timer);
    this.stopHeartbeats();
    this.ws?.close(1000, 'connector stopping');
    this.ws = null;
    this.setState('stopped');
  }

  private setState(s: UplinkState, backoffUntil: string | null = null): void {
    if (this.st.state !== s) this.st.since = new Date().toISOString();
    this.st.state = s;
    this.st.backoff_until = backoffUntil;
  }

  private fail(message: string): void {
    this.st.last_error = { message, time: new Date().toISOString() };
  }

  private connect(): void {
    if (!this.running) return;
    const c = this.d.credentials();
    const url = new URL(c.registration.endpoints.eventing);
    this.st.url = url.href;
    this.setState('connecting');
    // Through a proxy the agent makes the socket, so how far it got is not known.
    const trace: DialTrace | null = this.d.proxy || url.protocol !== 'wss:' ? null : { phase: 'tcp' };
    // Frames keep ws's random masks: RFC 6455 requires them of a client, even inside TLS.
    const ws = new WebSocket(url, {
      ca: c.ca, cert: c.cert, key: c.key, handshakeTimeout: this.d.handshakeTimeoutMs ?? 20_000, perMessageDeflate: false,
      ...(this.d.proxy ? { agent: proxyAgent(this.d.proxy) } : {}),
      // ws calls it with one options object; its typing lists net.connect's overloads too.
      ...(trace ? { createConnection: tracedTlsConnect(trace) as unknown as typeof import('node:net').createConnection } : {}),
    });
    this.ws = ws;
    let opened = false;
    let refused: { status: number; body: string } | null = null;
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (ch: Buffer) => (body += ch));
      res.on('end', () => {
        refused = { status: res.statusCode ?? 0, body };
        ws.terminate();
      });
    });
    ws.on('open', () => {
      opened = true;
      this.st.connects++;
      const sock = (ws as unknown as { _socket?: import('node:net').Socket })._socket;
      this.st.remote_address = sock ? `${sock.remoteAddress}:${sock.remotePort}` : null;
    });
    ws.on('message', (data) => this.onFrame(ws, data.toString()));
    ws.on('error', (err) => {
      if (!opened && !refused) {
        const timedOut = trace && err.message === WS_HANDSHAKE_TIMEOUT;
        const msg = this.d.describeError(timedOut ? handshakeTimeoutError(trace, err.message) : err, url);
        this.fail(msg);
        this.d.log.error('connectWebSocket', msg);
      }
    });
    ws.on('close', (code, reason) => {
      if (this.ws === ws) this.ws = null;
      this.stopHeartbeats();
      this.inflight.clear();
      this.st.remote_address = null;
      const r = refused as { status: number; body: string } | null;
      if (code === 4403 || (r && (r.status === 401 || r.status === 403))) {
        const why = r ? `${r.status} ${r.body}` : `closed by the exchange: ${reason.toString()}`;
        const msg = `the exchange refused this device (${why}): it was deleted or its certificate revoked; enroll again with a new registration token`;
        this.fail(msg);
        this.d.log.error('connectWebSocket', msg);
        this.setState('revoked');
        this.running = false;
        this.d.onRevoked(msg);
        return;
      }
      if (r) {
        const msg = `websocket: bad handshake (${r.status}): ${r.body.slice(0, 200)}`;
        this.fail(msg);
        this.d.log.error('connectWebSocket', msg);
      } else if (opened) {
        this.d.log.warn('connectWebSocket', `connection to ${url.host} closed (${code}${reason.length ? ` ${reason.toString()}` : ''}); reconnecting`);
      }
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (!this.running) return this.setState('stopped');
    const delay = this.backoff.next();
    this.setState('backoff', new Date(Date.now() + delay).toISOString());
    this.timer = setTimeout(() => this.connect(), delay);
  }

  private onFrame(ws: WebSocket, text: string): void {
    let f: ExchangeFrame;
    try { f = JSON.parse(text) as ExchangeFrame; } catch { return this.d.log.warn('connectWebSocket', 'the exchange sent a frame that is not JSON; ignored'); }
    switch (f.type) {
      case 'hello': return this.onHello(ws, f);
      case 'ack': return this.onAck(f.seq, f.accepted, f.duplicates, f.rejected);
      case 'control': return void this.onControl(ws, f);
      case 'error':
        this.fail(`${f.code}: ${f.message}`);
        this.d.log.error('connectWebSocket', `exchange error ${f.code}: ${f.message}`);
        if (f.code === 'batch_too_large') this.maxBatch = Math.max(1, Math.floor(this.maxBatch / 2));
        return;
    }
  }

  private onHello(ws: WebSocket, h: HelloFrame): void {
    this.backoff.reset();
    this.setState('connected');
    this.maxBatch = h.max_batch_events;
    this.batchFormat = batchFormatFor(h.protocol);
    this.d.log.info('connectWebSocket', `connected to ${this.st.url} as device ${h.device_id} (remote ${this.st.remote_address})`);
    // Everything not yet acknowledged goes again: the exchange drops the copies it has.
    this.sendPos = this.d.spool.stats().ackedUpTo;
    this.batchSeq = 0;
    this.unflushed = 0;
    this.sendHeartbeat(ws);
    this.heartbeat = setInterval(() => this.sendHeartbeat(ws), this.d.heartbeatSeconds * 1000);
    // The hello's heartbeat goes before the backlog does: without a second one soon after, the
    // exchange (and the console) would show this device's counters at zero for a whole interval.
    this.earlyHeartbeat = setTimeout(() => this.sendHeartbeat(ws), Math.min(EARLY_HEARTBEAT_S, this.d.heartbeatSeconds / 2) * 1000);
    // The exchange's setting holds on every connect, both ways: it may have been changed while
    // this device was not connected, and an off saved on disk must not outlive an on.
    if (typeof h.cloud_events === 'boolean') {
      this.d.onControl({ type: 'control', id: 'hello', action: 'cloud_events', params: { enabled: h.cloud_events } }).catch(() => {});
    }
    void this.pump();
  }

  private stopHeartbeats(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.earlyHeartbeat) clearTimeout(this.earlyHeartbeat);
    this.heartbeat = this.earlyHeartbeat = null;
  }

  sendHeartbeat(ws = this.ws): void {
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'heartbeat', status: this.d.status() }));
  }

  private async onControl(ws: WebSocket, f: ControlFrame): Promise<void> {
    let res: { status: 'ok' | 'error'; detail?: string };
    try {
      res = await this.d.onControl(f);
    } catch (e) {
      res = { status: 'error', detail: (e as Error).message };
    }
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'control_ack', id: f.id, ...res }));
  }

  private onAck(seq: number, accepted: number, duplicates: number, rejected: Array<{ event_id?: string; code: string; reason: string }>): void {
    const b = this.inflight.get(seq);
    if (!b) return;
    b.acked = true;
    this.st.events_acked += accepted + duplicates;
    this.st.events_duplicate += duplicates;
    this.st.events_rejected += rejected.length;
    this.st.last_ack_at = new Date().toISOString();
    if (rejected.length > 0) {
      const first = rejected[0]!;
      this.d.log.warn('connectWebSocket', `exchange rejected ${rejected.length} event(s) of batch ${seq}; first: ${first.event_id ?? '?'} ${first.code}: ${first.reason}`);
    }
    // Acks arrive in order, but advance only over a contiguous run of acked batches.
    let upto: number | null = null;
    for (const [s, x] of this.inflight) {
      if (!x.acked) break;
      upto = x.to;
      this.inflight.delete(s);
    }
    if (upto !== null) void this.d.spool.ack(upto);
    if (this.inflight.size === 0) for (const w of this.drainWaiters.splice(0)) w();
    void this.pump();
  }

  private takeFrameBuffer(size: number): Buffer {
    const i = this.frameBufs.findIndex((b) => b.length >= size);
    if (i >= 0) return this.frameBufs.splice(i, 1)[0]!;
    // Room for a full batch, so one buffer serves every batch after it.
    return Buffer.allocUnsafeSlow(Math.max(size, (this.d.maxBatchBytes ?? DEFAULT_BATCH_BYTES) + 64 * 1024));
  }

  private giveFrameBuffer(buf: Buffer): void {
    if (this.frameBufs.length < 4) this.frameBufs.push(buf);
  }

  private async pump(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      const window = this.d.window ?? 8;
      const maxBytes = this.d.maxBatchBytes ?? DEFAULT_BATCH_BYTES;
      // Besides the window of unacknowledged batches, at most about one batch's bytes may wait
      // in the socket unwritten: what the kernel has taken costs no memory here.
      while (this.running && this.ws && this.st.state === 'connected' && !this.sendingPaused && this.inflight.size < window && this.unflushed < maxBytes) {
        const ws = this.ws;
        const got = await this.d.spool.readPayloads(this.sendPos, this.maxBatch, maxBytes);
        if (ws !== this.ws || this.st.state !== 'connected') {
          got.release();
          break;
        }
        if (got.payloads.length === 0) {
          got.release();
          await Promise.race([this.d.spool.waitFor(this.sendPos), new Promise((r) => setTimeout(r, 1000))]);
          continue;
        }
        const seq = ++this.batchSeq;
        const count = got.payloads.length;
        let wire: Buffer;
        let backing: Buffer | null = null;
        try {
          // Built after room for the frame's header, which is written once the length is known.
          const frame = batchFrame(seq, got.payloads, got.bytes, (size) => {
            const h = maskedHeaderBytes(size);
            backing = this.takeFrameBuffer(h + size);
            return backing.subarray(h);
          }, this.batchFormat);
          wire = maskTextFrameInPlace(backing!, frame.length);
        } finally {
          got.release();
        }
        this.inflight.set(seq, { from: got.firstSeq, to: got.endSeq, acked: false });
        this.sendPos = got.endSeq;
        const len = wire.length;
        this.unflushed += len;
        writeFrame(ws, wire, () => {
          // Written out (or failed with the socket): nothing refers to the buffer any more.
          this.giveFrameBuffer(backing!);
          if (ws !== this.ws) return;
          this.unflushed -= len;
          void this.pump();
        });
        this.st.events_sent += count;
      }
    } finally {
      this.sending = false;
    }
  }
}

/**
 * Puts a complete, already masked frame on the connection's socket. ws writes each of its own
 * frames (heartbeats, control acks, close) in one synchronous write, and with no compression and
 * no Blobs it never holds one back, so a whole frame written here cannot land inside one of its.
 */
function writeFrame(ws: WebSocket, frame: Buffer, done: () => void): void {
  const sock = (ws as unknown as { _socket?: import('node:net').Socket })._socket;
  if (!sock || ws.readyState !== WebSocket.OPEN) return done();
  sock.write(frame, () => done());
}
