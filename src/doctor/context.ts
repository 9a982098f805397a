// Gathers what every check reads — the config, the local API's snapshot, the credentials on
// disk, the exchange's endpoints — once, before the checks run in parallel.
import { existsSync, readFileSync } from 'node:fs';
import { loadConnectorConfig, type ConnectorConfig } from '../connector/properties.js';
import { loadCredentials, type Credentials } from '../connector/uplink/credentials.js';
import { runningConnectorPid } from '../connector/pid-lock.js';
import { ENDPOINT_ROLES, type EndpointRole } from '../protocol/endpoints.js';
import { waitMs, type DoctorContext, type LocalSnapshot } from './check.js';
import { fetchSnapshot } from './local-snapshot.js';
import { probeEndpoint, type EndpointProbe } from './net/endpoint-probe.js';
import { socketOwners, type SocketOwners } from './proc/fds.js';

export interface DoctorOptions {
  configPath: string;
  timeoutMs: number;
  /** Epoch ms by which every check must have answered. */
  deadline: number;
  exchangeApi: { clientId: string; clientSecret: string } | null;
}

function snapshotErrorText(e: NodeJS.ErrnoException, port: number): string {
  if (e.code === 'ECONNREFUSED') return `connection refused on 127.0.0.1:${port}: nothing listens on connector_port`;
  if (e.code === 'ETIMEDOUT') return `127.0.0.1:${port} accepted but did not answer (${e.message}): the connector is hung or stopped`;
  return e.message;
}

function endpointsOf(config: ConnectorConfig | null, snapshot: LocalSnapshot | null, creds: Credentials | null) {
  const map = (snapshot?.registration && 'endpoints' in snapshot.registration ? snapshot.registration.endpoints : undefined) ?? creds?.registration.endpoints;
  const endpoints: Partial<Record<EndpointRole, URL>> = {};
  if (map) {
    for (const role of ENDPOINT_ROLES) {
      if (map[role]) endpoints[role] = new URL(map[role]);
    }
    return { endpoints, from: 'the registration (endpoint map the exchange gave at enrollment)' };
  }
  // Not enrolled yet: only the api role is known; the exchange hands out the rest at enrollment.
  const fqdn = snapshot?.exchange ?? (config?.fqdn ? `${config.fqdn.host.includes(':') ? `[${config.fqdn.host}]` : config.fqdn.host}:${config.fqdn.port}` : null);
  if (fqdn) endpoints.api = new URL(`https://${fqdn}`);
  return { endpoints, from: fqdn ? 'connector_fqdn (not enrolled: the other roles come with enrollment)' : 'nowhere: no connector_fqdn and no registration' };
}

export async function buildContext(o: DoctorOptions): Promise<DoctorContext> {
  let config: ConnectorConfig | null = null;
  let configError: Error | null = null;
  let configWarnings: string[] = [];
  try {
    ({ config, warnings: configWarnings } = loadConnectorConfig(o.configPath));
  } catch (e) {
    configError = e as Error;
  }

  let snapshot: LocalSnapshot | null = null;
  let snapshotError: string | null = config ? null : 'connector.properties could not be read, so connector_port is unknown';
  if (config) {
    try {
      snapshot = await fetchSnapshot(config.connectorPort, Math.min(2000, o.timeoutMs));
    } catch (e) {
      snapshotError = snapshotErrorText(e as NodeJS.ErrnoException, config.connectorPort);
    }
  }

  let credentials: Credentials | null = null;
  let credentialsError: string | null = null;
  if (config) {
    try {
      credentials = loadCredentials(config.dataDir, config.caFile);
    } catch (e) {
      credentialsError = `the credentials in ${config.dataDir} cannot be read: ${(e as Error).message}`;
    }
  }

  const { endpoints, from } = endpointsOf(config, snapshot, credentials);
  const caPem = credentials?.ca ?? (config && existsSync(config.caFile) ? readFileSync(config.caFile, 'utf8') : null);
  const proxy = config?.proxy ? new URL(config.proxy) : null;
  const probes = new Map<string, Promise<EndpointProbe>>();
  let owners: Promise<SocketOwners> | null = null;

  const ctx: DoctorContext = {
    configPath: o.configPath,
    remedyTarget: { configPath: o.configPath, embeddedIn: snapshot?.embedded_in ?? null },
    config,
    configError,
    configWarnings,
    snapshot,
    snapshotError,
    connectorPid: snapshot?.pid ?? (config ? runningConnectorPid(config.dataDir) : null),
    credentials,
    credentialsError,
    caPem,
    endpoints,
    endpointsFrom: from,
    timeoutMs: o.timeoutMs,
    deadline: o.deadline,
    exchangeApi: o.exchangeApi,
    probe(role) {
      const url = endpoints[role];
      if (!url) return Promise.reject(new Error(`no ${role} endpoint known (${from})`));
      // Roles that share a URL (eventing and mx on one node) share one probe.
      let p = probes.get(url.href);
      if (!p) {
        p = probeEndpoint({ url, proxy, ca: caPem ?? undefined, cert: credentials?.cert, key: credentials?.key, waitMs: () => waitMs(ctx) });
        probes.set(url.href, p);
      }
      return p;
    },
    socketOwners() {
      owners ??= socketOwners();
      return owners;
    },
  };
  return ctx;
}
