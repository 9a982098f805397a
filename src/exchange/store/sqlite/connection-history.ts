// Each device's recent eventing connections: a row at open, filled in at close.
import type { Statement } from 'better-sqlite3';
import { CONNECTION_HISTORY_KEEP, type ClosedBy, type ConnectionClose, type ConnectionHistoryStore, type DeviceConnection } from '../types.js';
import type { Db } from './db.js';

interface Row {
  id: number;
  device_id: string;
  org_id: string;
  connected_at: string;
  remote_address: string;
  closed_at: string | null;
  close_code: number | null;
  close_reason: string | null;
  closed_by: ClosedBy | null;
  version: string | null;
  events_received: number | null;
}

const toConnection = (r: Row): DeviceConnection => ({ ...r, id: String(r.id) });

type Opened = Parameters<ConnectionHistoryStore['opened']>[0];

export class SqliteConnectionHistoryStore implements ConnectionHistoryStore {
  private readonly insertStmt: Statement<[string, string, string, string]>;
  private readonly pruneStmt: Statement<[string, string, number]>;
  private readonly versionStmt: Statement<[string, number]>;
  private readonly closeStmt: Statement<[string, number, string, ClosedBy, number, number]>;
  private readonly listStmt: Statement<[string, string, number], Row>;
  private readonly openTx: (c: Opened) => number;

  constructor(db: Db, keep = CONNECTION_HISTORY_KEEP) {
    this.insertStmt = db.prepare(
      'INSERT INTO device_connections (device_id, org_id, connected_at, remote_address) VALUES (?, ?, ?, ?)',
    );
    this.pruneStmt = db.prepare(
      `DELETE FROM device_connections
        WHERE device_id = ?
          AND id <= (SELECT id FROM device_connections WHERE device_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    );
    this.versionStmt = db.prepare('UPDATE device_connections SET version = ? WHERE id = ?');
    // Only an open row: a close reported twice keeps the first.
    this.closeStmt = db.prepare(
      `UPDATE device_connections
          SET closed_at = ?, close_code = ?, close_reason = ?, closed_by = ?, events_received = ?
        WHERE id = ? AND closed_at IS NULL`,
    );
    this.listStmt = db.prepare(
      'SELECT * FROM device_connections WHERE org_id = ? AND device_id = ? ORDER BY id DESC LIMIT ?',
    );
    this.openTx = db.transaction((c: Opened) => {
      const id = Number(this.insertStmt.run(c.device_id, c.org_id, c.connected_at, c.remote_address).lastInsertRowid);
      this.pruneStmt.run(c.device_id, c.device_id, keep);
      return id;
    });
  }

  async opened(c: Opened): Promise<string> {
    return String(this.openTx(c));
  }

  async versionSeen(id: string, version: string): Promise<void> {
    this.versionStmt.run(version, Number(id));
  }

  async closed(id: string, c: ConnectionClose): Promise<void> {
    this.closeStmt.run(c.closed_at, c.close_code, c.close_reason, c.closed_by, c.events_received, Number(id));
  }

  async list(orgId: string, deviceId: string, limit: number): Promise<DeviceConnection[]> {
    return this.listStmt.all(orgId, deviceId, limit).map(toConnection);
  }
}
