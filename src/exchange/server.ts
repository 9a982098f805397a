// Assembles the exchange: CA, stores, TLS, the API plugins and the eventing endpoint, on one
// HTTPS port.
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdirSync } from 'node:fs';
import type { ExchangeConfig } from './config.js';
import { paths, defaultEndpoints } from './config.js';
import type { Stores } from './store/types.js';
import type { ExchangeContext } from './context.js';
import { ExchangeCa } from './pki/ca.js';
import { openSqliteStores } from './store/sqlite/index.js';
import { ExchangeMetrics } from './metrics.js';
import { ConnectionRegistry } from './ingest/connections.js';
import { Committer } from './ingest/committer.js';
import { DeviceCounters } from './ingest/device-counters.js';
import { attachEventing } from './ingest/ws-server.js';
import { serverTls } from './tls-files.js';
import { bootstrap, checkBootstrapEnv, type BootstrapResult } from './bootstrap.js';
import { startRetention } from './retention.js';
import { FrameDecoder } from './ingest/frame-decoder.js';
import { registerSecurityHeaders } from './api/security-headers.js';
import { ApiError } from './api/errors.js';
import { oauthRoutes } from './api/oauth.js';
import { clientRoutes } from './api/clients.js';
import { registrationTokenRoutes } from './api/registration-tokens.js';
import { enrollmentRoutes } from './api/enrollment.js';
import { deviceSelfRoutes } from './api/device-self.js';
import { unauthenticatedProbeRoutes } from './api/unauthenticated-probe.js';
import { deviceRoutes } from './api/devices.js';
import { eventRoutes } from './api/events.js';
import { healthRoutes } from './api/health.js';
import { VERSION } from '../version.js';
import type { ExchangeExtension } from './extension.js';
import type { Bus } from './bus/types.js';
import { memoryBus } from './bus/memory.js';
import { routeDeviceMessage } from './ingest/device-router.js';
import { LocalConnectors } from './local-connectors.js';
import { stableError } from '../fastify-error.js';

export interface Exchange {
  app: FastifyInstance;
  ctx: ExchangeContext;
  url: string;
  bootstrap: BootstrapResult;
  /** Every route the server answers (for audits: which need auth, which do not). */
  routes: Array<{ method: string; url: string }>;
  close(): Promise<void>;
}

export interface StartOptions {
  stores?: Stores;
  logLevel?: string;
  /** Where the JSON log lines go; standard output when absent. */
  logStream?: { write(line: string): unknown };
  env?: NodeJS.ProcessEnv;
  /** Layers above the exchange (response, console): their routes and ingest hooks. */
  extensions?: ExchangeExtension[];
  /** Absent: in-process (one node). NATS JetStream when nodes share a database. */
  bus?: Bus;
}

