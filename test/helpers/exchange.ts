// Starts a real exchange (HTTPS, SQLite file, its own CA) in a temp dir, and acts as API client
// and as devices over real TLS and WebSockets.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { buildConfig } from '../../src/exchange/config.js';
import { startThreatlink, type Threatlink } from '../../src/threatlink.js';
import { generateKeyAndCsr } from '../../src/pki/x509.js';
import type { ExchangeFrame, AckFrame, HelloFrame } from '../../src/protocol/frames.js';
import type { NormalizedEvent } from '../../src/events/event.js';
import { https, accessToken, registrationTokenAt, type HttpsOptions } from './https.js';
import { freshBackend } from './pg.js';

export const ADMIN_ID = 'client-test-admin';
export const ADMIN_SECRET = 'test-admin-secret-123';

export function tmpDir(prefix = 'tl-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestExchange {
  ex: Threatlink;
  url: string;
  ca: string;
  dataDir: string;
  token(id?: string, secret?: string): Promise<string>;
  api<T = any>(path: string, o?: HttpsOptions & { as?: string }): Promise<import('./https.js').HttpsResult<T>>;
  close(): Promise<void>;
}

/** `store`: a `postgres://` URL to run on PostgreSQL instead of the SQLite files in dataDir;
 * `bus`: a `nats://` URL. Neither given: the suite's backend (on the postgres+nats pass, a
 * schema and stream of the data dir's own). */
export async function startTestExchange(dataDir = tmpDir(), o: { store?: string; bus?: string; feedFilesDir?: string; maxObservables?: number } = {}): Promise<TestExchange> {
  const config = buildConfig({ dataDir, listen: '127.0.0.1:0', feedFilesDir: o.feedFilesDir, maxObservables: o.maxObservables }, {});
  const own = o.store === undefined ? backendOf(dataDir) : undefined;
  // Quiet unless TEST_LOG_LEVEL says otherwise, but its warnings and errors are kept: a test
  // that times out waiting on the server says what the server complained of meanwhile.
  const level = process.env.TEST_LOG_LEVEL;
  const kept: string[] = [];
  const ex = await startThreatlink(config, {
    store: o.store ?? own?.store,
    bus: o.store === undefined ? own?.bus : o.bus,
    logLevel: level ?? 'warn',
    ...(level ? {} : { logStream: { write: (line: string) => { kept.push(line.trimEnd()); if (kept.length > KEPT_LINES) kept.shift(); } } }),
    env: { THREATLINK_BOOTSTRAP_CLIENT_ID: ADMIN_ID, THREATLINK_BOOTSTRAP_CLIENT_SECRET: ADMIN_SECRET },
  });
  const ca = ex.ctx.ca.certPem;
  live.set(ex, kept);
  const tokens = new Map<string, string>();
  const t: TestExchange = {
    ex, url: ex.url, ca, dataDir,
    async token(id = ADMIN_ID, secret = ADMIN_SECRET) {
      const key = `${id}:${secret}`;
      const cached = tokens.get(key);
      if (cached) return cached;
      const token = await accessToken(ex.url, ca, id, secret);
      tokens.set(key, token);
      return token;
    },
    async api(path, o = {}) {
      const token = o.token ?? (o.as === 'none' ? undefined : await t.token());
      return https(`${ex.url}${path}`, { ca, ...o, token });
    },
    async close() {
      live.delete(ex);
      await ex.close();
    },
  };
  return t;
}

/** The running test servers, each with the warnings and errors it logged last. */
const live = new Map<Threatlink, string[]>();
const KEPT_LINES = 20;

/** The warnings and errors the running test servers logged last, for a failure's message. */
export function recentServerLogs(): string {
  const lines = [...live.values()].flat();
  return lines.length === 0 ? 'none' : lines.map((l) => l.slice(0, 600)).join('\n');
}

/** One schema and stream per data dir, as one data dir is one server's state: a test that
 * restarts a server on its data dir finds it again. Dropped by cleanup(dir). */
const backends = new Map<string, NonNullable<ReturnType<typeof freshBackend>>>();
function backendOf(dataDir: string) {
  let b = backends.get(dataDir);
  if (!b) {
    b = freshBackend();
    if (b) backends.set(dataDir, b);
  }
  return b;
}

/** On a bus that acks before storing (JetStream), waits until every acked batch is stored, so a
 * test reads what it just sent, as it would on the embedded default. */
