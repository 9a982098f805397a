// The connector on a sensor host: sources → durable spool → uplink to the exchange, with the
// local API beside it. Registration state lives in the data dir; the spool survives restarts.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ConnectorConfig } from './properties.js';
import { ConnectorLog, SITES, goErrorText, localApiListenFailed, type NetErrorLike } from './log.js';
import { openSegmentSpool } from './spool/segment-spool.js';
import type { Spool } from './spool/types.js';
import type { Source, SourceSink } from './sources/types.js';
import { eventRecord } from './event-record.js';
import { SOURCES } from './sources/registry.js';
import { Uplink } from './uplink/uplink.js';
import { EnrollError } from './uplink/enroll-error.js';
import { loadCredentials, saveCredentials, removeCredentials, type Credentials } from './uplink/credentials.js';
import { certTimes, needsRenewal } from './uplink/cert-times.js';
import { refreshRegistration, RegistrationGoneError, RefreshNotServedError, type RefreshAnswer } from './uplink/registration-self.js';
import { registrationChange, enrolledExchangeError, exchangeMovedWarning, leaveExchange } from './registration-changes.js';
import type { ControlFrame, DeviceStatus } from '../protocol/frames.js';
import { startLocalApi } from './local-api.js';
import { loadContext, parseContextFqdn, removeContext, saveContext } from './context-file.js';
import { loadCloudEvents, saveCloudEvents, removeCloudEvents } from './cloud-events-file.js';
import { Blocklist } from './blocklist/blocklist.js';
import { isBlockAction } from '../protocol/block.js';
import { VERSION } from '../version.js';

export type RegistrationState = 'Unregistered' | 'Enrolling' | 'Enrolled' | 'Revoked';

interface Counters { read: number; rejected_local: number; dropped: number }

export interface ConnectorHooks {
  /** Control actions the connector does not handle itself (it handles cloud_events, block, unblock). */
  control?: (f: ControlFrame) => Promise<{ status: 'ok' | 'error'; detail?: string }>;
  onExit?: (code: number) => void;
  /** The command this connector runs inside (`threatlink up --demo`), when it is not a process of its own:
   * the doctor and the service tools must restart that command, not look for a connector pid file. */
  embeddedIn?: string;
}

function memoryMb(): { rss_mb: number; heap_used_mb: number; external_mb: number; array_buffers_mb: number } {
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round(n / 1048576);
  return { rss_mb: mb(m.rss), heap_used_mb: mb(m.heapUsed), external_mb: mb(m.external), array_buffers_mb: mb(m.arrayBuffers) };
}

export class Connector {
  private creds: Credentials | null = null;
  private regState: RegistrationState = 'Unregistered';
  private uplink: Uplink | null = null;
  private sources: Source[] = [];
  private sourcesRunning = false;
  private counters: Counters = { read: 0, rejected_local: 0, dropped: 0 };
  private lastError: { message: string; time: string } | null = null;
  /** Where lastError arose, so that the same step succeeding can end it. */
  private lastErrorSite = '';
  private cloudFromExchange = true;
  private api: FastifyInstance | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private fqdn: { host: string; port: number } | undefined;
  /** Whether context `default` exists: from connector_fqdn or a saved POST, gone after DELETE. */
  private contextExists: boolean;
  readonly log: ConnectorLog;
  readonly blocklist: Blocklist;

  private constructor(readonly config: ConnectorConfig, readonly spool: Spool, log: ConnectorLog, private readonly hooks: ConnectorHooks) {
    this.log = log;
    this.blocklist = new Blocklist(config.blocklistDir, log);
    this.fqdn = config.fqdn;
    this.contextExists = Boolean(config.fqdn);
  }

