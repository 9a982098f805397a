// The exchange's settings, validated up front: each bad value is an error naming the setting,
// the value and what is allowed.
import { join, resolve } from 'node:path';

import { ENDPOINT_ROLES, type EndpointMap } from '../protocol/endpoints.js';

export { ENDPOINT_ROLES, type EndpointMap, type EndpointRole } from '../protocol/endpoints.js';

export interface ExchangeConfig {
  dataDir: string;
  listen: { host: string; port: number };
  /** Names the server certificate is issued for, beside the listen host. */
  serverNames: string[];
  region: string;
  /** Where devices reach each role; one node serves all roles unless told otherwise. */
  endpoints: EndpointMap;
  tlsCert?: string;
  tlsKey?: string;
  deviceCertDays: number;
  accessTokenSeconds: number;
  retention: { maxAgeDays: number; maxBytes: number; intervalSeconds: number };
  ingest: { maxBatchEvents: number; windowPerConnection: number; maxCommitEvents: number };
  heartbeatSeconds: number;
  /** Feed instances read local files only under this directory: an org's admin configures
   * feeds, the server's operator decides which files they may name. */
  feedFilesDir: string;
  /** Observables one inspect, enrich, respond or investigate request may carry (or its text may
   * hold): every module of the org works on each, so this bounds the work one request makes. */
  maxObservables: number;
}

/** CTR's own enrich refuses large batches too; a thousand covers any real paste. */
export const DEFAULT_MAX_OBSERVABLES = 1000;

export interface ConfigInput {
  dataDir?: string;
  listen?: string;
  publicHost?: string;
  region?: string;
  endpoints?: Partial<EndpointMap>;
  tlsCert?: string;
  tlsKey?: string;
  retentionDays?: number;
  retentionBytes?: number;
  feedFilesDir?: string;
  maxObservables?: number;
}

export class ConfigError extends Error {}

export function parseListen(s: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(s);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new ConfigError(`listen: "${s}" is not HOST:PORT (for example 127.0.0.1:8443 or [::1]:8443)`);
  }
  return { host: (m[1] ?? m[2]) as string, port };
}

function hostForUrl(h: string): string {
  return h.includes(':') ? `[${h}]` : h;
}

export function defaultEndpoints(host: string, port: number): EndpointMap {
  const base = `${hostForUrl(host)}:${port}`;
  return {
    api: `https://${base}`,
    est: `https://${base}/.well-known/est`,
    eventing: `wss://${base}/eventing/v1/ws`,
    mx: `wss://${base}/eventing/v1/ws`,
  };
}

export function buildConfig(input: ConfigInput, env: NodeJS.ProcessEnv = process.env): ExchangeConfig {
  const dataDir = resolve(input.dataDir ?? env.THREATLINK_DATA_DIR ?? './data');
  const listen = parseListen(input.listen ?? env.THREATLINK_LISTEN ?? '127.0.0.1:8443');
  if ((input.tlsCert === undefined) !== (input.tlsKey === undefined)) {
    throw new ConfigError('--tls-cert and --tls-key go together: give both or neither');
  }
  const publicHost = input.publicHost ?? env.THREATLINK_PUBLIC_HOST ??
    (listen.host === '0.0.0.0' || listen.host === '::' ? 'localhost' : listen.host);
  const endpoints = { ...defaultEndpoints(publicHost, listen.port), ...input.endpoints };
  for (const role of ENDPOINT_ROLES) {
    const u = endpoints[role];
    const ok = (() => { try { return ['https:', 'wss:'].includes(new URL(u).protocol); } catch { return false; } })();
    if (!ok) throw new ConfigError(`endpoints.${role}: "${u}" is not an https:// or wss:// URL`);
  }
  const days = input.retentionDays ?? Number(env.THREATLINK_RETENTION_DAYS ?? 30);
  if (!(days > 0)) throw new ConfigError(`retention days: "${days}" must be a positive number`);
  const bytes = input.retentionBytes ?? Number(env.THREATLINK_RETENTION_BYTES ?? 0);
  if (!(bytes >= 0)) throw new ConfigError(`retention bytes: "${bytes}" must be 0 (no limit) or more`);
  const maxObservables = input.maxObservables ?? Number(env.THREATLINK_MAX_OBSERVABLES ?? DEFAULT_MAX_OBSERVABLES);
  if (!(Number.isInteger(maxObservables) && maxObservables >= 1)) throw new ConfigError(`max observables: "${maxObservables}" must be a whole number of at least 1`);
  return {
    dataDir,
    listen,
    serverNames: [...new Set([publicHost, listen.host, 'localhost', '127.0.0.1', '::1'])]
      .filter((h) => h !== '0.0.0.0' && h !== '::'),
    region: input.region ?? env.THREATLINK_REGION ?? 'local',
    endpoints,
    tlsCert: input.tlsCert,
    tlsKey: input.tlsKey,
    deviceCertDays: 90,
    accessTokenSeconds: 600,
    retention: { maxAgeDays: days, maxBytes: bytes, intervalSeconds: 60 },
    ingest: { maxBatchEvents: 5000, windowPerConnection: 16, maxCommitEvents: 20000 },
    heartbeatSeconds: 180,
    feedFilesDir: resolve(input.feedFilesDir ?? env.THREATLINK_FEED_FILES_DIR ?? join(dataDir, 'feeds')),
    maxObservables,
  };
}

export function paths(dataDir: string) {
  return {
    caDir: join(dataDir, 'ca'),
    tlsDir: join(dataDir, 'tls'),
    db: join(dataDir, 'exchange.db'),
    bootstrap: join(dataDir, 'bootstrap.json'),
  };
}
