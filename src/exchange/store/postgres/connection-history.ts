// Each device's recent eventing connections: a row at open, filled in at close.
import { CONNECTION_HISTORY_KEEP, type ConnectionClose, type ConnectionHistoryStore, type DeviceConnection } from '../types.js';
import type { PgDb } from './db.js';
import { noNul } from './text.js';

type Opened = Parameters<ConnectionHistoryStore['opened']>[0];

const toConnection = (r: Omit<DeviceConnection, 'id'> & { id: number }): DeviceConnection => ({ ...r, id: String(r.id) });

export class PgConnectionHistoryStore implements ConnectionHistoryStore {
  constructor(private readonly db: PgDb, private readonly keep = CONNECTION_HISTORY_KEEP) {}

  async opened(c: Opened): Promise<string> {
    const r = await this.db.pool.query<{ id: number }>(
      'INSERT INTO device_connections (device_id, org_id, connected_at, remote_address) VALUES ($1, $2, $3, $4) RETURNING id',
      [c.device_id, c.org_id, c.connected_at, c.remote_address],
    );
    // A separate statement, after the insert committed: it then sees every node's rows for the
    // device, so two opens at once still leave the bound. A crash between the two leaves one row
    // too many until the device's next open.
    await this.db.pool.query(
      `DELETE FROM device_connections
        WHERE device_id = $1
          AND id <= (SELECT id FROM device_connections WHERE device_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)`,
      [c.device_id, this.keep],
    );
    return String(r.rows[0]?.id);
  }

  async versionSeen(id: string, version: string): Promise<void> {
    await this.db.pool.query('UPDATE device_connections SET version = $1 WHERE id = $2', [noNul(version), id]);
  }

  async closed(id: string, c: ConnectionClose): Promise<void> {
    // Only an open row: a close reported twice keeps the first.
    await this.db.pool.query(
      `UPDATE device_connections
          SET closed_at = $1, close_code = $2, close_reason = $3, closed_by = $4, events_received = $5
        WHERE id = $6 AND closed_at IS NULL`,
      [c.closed_at, c.close_code, noNul(c.close_reason), c.closed_by, c.events_received, id],
    );
  }

  async list(orgId: string, deviceId: string, limit: number): Promise<DeviceConnection[]> {
    const r = await this.db.pool.query<Omit<DeviceConnection, 'id'> & { id: number }>(
      'SELECT * FROM device_connections WHERE org_id = $1 AND device_id = $2 ORDER BY id DESC LIMIT $3',
      [orgId, deviceId, limit],
    );
    return r.rows.map(toConnection);
  }
}