export async function startExchange(config: ExchangeConfig, opts: StartOptions = {}): Promise<Exchange> {
  const p = paths(config.dataDir);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const ca = await ExchangeCa.loadOrCreate(p.caDir);
  const tls = await serverTls(config, ca);
  // Checked now, made once listening: a first start that cannot listen (the port is taken)
  // must not create credentials it never gets to show.
  checkBootstrapEnv(opts.env);
  const stores = opts.stores ?? openSqliteStores(p.db);

  const app = Fastify({
    logger: { level: opts.logLevel ?? process.env.THREATLINK_LOG_LEVEL ?? 'info', ...(opts.logStream ? { stream: opts.logStream } : {}) },
    // Devices present client certificates on the same port; API callers do not, so the TLS
    // layer asks but does not insist, and each endpoint decides what it needs.
    https: { cert: tls.cert, key: tls.key, ca: [ca.certPem], requestCert: true, rejectUnauthorized: false },
    bodyLimit: 8 * 1024 * 1024,
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false } },
  });
  const metrics = new ExchangeMetrics();
  const connections = new ConnectionRegistry();
  const extensions = opts.extensions ?? [];
  const bus = opts.bus ?? memoryBus();
  const ctx: ExchangeContext = {
    config, stores, ca, metrics, connections, bus,
    committer: new Committer(stores.events, config.ingest.maxCommitEvents, extensions,
      (err, name) => app.log.error({ err, extension: name }, 'ingest hook failed'),
      (inserted, duplicates) => { metrics.committed.inc(inserted); metrics.duplicates.inc(duplicates); }),
    counters: new DeviceCounters(stores.devices),
    decoder: new FrameDecoder(config.ingest.maxBatchEvents, app.log),
    log: app.log,
    extensions,
    localConnectors: new LocalConnectors(),
  };

  const routes: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
  });
  registerSecurityHeaders(app, (url) => extensions.some((x) => x.cacheable?.(url) ?? false));
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addContentTypeParser(['application/pkcs10', 'application/pkcs7-mime'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown; code?: string }, req, reply) => {
    if (err instanceof ApiError) {
      if (err.status === 401) reply.header('www-authenticate', 'Bearer realm="threatlink"');
      return reply.code(err.status).send({ error: err.code, message: err.message });
    }
    const { status, code } = stableError(err);
    if (status === 500) req.log.error({ err }, 'request failed');
    return reply.code(status).send({ error: code, message: status === 500 ? 'internal error' : err.message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));

  await app.register(async (a) => {
    await healthRoutes(a, ctx, VERSION);
    await oauthRoutes(a, ctx);
    await clientRoutes(a, ctx);
    await registrationTokenRoutes(a, ctx);
    await enrollmentRoutes(a, ctx);
    await deviceSelfRoutes(a, ctx);
    await unauthenticatedProbeRoutes(a);
    await deviceRoutes(a, ctx);
    await eventRoutes(a, ctx);
    for (const x of extensions) await x.register(a, ctx);
  });

  await bus.start({
    commit: (items) => ctx.committer.submit(items),
    storedIds: stores.events.storedIds?.bind(stores.events),
    device: routeDeviceMessage(ctx),
    log: app.log,
  });
  const wss = attachEventing(app.server as import('node:https').Server, ctx);
  const stopRetention = startRetention(stores.events, config.retention, (err) => app.log.error({ err }, 'retention prune failed'), (r) => {
    if (r.byAge > 0) ctx.metrics.pruned.inc({ reason: 'age' }, r.byAge);
    if (r.bySize > 0) ctx.metrics.pruned.inc({ reason: 'size' }, r.bySize);
    app.log.info(r, `retention deleted ${r.byAge} events with an event time before ${r.before} (--retention-days ${config.retention.maxAgeDays}) and ${r.bySize} more to stay under --retention-bytes`);
  });
  await app.listen({ host: config.listen.host, port: config.listen.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.listen.port;
  const h = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  const url = `https://${h === '0.0.0.0' ? 'localhost' : h}:${port}`;
  if (config.listen.port === 0) {
    // An ephemeral port (tests): the default endpoint map could not know it before listening.
    config.endpoints = defaultEndpoints(new URL(config.endpoints.api).hostname.replace(/^\[|\]$/g, ''), port);
  }

  let closed = false;
  const ex: Exchange = {
    app, ctx, url, bootstrap: { created: false, origin: 'existing', user: { created: false, origin: 'existing' } }, routes,
    async close() {
      if (closed) return;
      closed = true;
      stopRetention();
      connections.closeAll(1001, 'exchange shutting down');
      wss.close();
      await app.close();
      await ctx.decoder.close();
      // After the sockets: no batch comes in; commits in hand finish and are acked to JetStream.
      await bus.close();
      for (const x of [...extensions].reverse()) await x.close?.();
      await ctx.counters.flush();
      await stores.close();
    },
  };
  try {
    ex.bootstrap = await bootstrap(stores, opts.env);
  } catch (err) {
    await ex.close();
    throw err;
  }
  return ex;
}
