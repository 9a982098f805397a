// What a doctor check is and what it sees. Checks are independent: each gets the same context,
// runs in parallel with the others, and turns whatever it finds — a failure inside included —
// into results with evidence, a cause and a remedy.
import type { ConnectorConfig } from '../connector/properties.js';
import type { RemedyTarget } from './remedies.js';
import type { Connector } from '../connector/connector.js';
import type { Credentials } from '../connector/uplink/credentials.js';
import type { EndpointRole } from '../protocol/endpoints.js';
import type { EndpointProbe } from './net/endpoint-probe.js';
import type { SocketOwners } from './proc/fds.js';

export type Status = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** Stable: tests and scripts key on it (`tcp.eventing`, `ipc_socket.fmc`). */
  id: string;
  title: string;
  status: Status;
  evidence: string[];
  cause?: string;
  remedy?: string;
  /** The id of a check whose failure, when it fails too, explains this one: the verdict names
   * that root cause instead of this result, though this one comes first in the note's order. */
  consequenceOf?: string;
}

/** What GET /v1/contexts/default answers. */
export type LocalSnapshot = ReturnType<Connector['snapshot']>;

export interface DoctorContext {
  configPath: string;
  /** What the remedies restart: this config's connector, or the command it runs inside. */
  remedyTarget: RemedyTarget;
  config: ConnectorConfig | null;
  configError: Error | null;
  configWarnings: string[];
  snapshot: LocalSnapshot | null;
  /** Why there is no snapshot (connection refused, timed out, not JSON …). */
  snapshotError: string | null;
  /** The connector's pid: the local API's word, else a live data_dir/connector.pid. */
  connectorPid: number | null;
  credentials: Credentials | null;
  credentialsError: string | null;
  /** connectorCA.pem (ca_file), the only CA the connector trusts for its exchange. */
  caPem: string | null;
  /** The exchange's roles: the registration's endpoint map, else `api` from connector_fqdn. */
  endpoints: Partial<Record<EndpointRole, URL>>;
  endpointsFrom: string;
  /** Bound for one network wait (connect, handshake, answer). */
  timeoutMs: number;
  /** Epoch ms by which every check must have answered. */
  deadline: number;
  exchangeApi: { clientId: string; clientSecret: string } | null;
  /** DNS → TCP → TLS → HTTP to one role, done once however many checks ask. */
  probe(role: EndpointRole): Promise<EndpointProbe>;
  /** Socket inode → the processes holding it, from /proc/<pid>/fd; read once. */
  socketOwners(): Promise<SocketOwners>;
}

export interface Check {
  /** The id, or the id prefix for checks that report one result per role or source. */
  id: string;
  title: string;
  run(ctx: DoctorContext): Promise<CheckResult[]>;
}

/** How long the next network wait may take: the per-wait bound, cut to what the deadline leaves. */
export function waitMs(ctx: Pick<DoctorContext, 'timeoutMs' | 'deadline'>): number {
  return Math.max(200, Math.min(ctx.timeoutMs, ctx.deadline - Date.now() - 150));
}

export const STATUS_RANK: Record<Status, number> = { ok: 0, skip: 0, warn: 1, fail: 2 };

export function worst(statuses: Status[]): Status {
  return statuses.reduce<Status>((w, s) => (STATUS_RANK[s] > STATUS_RANK[w] ? s : w), 'ok');
}

/** For checks that need something an earlier check reports on. */
export function skipped(id: string, title: string, why: string): CheckResult {
  return { id, title, status: 'skip', evidence: [why] };
}