  /** A context saved by POST /v1/contexts/ wins over connector_fqdn: see context-file.ts. */
  private applySavedContext(): void {
    const saved = loadContext(this.config.dataDir);
    if (!saved) return;
    this.contextExists = true;
    if (saved.fqdn) {
      const was = this.config.fqdn ? `${this.config.fqdn.host}:${this.config.fqdn.port}` : null;
      this.fqdn = saved.fqdn;
      const now = `${saved.fqdn.host}:${saved.fqdn.port}`;
      if (was && was !== now) this.log.warn(SITES.start, `exchange ${now} from the context set by POST /v1/contexts/ (${join(this.config.dataDir, 'context.json')}) overrides connector_fqdn=${was}; DELETE /v1/contexts/default to go back to connector.properties`);
    }
    if (saved.refreshInterval) this.config.registrationInterval = saved.refreshInterval;
  }

  static async start(config: ConnectorConfig, hooks: ConnectorHooks = {}): Promise<Connector> {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const log = new ConnectorLog({ file: config.logFile, hostname: config.hostname, maxBytes: config.logMaxBytes, keep: config.logKeep });
    let c: Connector | null = null;
    const spool = await openSegmentSpool(join(config.dataDir, 'spool'), {
      maxBytes: config.spoolMaxBytes,
      policy: config.spoolFullPolicy,
      onDrop: (n) => {
        if (!c) return;
        c.counters.dropped += n;
        c.note('warn', 'spool', `spool full (${config.spoolMaxBytes} bytes, policy drop_oldest): dropped ${n} unsent event(s), ${c.counters.dropped} in all`);
      },
      log: (msg: string) => log.warn(SITES.spool, msg),
    });
    c = new Connector(config, spool, log, hooks);
    c.applySavedContext();
    c.cloudFromExchange = loadCloudEvents(config.dataDir);
    c.blocklist.open();
    c.creds = loadCredentials(config.dataDir, config.caFile);
    c.regState = c.creds ? 'Enrolled' : 'Unregistered';
    log.info(SITES.start, `connector ${VERSION} starting: exchange ${c.fqdn ? `${c.fqdn.host}:${c.fqdn.port}` : '(none)'}, ${config.sources.length} source(s), state ${c.regState}`);
    c.sources = config.sources.map((s) => SOURCES[s.type](s, c!.sink(), join(config.dataDir, 'checkpoints')));
    try {
      c.api = await startLocalApi(c, config.connectorPort);
    } catch (e) {
      // Said in connector.log too, where the doctor and the note's greps look; stderr alone is
      // gone with the terminal (or the unit's journal).
      log.error(SITES.localApi, localApiListenFailed(config.connectorPort, e as NetErrorLike));
      throw e;
    }
    if (c.creds) {
      const moved = exchangeMovedWarning(c.creds, c.fqdn);
      if (moved) c.note('warn', 'start', moved);
      c.goOnline();
    } else if (config.registrationToken) {
      // activate() goes online itself once enrolled, and logs its own failure.
      await c.activate(config.registrationToken).catch(() => undefined);
    }
    return c;
  }

  private sink(): SourceSink {
    let lastRejectLog = 0;
    return {
      // Not async: nothing may hold on to the events (and their parsed records) while the
      // spool's fsync runs.
      write: (events) => {
        const n = events.length;
        return this.spool.append(events.map((e) => eventRecord(e))).then(() => {
          this.counters.read += n;
        });
      },
      writeRecords: (records) => {
        const n = records.length;
        return this.spool.append(records).then(() => {
          this.counters.read += n;
        });
      },
      reject: (source, reason, sample) => {
        this.counters.rejected_local++;
        const now = Date.now();
        // One line a second at most: a sensor spewing garbage must not fill the disk with logs.
        if (now - lastRejectLog > 1000) {
          lastRejectLog = now;
          this.note('warn', 'source', `source ${source}: rejected a record (${this.counters.rejected_local} in all): ${reason}${sample ? ` — ${sample.slice(0, 120)}` : ''}`);
        }
      },
      log: {
        info: (where, msg) => this.log.info(SITES[where as keyof typeof SITES] ?? SITES.source, msg),
        warn: (where, msg) => this.note('warn', where, msg),
        error: (where, msg) => this.note('error', where, msg),
      },
    };
  }

