// What the exchange keeps, behind small interfaces so the API and ingest code never see SQL.
// Every method is async so that a networked store (PostgreSQL) fits the same shape.
// Every read and write of org-owned data takes the org id: one org never reaches another's rows.
import type { NormalizedEvent, StoredEvent, EventType } from '../../events/event.js';

export type Role = 'admin' | 'analyst' | 'read-only';
export const ROLES: readonly Role[] = ['admin', 'analyst', 'read-only'];

export interface Org {
  id: string;
  name: string;
  created_at: string;
  /** The org-wide cloud events switch (the manager's "Cisco Cloud Event Configuration"). */
  cloud_events: boolean;
}

export interface ApiClient {
  id: string;
  org_id: string;
  name: string;
  role: Role;
  created_at: string;
  last_used_at: string | null;
}

export interface AccessToken {
  client_id: string;
  org_id: string;
  role: Role;
  expires_at: number;
}

export interface RegistrationToken {
  id: string;
  org_id: string;
  device_id: string | null;
  service_type: string[];
  created_at: string;
  expires_at: string;
  uses_allowed: number;
  uses: number;
  revoked: boolean;
}

export type ConnectionState = 'connected' | 'disconnected' | 'never';

export interface Device {
  id: string;
  org_id: string;
  name: string;
  hostname: string;
  version: string;
  service_type: string;
  registered_at: string;
  last_seen: string | null;
  connection_state: ConnectionState;
  state_since: string;
  remote_address: string | null;
  events_received: number;
  events_rejected: number;
  last_error: { message: string; time: string } | null;
  cloud_events: boolean;
  /** The latest status a heartbeat carried (spool depth, counters, version). */
  status: Record<string, unknown> | null;
}

export interface DeviceCert {
  serial: string;
  device_id: string;
  org_id: string;
  not_after: string;
  revoked: boolean;
}

export interface OrgStore {
  create(name: string): Promise<Org>;
  get(id: string): Promise<Org | null>;
  list(): Promise<Org[]>;
  setCloudEvents(id: string, on: boolean): Promise<void>;
}

export interface ClientStore {
  /** `secretHash` is already hashed by the caller (exchange/auth/secrets.ts). */
  create(c: { id?: string; org_id: string; name: string; role: Role; secretHash: string }): Promise<ApiClient>;
  /** The client and its stored secret hash, for checking credentials. */
  getWithSecret(id: string): Promise<(ApiClient & { secretHash: string }) | null>;
  list(orgId: string): Promise<ApiClient[]>;
  /** Deletes the client and every access token it holds. False when not in the org. */
  delete(orgId: string, id: string): Promise<boolean>;
  count(): Promise<number>;
  saveAccessToken(tokenHash: string, t: AccessToken): Promise<void>;
  /** Null when unknown, expired, or its client is gone. */
  getAccessToken(tokenHash: string): Promise<AccessToken | null>;
  touch(id: string, at: string): Promise<void>;
}

export interface RegistrationTokenStore {
  create(t: Omit<RegistrationToken, 'uses' | 'revoked' | 'created_at'> & { secretHash: string }): Promise<RegistrationToken>;
  list(orgId: string): Promise<RegistrationToken[]>;
  get(id: string): Promise<(RegistrationToken & { secretHash: string }) | null>;
  /** Marks the token revoked; false when not in the org. */
  revoke(orgId: string, id: string): Promise<boolean>;
  /** Atomically spends one use if the token still has one; false when it has none left. */
  spend(id: string): Promise<boolean>;
}

export interface DeviceStore {
  create(d: Pick<Device, 'id' | 'org_id' | 'name' | 'hostname' | 'version' | 'service_type'>): Promise<Device>;
  get(orgId: string, id: string): Promise<Device | null>;
  /** Any org: for the ingest path, which knows only the certificate. */
  getAny(id: string): Promise<Device | null>;
  list(orgId: string): Promise<Device[]>;
  update(orgId: string, id: string, patch: Partial<Pick<Device, 'name' | 'cloud_events'>>): Promise<Device | null>;
  /** Removes the device and revokes all its certificates. */
  delete(orgId: string, id: string): Promise<boolean>;
  /** "disconnected" with a remote address applies only while that connection is the one on
   * record: a device that has since connected elsewhere (another node) stays connected. */
  setConnection(id: string, state: ConnectionState, remote: string | null, at: string): Promise<void>;
  heartbeat(id: string, at: string, status: Record<string, unknown>, lastError: Device['last_error'] | undefined): Promise<void>;
  /** A registration refresh: what the connector now says of itself, and that it was seen. */
  refreshRegistration(id: string, info: Pick<Device, 'hostname' | 'version'>, at: string): Promise<void>;
  addCounters(id: string, received: number, rejected: number, at: string): Promise<void>;
  addCert(c: DeviceCert): Promise<void>;
  getCert(serial: string): Promise<DeviceCert | null>;
  /** The device's certificates, the one that expires last first; empty when not in the org. */
  listCerts(orgId: string, deviceId: string): Promise<DeviceCert[]>;
}

