import { newDevice, type NewDevice } from '../new-device.js';
import type { Statement } from 'better-sqlite3';
import type { ConnectionState, Device, DeviceCert, DeviceStore } from '../types.js';
import type { Db } from './db.js';

interface DeviceRow {
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
  last_error: string | null;
  cloud_events: number;
  status: string | null;
}

interface CertRow {
  serial: string;
  device_id: string;
  org_id: string;
  not_after: string;
  revoked: number;
}

function toDevice(r: DeviceRow): Device {
  return {
    id: r.id,
    org_id: r.org_id,
    name: r.name,
    hostname: r.hostname,
    version: r.version,
    service_type: r.service_type,
    registered_at: r.registered_at,
    last_seen: r.last_seen,
    connection_state: r.connection_state,
    state_since: r.state_since,
    remote_address: r.remote_address,
    events_received: r.events_received,
    events_rejected: r.events_rejected,
    last_error: r.last_error === null ? null : (JSON.parse(r.last_error) as Device['last_error']),
    cloud_events: r.cloud_events !== 0,
    status: r.status === null ? null : (JSON.parse(r.status) as Record<string, unknown>),
  };
}

function toCert(r: CertRow): DeviceCert {
  return { serial: r.serial, device_id: r.device_id, org_id: r.org_id, not_after: r.not_after, revoked: r.revoked !== 0 };
}