  private note(level: 'warn' | 'error', where: string, msg: string): void {
    const site = SITES[where as keyof typeof SITES] ?? SITES.source;
    if (level === 'error') {
      this.lastError = { message: msg, time: new Date().toISOString() };
      this.lastErrorSite = where;
      this.log.error(site, msg);
    } else {
      this.log.warn(site, msg);
    }
  }

  cloudEvents(): boolean {
    return this.config.cloudEvents && this.cloudFromExchange;
  }

  /** Applies the cloud events switch: off stops reading sources and sending; on resumes. */
  async setCloudEvents(on: boolean, origin: string): Promise<void> {
    // Every connect's hello repeats the exchange's setting: only a change is worth a write and a line.
    const quiet = origin === 'exchange hello' && on === this.cloudFromExchange;
    this.cloudFromExchange = on;
    if (!quiet) {
      saveCloudEvents(this.config.dataDir, on, origin);
      this.log.info(SITES.control, `cloud events ${on ? 'on' : 'off'} (${origin})${on && !this.config.cloudEvents ? '; still off locally: cloud_events=off in connector.properties' : ''}`);
    }
    this.applyFlow();
  }

  /** The exchange's switch belonged to the device identity just dropped or replaced: a new
   * enrollment starts on, as the exchange starts a new device, and its hello says otherwise if need be. */
  private forgetCloudState(): void {
    if (!this.cloudFromExchange) this.log.info(SITES.control, 'cloud events off from the previous enrollment forgotten: the exchange\'s setting applies on connect');
    this.cloudFromExchange = true;
    removeCloudEvents(this.config.dataDir);
  }

  private applyFlow(): void {
    const flowing = this.regState === 'Enrolled' && this.cloudEvents() && !this.stopping;
    this.uplink?.pauseSending(!this.cloudEvents());
    if (flowing && !this.sourcesRunning) {
      this.sourcesRunning = true;
      for (const s of this.sources) {
        if (s.state().state === 'paused') s.resume();
        else s.start().catch((e: Error) => this.note('error', 'source', `source ${s.name} failed to start: ${e.message}`));
      }
    } else if (!flowing && this.sourcesRunning) {
      this.sourcesRunning = false;
      for (const s of this.sources) s.pause();
    }
  }

  private goOnline(): void {
    if (this.uplink) return;
    this.startUplink();
    void this.checkRenewal();
    this.renewTimer = setInterval(() => void this.checkRenewal(), 6 * 3600_000);
    this.renewTimer.unref();
    // The refresh also runs at once: a device deleted while this connector was down, or whose
    // eventing connection cannot get through, learns its state without waiting an interval.
    void this.refreshRegistrationNow();
    this.refreshTimer = setInterval(() => void this.refreshRegistrationNow(), this.config.registrationInterval * 1000);
    this.refreshTimer.unref();
  }

  private stopTimers(): void {
    if (this.renewTimer) clearInterval(this.renewTimer);
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.renewTimer = this.refreshTimer = null;
  }

  private startUplink(): void {
    this.uplink = new Uplink({
      spool: this.spool,
      ...(this.config.proxy ? { proxy: this.config.proxy } : {}),
      credentials: () => this.creds!,
      log: {
        info: (site, msg) => this.log.info(SITES[site as keyof typeof SITES] ?? SITES.connectWebSocket, msg),
        warn: (site, msg) => this.log.warn(SITES[site as keyof typeof SITES] ?? SITES.connectWebSocket, msg),
        error: (site, msg) => this.note('error', site, msg),
      },
      describeError: (err, url) => goErrorText(err as NodeJS.ErrnoException, { host: url.hostname, port: Number(url.port || 443) }),
      status: () => this.deviceStatus(),
      onControl: (f) => this.onControl(f),
      onRevoked: () => this.markRevoked(),
      heartbeatSeconds: this.config.registrationInterval,
    });
    this.uplink.start();
    this.applyFlow();
  }