export async function settled(): Promise<void> {
  for (const ex of live.keys()) {
    for (let i = 0; (await ex.ctx.bus.backlog()) > 0; i++) {
      if (i > 500) throw new Error('the bus did not drain in 10 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

export function cleanup(dir: string): void {
  const b = backends.get(dir);
  backends.delete(dir);
  void b?.drop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}

export interface EnrolledDevice {
  deviceId: string;
  key: string;
  cert: string;
  ca: string;
  endpoints: Record<string, string>;
}

export async function registrationToken(t: TestExchange, body: object = { expiry: 3600 }, token?: string): Promise<string> {
  return registrationTokenAt(t.url, t.ca, token ?? (await t.token()), body);
}

export async function enroll(t: TestExchange, token: string, name = 'sensor-1') {
  const { keyPem, csrPem } = await generateKeyAndCsr(name);
  const r = await https<any>(`${t.url}/providers/sse/services/registration/api/v2/clients`, {
    method: 'POST', ca: t.ca, body: { token, csr: csrPem, name, hostname: `${name}.lab`, version: '0.1.0', serviceType: 'ngfw' },
  });
  return { r, keyPem };
}

export async function enrollDevice(t: TestExchange, name = 'sensor-1', token?: string): Promise<EnrolledDevice> {
  const { r, keyPem } = await enroll(t, token ?? (await registrationToken(t)), name);
  if (r.status !== 201) throw new Error(`enroll: ${r.status} ${r.text}`);
  return { deviceId: r.body.device_id, key: keyPem, cert: r.body.certificate, ca: r.body.ca, endpoints: r.body.endpoints };
}

/** A device on the eventing WebSocket, collecting every frame the exchange sends. */
export class DeviceSocket {
  readonly frames: ExchangeFrame[] = [];
  private waiters: Array<{ pred: (f: ExchangeFrame) => boolean; resolve: (f: ExchangeFrame) => void }> = [];
  closed: { code: number; reason: string } | null = null;
  private closeWaiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as ExchangeFrame;
      this.frames.push(f);
      this.waiters = this.waiters.filter((w) => (w.pred(f) ? (w.resolve(f), false) : true));
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const w of this.closeWaiters) w();
    });
  }

  static connect(dev: EnrolledDevice, url = dev.endpoints.eventing as string): Promise<DeviceSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { ca: dev.ca, cert: dev.cert, key: dev.key });
      const s = new DeviceSocket(ws);
      ws.once('open', () => resolve(s));
      ws.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c));
        res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode} ${text}`), { status: res.statusCode, body: text })));
      });
      ws.once('error', reject);
    });
  }

  /** Rejects when the time runs out or the socket closes first, saying what did come and what
   * the server logged meanwhile. */
  waitFor<T extends ExchangeFrame>(pred: (f: ExchangeFrame) => boolean, timeoutMs = 10_000): Promise<T> {
    const have = this.frames.find(pred);
    if (have) return Promise.resolve(have as T);
    return new Promise((resolve, reject) => {
      const why = (what: string) => new Error(
        `${what} waiting for a frame; received ${JSON.stringify(this.frames).slice(0, 2000)}; the server logged: ${recentServerLogs()}`);
      const onClose = () => { clearTimeout(timer); reject(why(`socket closed (${JSON.stringify(this.closed)})`)); };
      const timer = setTimeout(() => {
        this.closeWaiters = this.closeWaiters.filter((w) => w !== onClose);
        reject(why('timed out'));
      }, timeoutMs);
      if (this.closed) return onClose();
      this.closeWaiters.push(onClose);
      this.waiters.push({ pred, resolve: (f) => {
        clearTimeout(timer);
        this.closeWaiters = this.closeWaiters.filter((w) => w !== onClose);
        resolve(f as T);
      } });
    });
  }

  hello(): Promise<HelloFrame> {
    return this.waitFor((f) => f.type === 'hello');
  }

  async sendBatch(seq: number, events: unknown[]): Promise<AckFrame> {
    this.ws.send(JSON.stringify({ type: 'batch', seq, events }));
    const ack = await this.waitFor<AckFrame>((f) => f.type === 'ack' && f.seq === seq);
    await settled();
    return ack;
  }

  waitClosed(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
      this.closeWaiters.push(() => { clearTimeout(timer); resolve(this.closed!); });
    });
  }

  close(): void {
    this.ws.close();
  }
}

let counter = 0;
export function intrusion(over: Partial<NormalizedEvent> = {}): NormalizedEvent {
  counter++;
  return {
    event_id: `ev-${process.pid}-${counter}`,
    type: 'intrusion',
    time: new Date().toISOString(),
    src_ip: '10.0.0.5',
    src_port: 40000 + (counter % 1000),
    dst_ip: '203.0.113.7',
    dst_port: 443,
    protocol: 'tcp',
    signature: { gid: 1, sid: 2024001, rev: 3, message: 'ET MALWARE test beacon', classification: 'trojan-activity', priority: 1 },
    action: 'allowed',
    app_proto: 'tls',
    observables: { domain: ['evil.example.com'] },
    ...over,
  };
}