/** Who ended a connection: the device or the exchange with a close frame, or the network
 * (the socket dropped without one, WebSocket code 1006). */
export type ClosedBy = 'device' | 'exchange' | 'network';

/** One eventing connection of a device, from upgrade to close. */
export interface DeviceConnection {
  id: string;
  device_id: string;
  org_id: string;
  connected_at: string;
  remote_address: string;
  /** Null while open, and for a connection the exchange stopped before recording its close. */
  closed_at: string | null;
  close_code: number | null;
  close_reason: string | null;
  closed_by: ClosedBy | null;
  /** The connector version its heartbeats reported; null before the first. */
  version: string | null;
  /** Events in the batches it sent; written at close. */
  events_received: number | null;
}

export interface ConnectionClose {
  closed_at: string;
  close_code: number;
  close_reason: string;
  closed_by: ClosedBy;
  events_received: number;
}

/** Connections kept per device: enough to see a pattern of drops, few enough to never matter. */
export const CONNECTION_HISTORY_KEEP = 100;

/** Each device's recent connections, for diagnosis. Written at open and close only (and once
 * when the version is first known), never per batch. Deleting a device deletes its history. */
export interface ConnectionHistoryStore {
  /** Records a new connection and drops the device's oldest beyond the bound; returns its id. */
  opened(c: Pick<DeviceConnection, 'device_id' | 'org_id' | 'connected_at' | 'remote_address'>): Promise<string>;
  versionSeen(id: string, version: string): Promise<void>;
  /** Fills in the close of an open connection; a second report for the same one is ignored. */
  closed(id: string, c: ConnectionClose): Promise<void>;
  /** Newest first; empty when the device is not in the org. */
  list(orgId: string, deviceId: string, limit: number): Promise<DeviceConnection[]>;
}