  private markRevoked(): void {
    this.regState = 'Revoked';
    this.stopTimers();
    this.applyFlow();
  }

  /** Each registration_interval: tells the exchange this host's name and version, and takes
   * back the current endpoints and org name, or learns that the device is gone there. */
  private async refreshRegistrationNow(): Promise<void> {
    const creds = this.creds;
    if (!creds || this.regState !== 'Enrolled') return;
    let a: RefreshAnswer;
    try {
      a = await refreshRegistration(creds, { hostname: this.config.hostname, version: VERSION }, this.config.proxy);
    } catch (e) {
      if (this.creds !== creds) return;
      if (e instanceof RegistrationGoneError) {
        this.note('error', 'registrationRefresh', `registration refresh refused (${e.message}): the device was deleted or its certificate revoked on the exchange; enroll again with a new registration token`);
        await this.uplink?.stop(0);
        this.markRevoked();
        return;
      }
      if (e instanceof RefreshNotServedError) {
        // Not an error of this device: heartbeats on the eventing connection keep it seen.
        this.log.warn(SITES.registrationRefresh, `registration refresh not served by this exchange (${e.message}); relying on heartbeats`);
        if (this.refreshTimer) clearInterval(this.refreshTimer);
        this.refreshTimer = null;
        return;
      }
      this.note('error', 'registrationRefresh', `registration refresh failed: ${enrolledExchangeError(e, creds)}`);
      return;
    }
    // Deregistered or enrolled anew while the request was out: this answer is about a device that is no more.
    if (this.creds !== creds) return;
    if (this.lastErrorSite === 'registrationRefresh' && this.lastError) {
      this.lastError = null;
      this.log.info(SITES.registrationRefresh, 'registration refreshed: the exchange answers again');
    }
    await this.applyRefresh(creds, a);
  }

  private async applyRefresh(creds: Credentials, a: RefreshAnswer): Promise<void> {
    const change = registrationChange(creds.registration, a);
    if (!change) return;
    this.creds = { ...creds, registration: change.registration };
    saveCredentials(this.config.dataDir, this.config.caFile, this.creds);
    this.log.info(SITES.registrationRefresh, `registration refreshed: ${change.said.join('; ')}`);
    if (change.moved.includes('eventing') && this.uplink) {
      // Unacked batches stay in the spool and go again on the new connection.
      await this.uplink.stop(5000);
      this.uplink = null;
      if (this.regState === 'Enrolled' && !this.stopping) this.startUplink();
    }
  }

  private async checkRenewal(): Promise<void> {
    if (!this.creds || !needsRenewal(this.creds.cert)) return;
    try {
      // Loaded when needed: see uplink/cert-times.ts.
      const { renew } = await import('./uplink/renew.js');
      const next = await renew(this.creds, this.config.proxy);
      saveCredentials(this.config.dataDir, this.config.caFile, next);
      this.creds = next;
      this.log.info(SITES.renew, `device certificate renewed; valid until ${next.registration.cert_not_after}`);
    } catch (e) {
      this.note('error', 'renew', `certificate renewal failed (current one expires ${this.creds.registration.cert_not_after}): ${(e as Error).message}`);
    }
  }

  private async onControl(f: ControlFrame): Promise<{ status: 'ok' | 'error'; detail?: string }> {
    if (f.action === 'cloud_events') {
      await this.setCloudEvents(f.params.enabled !== false, f.id === 'hello' ? 'exchange hello' : 'exchange');
      return { status: 'ok', detail: `cloud events ${this.cloudEvents() ? 'on' : 'off'}` };
    }
    if (isBlockAction(f.action)) return this.blocklist.handle(f);
    if (this.hooks.control) return this.hooks.control(f);
    return { status: 'error', detail: `unknown control action ${f.action}` };
  }