export class SqliteDeviceStore implements DeviceStore {
  private readonly insertStmt: Statement<[string, string, string, string, string, string, string, string]>;
  private readonly getStmt: Statement<[string, string], DeviceRow>;
  private readonly getAnyStmt: Statement<[string], DeviceRow>;
  private readonly listStmt: Statement<[string], DeviceRow>;
  private readonly updateStmt: Statement<[string | null, number | null, string, string]>;
  private readonly deleteStmt: Statement<[string, string]>;
  private readonly revokeCertsStmt: Statement<[string]>;
  private readonly connectionStmt: Statement<[ConnectionState, string, ConnectionState, string | null, string | null, string, ConnectionState, string | null, string | null]>;
  private readonly heartbeatStmt: Statement<[string, string, number, string | null, string]>;
  private readonly countersStmt: Statement<[number, number, string, string]>;
  private readonly refreshStmt: Statement<[string, string, string, string]>;
  private readonly addCertStmt: Statement<[string, string, string, string, number]>;
  private readonly getCertStmt: Statement<[string], CertRow>;
  private readonly listCertsStmt: Statement<[string, string], CertRow>;
  private readonly deleteTx: (orgId: string, id: string) => boolean;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO devices (id, org_id, name, hostname, version, service_type, registered_at, state_since)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.getStmt = db.prepare('SELECT * FROM devices WHERE org_id = ? AND id = ?');
    this.getAnyStmt = db.prepare('SELECT * FROM devices WHERE id = ?');
    this.listStmt = db.prepare('SELECT * FROM devices WHERE org_id = ? ORDER BY name, id');
    this.updateStmt = db.prepare(
      `UPDATE devices SET name = coalesce(?, name), cloud_events = coalesce(?, cloud_events)
        WHERE org_id = ? AND id = ?`,
    );
    this.deleteStmt = db.prepare('DELETE FROM devices WHERE org_id = ? AND id = ?');
    this.revokeCertsStmt = db.prepare('UPDATE device_certs SET revoked = 1 WHERE device_id = ?');
    // state_since moves only when the state really changes (a reconnect race may report
    // "connected" twice). SET expressions see the row as it was before the update.
    this.connectionStmt = db.prepare(
      `UPDATE devices
          SET state_since = CASE WHEN connection_state = ? THEN state_since ELSE ? END,
              connection_state = ?,
              remote_address = ?,
              last_seen = coalesce(?, last_seen)
        WHERE id = ? AND (? <> 'disconnected' OR ? IS NULL OR remote_address IS ?)`,
    );
    this.heartbeatStmt = db.prepare(
      `UPDATE devices
          SET last_seen = ?, status = ?,
              last_error = CASE WHEN ? THEN ? ELSE last_error END
        WHERE id = ?`,
    );
    this.countersStmt = db.prepare(
      `UPDATE devices
          SET events_received = events_received + ?, events_rejected = events_rejected + ?, last_seen = ?
        WHERE id = ?`,
    );
    this.refreshStmt = db.prepare('UPDATE devices SET hostname = ?, version = ?, last_seen = ? WHERE id = ?');
    this.addCertStmt = db.prepare(
      'INSERT INTO device_certs (serial, device_id, org_id, not_after, revoked) VALUES (?, ?, ?, ?, ?)',
    );
    this.getCertStmt = db.prepare('SELECT * FROM device_certs WHERE serial = ?');
    this.listCertsStmt = db.prepare('SELECT * FROM device_certs WHERE org_id = ? AND device_id = ? ORDER BY not_after DESC');
    this.deleteTx = db.transaction((orgId: string, id: string) => {
      if (this.deleteStmt.run(orgId, id).changes !== 1) return false;
      // The cert rows stay, revoked, so a serial of a deleted device is known and refused.
      this.revokeCertsStmt.run(id);
      return true;
    });
  }

  async create(d: NewDevice): Promise<Device> {
    const now = new Date().toISOString();
    this.insertStmt.run(d.id, d.org_id, d.name, d.hostname, d.version, d.service_type, now, now);
    return newDevice(d, now);
  }

  async get(orgId: string, id: string): Promise<Device | null> {
    const r = this.getStmt.get(orgId, id);
    return r ? toDevice(r) : null;
  }

  async getAny(id: string): Promise<Device | null> {
    const r = this.getAnyStmt.get(id);
    return r ? toDevice(r) : null;
  }

  async list(orgId: string): Promise<Device[]> {
    return this.listStmt.all(orgId).map(toDevice);
  }

  async update(orgId: string, id: string, patch: Partial<Pick<Device, 'name' | 'cloud_events'>>): Promise<Device | null> {
    const cloud = patch.cloud_events === undefined ? null : patch.cloud_events ? 1 : 0;
    this.updateStmt.run(patch.name ?? null, cloud, orgId, id);
    return this.get(orgId, id);
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    return this.deleteTx(orgId, id);
  }

  async setConnection(id: string, state: ConnectionState, remote: string | null, at: string): Promise<void> {
    // A device that never connected has not been seen; every other report means it was, at `at`.
    this.connectionStmt.run(state, at, state, remote, state === 'never' ? null : at, id, state, remote, remote);
  }

  async heartbeat(id: string, at: string, status: Record<string, unknown>, lastError: Device['last_error'] | undefined): Promise<void> {
    // lastError undefined: the heartbeat said nothing, keep what we have; null: clear it.
    const setError = lastError === undefined ? 0 : 1;
    this.heartbeatStmt.run(at, JSON.stringify(status), setError, lastError ? JSON.stringify(lastError) : null, id);
  }

  async refreshRegistration(id: string, info: Pick<Device, 'hostname' | 'version'>, at: string): Promise<void> {
    this.refreshStmt.run(info.hostname, info.version, at, id);
  }

  async addCounters(id: string, received: number, rejected: number, at: string): Promise<void> {
    this.countersStmt.run(received, rejected, at, id);
  }

  async addCert(c: DeviceCert): Promise<void> {
    this.addCertStmt.run(c.serial, c.device_id, c.org_id, c.not_after, c.revoked ? 1 : 0);
  }

  async getCert(serial: string): Promise<DeviceCert | null> {
    const r = this.getCertStmt.get(serial);
    return r ? toCert(r) : null;
  }

  async listCerts(orgId: string, deviceId: string): Promise<DeviceCert[]> {
    return this.listCertsStmt.all(orgId, deviceId).map(toCert);
  }
}
