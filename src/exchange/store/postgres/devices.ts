import { newDevice, type NewDevice } from '../new-device.js';
import type { ConnectionState, Device, DeviceCert, DeviceStore } from '../types.js';
import type { PgDb } from './db.js';

interface DeviceRow extends Omit<Device, 'last_error' | 'status'> {
  last_error: string | null;
  status: string | null;
}

const toDevice = (r: DeviceRow): Device => ({
  ...r,
  last_error: r.last_error === null ? null : (JSON.parse(r.last_error) as Device['last_error']),
  status: r.status === null ? null : (JSON.parse(r.status) as Record<string, unknown>),
});

const CERT_COLUMNS = 'serial, device_id, org_id, not_after, revoked';


export class PgDeviceStore implements DeviceStore {
  constructor(private readonly db: PgDb) {}

  async create(d: NewDevice): Promise<Device> {
    const now = new Date().toISOString();
    await this.db.pool.query(
      `INSERT INTO devices (id, org_id, name, hostname, version, service_type, registered_at, state_since)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
      [d.id, d.org_id, d.name, d.hostname, d.version, d.service_type, now],
    );
    return newDevice(d, now);
  }

  async get(orgId: string, id: string): Promise<Device | null> {
    const r = (await this.db.pool.query<DeviceRow>('SELECT * FROM devices WHERE org_id = $1 AND id = $2', [orgId, id])).rows[0];
    return r ? toDevice(r) : null;
  }

  async getAny(id: string): Promise<Device | null> {
    const r = (await this.db.pool.query<DeviceRow>('SELECT * FROM devices WHERE id = $1', [id])).rows[0];
    return r ? toDevice(r) : null;
  }

  async list(orgId: string): Promise<Device[]> {
    return (await this.db.pool.query<DeviceRow>('SELECT * FROM devices WHERE org_id = $1 ORDER BY name, id', [orgId])).rows.map(toDevice);
  }

  async update(orgId: string, id: string, patch: Partial<Pick<Device, 'name' | 'cloud_events'>>): Promise<Device | null> {
    const r = await this.db.pool.query<DeviceRow>(
      `UPDATE devices SET name = coalesce($1, name), cloud_events = coalesce($2, cloud_events)
        WHERE org_id = $3 AND id = $4
       RETURNING *`,
      [patch.name ?? null, patch.cloud_events ?? null, orgId, id],
    );
    const row = r.rows[0];
    return row ? toDevice(row) : null;
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    // One statement, so a device is never gone with its certificates still valid. The cert
    // rows stay, revoked, so a serial of a deleted device is known and refused; its connection
    // history goes by ON DELETE CASCADE.
    const r = await this.db.pool.query(
      `WITH gone AS (DELETE FROM devices WHERE org_id = $1 AND id = $2 RETURNING id),
            revoked AS (UPDATE device_certs SET revoked = true WHERE device_id IN (SELECT id FROM gone))
       SELECT id FROM gone`,
      [orgId, id],
    );
    return r.rowCount === 1;
  }

  async setConnection(id: string, state: ConnectionState, remote: string | null, at: string): Promise<void> {
    // state_since moves only when the state really changes (a reconnect race may report
    // "connected" twice); SET expressions see the row as it was before the update. A device
    // that never connected has not been seen; every other report means it was, at `at`.
    await this.db.pool.query(
      `UPDATE devices
          SET state_since = CASE WHEN connection_state = $1 THEN state_since ELSE $2 END,
              connection_state = $1,
              remote_address = $3,
              last_seen = coalesce($4, last_seen)
        WHERE id = $5
          -- A device that moved to another node: the old node's late "disconnected" (its socket
          -- from remote_address) must not overwrite the new connection.
          AND ($1 <> 'disconnected' OR $3::text IS NULL OR remote_address IS NOT DISTINCT FROM $3)`,
      [state, at, remote, state === 'never' ? null : at, id],
    );
  }

  async heartbeat(id: string, at: string, status: Record<string, unknown>, lastError: Device['last_error'] | undefined): Promise<void> {
    // lastError undefined: the heartbeat said nothing, keep what we have; null: clear it.
    await this.db.pool.query(
      `UPDATE devices
          SET last_seen = $1, status = $2,
              last_error = CASE WHEN $3::boolean THEN $4 ELSE last_error END
        WHERE id = $5`,
      [at, JSON.stringify(status), lastError !== undefined, lastError ? JSON.stringify(lastError) : null, id],
    );
  }

  async refreshRegistration(id: string, info: Pick<Device, 'hostname' | 'version'>, at: string): Promise<void> {
    await this.db.pool.query('UPDATE devices SET hostname = $1, version = $2, last_seen = $3 WHERE id = $4', [info.hostname, info.version, at, id]);
  }

  async addCounters(id: string, received: number, rejected: number, at: string): Promise<void> {
    await this.db.pool.query(
      `UPDATE devices
          SET events_received = events_received + $1, events_rejected = events_rejected + $2, last_seen = $3
        WHERE id = $4`,
      [received, rejected, at, id],
    );
  }

  async addCert(c: DeviceCert): Promise<void> {
    await this.db.pool.query(
      `INSERT INTO device_certs (${CERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5)`,
      [c.serial, c.device_id, c.org_id, c.not_after, c.revoked],
    );
  }

  async getCert(serial: string): Promise<DeviceCert | null> {
    return (await this.db.pool.query<DeviceCert>(`SELECT ${CERT_COLUMNS} FROM device_certs WHERE serial = $1`, [serial])).rows[0] ?? null;
  }

  async listCerts(orgId: string, deviceId: string): Promise<DeviceCert[]> {
    const r = await this.db.pool.query<DeviceCert>(
      `SELECT ${CERT_COLUMNS} FROM device_certs WHERE org_id = $1 AND device_id = $2 ORDER BY not_after DESC`,
      [orgId, deviceId],
    );
    return r.rows;
  }
}