  deviceStatus(): DeviceStatus {
    const sp = this.spool.stats();
    const up = this.uplink?.status();
    return {
      version: VERSION,
      spool_depth: sp.depth,
      spool_bytes: sp.bytes,
      counters: {
        read: this.counters.read, sent: up?.events_sent ?? 0, acked: up?.events_acked ?? 0,
        rejected: up?.events_rejected ?? 0, rejected_local: this.counters.rejected_local, dropped: sp.dropped,
      },
      last_error: this.lastError,
      cloud_events: this.cloudEvents(),
    };
  }

  registrationState(): RegistrationState {
    return this.regState;
  }

  hasContext(): boolean {
    return this.contextExists;
  }

  /** POST /v1/contexts/: sets the exchange (and refresh interval) and keeps them across restarts. */
  createContext(fqdn: string | undefined, refreshInterval: number | undefined, clientInfo?: Record<string, unknown>): void {
    const parsed = fqdn ? parseContextFqdn(fqdn) : undefined;
    saveContext(this.config.dataDir, {
      ...(parsed ? { fqdn: parsed } : {}),
      ...(refreshInterval ? { refreshInterval } : {}),
      ...(clientInfo ? { clientInfo } : {}),
      created_at: new Date().toISOString(),
    });
    // Without a new fqdn the one from connector.properties stays.
    this.fqdn = parsed ?? this.config.fqdn;
    if (refreshInterval) this.config.registrationInterval = refreshInterval;
    this.contextExists = true;
    this.log.info(SITES.register, `context default created: exchange ${this.fqdn ? `${this.fqdn.host}:${this.fqdn.port}` : '(none)'}; saved in the data dir`);
  }

  /** DELETE /v1/contexts/default: after deregistering, the context itself goes, and a saved one
   * with it; connector_fqdn is what a later POST without an fqdn (or a restart) starts from. */
  private dropContext(): void {
    removeContext(this.config.dataDir);
    this.contextExists = false;
    this.fqdn = this.config.fqdn;
  }

  tenant(): { tenantName: string; tenantId: string } | null {
    if (!this.creds) return null;
    return { tenantName: this.creds.registration.org_name ?? this.creds.registration.org_id, tenantId: this.creds.registration.org_id };
  }

  async activate(token: string): Promise<void> {
    if (this.regState === 'Enrolled') throw Object.assign(new Error('already enrolled: DELETE /v1/contexts/default first to enroll again'), { code: 'already_enrolled' });
    if (!this.fqdn) throw Object.assign(new Error('no exchange configured: set connector_fqdn in connector.properties or POST /v1/contexts/'), { code: 'no_exchange' });
    const host = this.fqdn.host.includes(':') ? `[${this.fqdn.host}]` : this.fqdn.host;
    const apiUrl = `https://${host}:${this.fqdn.port}`;
    // A revoked device's uplink is done: a fresh enrollment gets a fresh one.
    await this.uplink?.stop(0);
    this.uplink = null;
    this.regState = 'Enrolling';
    this.log.info(SITES.register, `registering with ${apiUrl}`);
    try {
      const { enroll } = await import('./uplink/enroll.js');
      const creds = await enroll({ apiUrl, token, name: this.config.hostname, hostname: this.config.hostname, version: VERSION, proxy: this.config.proxy });
      saveCredentials(this.config.dataDir, this.config.caFile, creds);
      this.creds = creds;
      this.forgetCloudState();
      this.regState = 'Enrolled';
      // A failed try before this one is over; shown on, it would mark a healthy device red.
      if (this.lastErrorSite === 'register') this.lastError = null;
      this.log.info(SITES.register, `registered as device ${creds.registration.device_id} in ${creds.registration.org_name ?? creds.registration.org_id}; certificate valid until ${creds.registration.cert_not_after}`);
      this.goOnline();
    } catch (e) {
      this.regState = 'Unregistered';
      const err = e as Error & { code?: string };
      const msg = err instanceof EnrollError ? err.message : goErrorText(err as NodeJS.ErrnoException, this.fqdn);
      this.note('error', 'register', `registration failed: ${msg}`);
      throw Object.assign(new Error(msg), { code: err instanceof EnrollError ? err.code : 'unreachable' });
    }
  }