export interface EventQuery {
  since?: string;
  until?: string;
  device?: string;
  type?: EventType;
  /** Matches source or destination IP, or any observable the sensor reported. */
  observable?: string;
  sid?: number;
  /** Free text over the signature message and classification. */
  q?: string;
  limit?: number;
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface UniqueEvent {
  key: string;
  org_id: string;
  type: EventType;
  src_ip: string | null;
  dst_ip: string | null;
  gid: number | null;
  sid: number | null;
  message: string | null;
  priority: number | null;
  count: number;
  first_seen: string;
  last_seen: string;
  devices: string[];
}

export interface HistogramBucket {
  start: string;
  count: number;
}

/** The event times of the oldest and newest events a query matches. */
export interface TimeSpan {
  first: string;
  last: string;
}

export interface CommitItem {
  org_id: string;
  device_id: string;
  event: NormalizedEvent;
  /** `event.raw` as JSON text, when the caller already has it (validation writes it to check
   * its size): the store then stores this rather than writing it again. Ingest then leaves
   * `event.raw` out (this text stands for it); a writer of items must keep whichever it has. */
  raw_json?: string;
}

export interface CommitResult {
  /** Per item, in order: true when stored now, false when its event_id was already stored. */
  inserted: boolean[];
}

/** What a filtered tail() is asked for: events that show any one of these. A hint: a store may
 * return events that show none (the caller checks its own conditions), never leave out one that
 * shows any. */
export interface TailFilter {
  /** Signature priority at most this. */
  priorityMax: number | null;
  /** Impact from 1 to this. */
  impactMax: number | null;
  /** Any tags at all. */
  tagged: boolean;
  sids: number[];
}

export interface TailPage {
  events: StoredEvent[];
  /** Where the next call starts: past every event this one read, returned or not. */
  cursor: string | null;
  /** Whether there may be events past the cursor already (read again at once, rather than
   * waiting for the next commit). */
  more: boolean;
}

export interface EventStore {
  /** Stores the events in one durable transaction; returns after the commit is on disk. */
  commit(items: CommitItem[]): Promise<CommitResult>;
  /** How many commits may run at once (absent: one; SQLite has a single writer). */
  readonly parallelCommits?: number;
  /** Which of a device's event ids are stored already. Stores behind a bus that acks before
   * committing (PostgreSQL with JetStream) have it, so a replayed batch is reported as
   * duplicates rather than sent through the bus again. */
  storedIds?(deviceId: string, eventIds: readonly string[]): Promise<Set<string>>;
  query(orgId: string, q: EventQuery): Promise<Page<StoredEvent>>;
  get(orgId: string, id: string): Promise<StoredEvent | null>;
  unique(orgId: string, q: EventQuery): Promise<Page<UniqueEvent>>;
  histogram(orgId: string, q: EventQuery & { intervalSeconds: number }): Promise<HistogramBucket[]>;
  /** Null when nothing matches; limit and cursor play no part. */
  span(orgId: string, q: EventQuery): Promise<TimeSpan | null>;
  count(orgId?: string): Promise<number>;
  /** Which of the values any of the org's events names, as an address or a sensor-reported
   * observable (what `observable` in a query matches). May answer yes for a value whose events
   * were all pruned since; never no for one that has events. */
  named(orgId: string, values: readonly string[]): Promise<Set<string>>;
  /** Every org's events in the order they were stored, starting after `after` (an event id from
   * an earlier call; null for the beginning). For consumers that must see each event once
   * even across restarts (incident promotion): they keep the cursor themselves. The events come
   * without `raw` (get() has it). */
  tail(after: string | null, limit: number, filter?: TailFilter): Promise<TailPage>;
  /** Deletes up to `limit` of the oldest events older than `before` (or simply the oldest when
   * `before` is absent); returns how many went. Small steps so ingest never waits long. */
  pruneOldest(limit: number, before?: string): Promise<number>;
  /** Bytes the store uses on disk, for size-based retention. */
  sizeBytes(): Promise<number>;
}

/** A person who signs in to the console. Names are unique across the exchange, so signing in
 * needs no org. */
export interface User {
  id: string;
  org_id: string;
  username: string;
  role: Role;
  created_at: string;
  last_login_at: string | null;
}

export interface UserStore {
  /** `passwordHash` is already hashed by the caller (exchange/auth/secrets.ts). Throws
   * UsernameTakenError when the name is in use. */
  create(u: { org_id: string; username: string; role: Role; passwordHash: string }): Promise<User>;
  /** The user and the stored password hash, for checking a sign-in. */
  getByNameWithPassword(username: string): Promise<(User & { passwordHash: string }) | null>;
  get(orgId: string, id: string): Promise<User | null>;
  list(orgId: string): Promise<User[]>;
  /** Null when not in the org. A new password ends the user's sessions. */
  update(orgId: string, id: string, patch: { role?: Role; passwordHash?: string }): Promise<User | null>;
  /** Deletes the user and their sessions. False when not in the org. */
  delete(orgId: string, id: string): Promise<boolean>;
  count(): Promise<number>;
  touchLogin(id: string, at: string): Promise<void>;
}

/** A paging cursor that no page of this query gave out: the caller's mistake, not the store's. */
export class InvalidCursorError extends RangeError {
  /** The API answers it as the caller's error (a 400 naming it), as it does Fastify's own. */
  readonly statusCode = 400;
  constructor() {
    super('invalid cursor: pass back a next_cursor from the previous page, unchanged');
  }
}

export class UsernameTakenError extends Error {
  constructor(username: string) {
    super(`the user name ${username} is taken`);
  }
}

/** A signed-in console session. Its id is a bearer secret, so only its SHA-256 is stored. The
 * role is the user's current one, read at each lookup, so a role change applies at once. */
export interface Session {
  user_id: string;
  org_id: string;
  username: string;
  role: Role;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
}

export interface SessionStore {
  create(idHash: string, s: { user_id: string; csrf_token: string; created_at: number; expires_at: number }): Promise<void>;
  /** Null when unknown, past its expiry, idle for longer than `idleMs`, or its user is gone. */
  get(idHash: string, now: number, idleMs: number): Promise<Session | null>;
  touch(idHash: string, at: number): Promise<void>;
  delete(idHash: string): Promise<void>;
}

export interface Stores {
  orgs: OrgStore;
  clients: ClientStore;
  users: UserStore;
  sessions: SessionStore;
  tokens: RegistrationTokenStore;
  devices: DeviceStore;
  connectionHistory: ConnectionHistoryStore;
  events: EventStore;
  close(): Promise<void>;
}