  async deregister(): Promise<void> {
    await this.uplink?.stop(1000);
    this.uplink = null;
    this.stopTimers();
    if (this.creds) await leaveExchange(this.creds, this.config.proxy, this.log);
    removeCredentials(this.config.dataDir, this.config.caFile);
    this.creds = null;
    this.forgetCloudState();
    this.regState = 'Unregistered';
    this.applyFlow();
    this.log.info(SITES.register, 'deregistered: device key and certificate removed');
  }

  /** DELETE /v1/contexts/default: deregisters, then removes the context itself. */
  async deleteContext(): Promise<void> {
    await this.deregister();
    this.dropContext();
  }

  async reset(): Promise<void> {
    await this.deregister();
    this.lastError = null;
  }

  snapshot() {
    const sp = this.spool.stats();
    const up = this.uplink?.status() ?? null;
    const reg = this.creds?.registration ?? null;
    let certExpiry: string | null = null;
    if (this.creds) { try { certExpiry = new Date(certTimes(this.creds.cert).notAfter).toISOString(); } catch { certExpiry = null; } }
    return {
      name: 'default',
      status: this.regState,
      version: VERSION,
      hostname: this.config.hostname,
      config_file: this.config.file,
      exchange: this.fqdn ? `${this.fqdn.host}:${this.fqdn.port}` : null,
      region: reg?.region ?? this.config.region,
      registration: reg ? { device_id: reg.device_id, org_id: reg.org_id, org_name: reg.org_name ?? null, enrolled_at: reg.enrolled_at, endpoints: reg.endpoints } : { device_id: null },
      certificate: this.creds ? { not_after: certExpiry, needs_renewal: certExpiry !== null && needsRenewal(this.creds.cert), ca_file: this.config.caFile } : null,
      cloud_events: { effective: this.cloudEvents(), local: this.config.cloudEvents, exchange: this.cloudFromExchange },
      uplink: up ?? { state: 'stopped' },
      spool: { depth_events: sp.depth, bytes: sp.bytes, max_bytes: this.config.spoolMaxBytes, policy: this.config.spoolFullPolicy, full: sp.full, next_seq: sp.nextSeq, acked_up_to: sp.ackedUpTo },
      counters: {
        events_read: this.counters.read,
        events_sent: up?.events_sent ?? 0,
        events_acked: up?.events_acked ?? 0,
        events_rejected: up?.events_rejected ?? 0,
        events_rejected_local: this.counters.rejected_local,
        events_dropped: sp.dropped,
      },
      sources: this.sources.map((s) => s.state()),
      blocklist: this.blocklist.snapshot(),
      last_error: this.lastError,
      pid: process.pid,
      embedded_in: this.hooks.embeddedIn ?? null,
      memory: memoryMb(),
      settings: { registration_interval: this.config.registrationInterval, connector_port: this.config.connectorPort },
    };
  }

  /** SIGTERM: stop reading, let in-flight batches be acked, close everything. */
  async shutdown(reason: string, code = 0): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log.info(SITES.shutdown, `shutting down: ${reason}`);
    this.sourcesRunning = false;
    await Promise.allSettled(this.sources.map((s) => s.stop()));
    await this.uplink?.stop(5000);
    this.stopTimers();
    await this.api?.close();
    await this.spool.close();
    this.log.info(SITES.shutdown, 'stopped');
    this.log.close();
    this.hooks.onExit?.(code);
  }
}

