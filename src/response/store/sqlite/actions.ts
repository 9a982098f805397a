import { assembleActions, MAX_LIST, type ActionRow, type DeliveryRow } from '../action-rows.js';
import type { Db } from '../../../exchange/store/sqlite/db.js';
import type { DeliveryState, DeviceAction, DeviceActionStore } from '../action-types.js';

export const ACTION_MIGRATIONS: readonly string[] = [
  // seq orders a device's queue: two actions made in the same millisecond still apply in the
  // order they were triggered (block then unblock must not come out as unblock then block).
  `CREATE TABLE device_actions (
     seq              INTEGER PRIMARY KEY AUTOINCREMENT,
     id               TEXT NOT NULL UNIQUE,
     org_id           TEXT NOT NULL,
     type             TEXT NOT NULL,
     observable_type  TEXT NOT NULL,
     observable_value TEXT NOT NULL,
     created_at       TEXT NOT NULL,
     created_by       TEXT NOT NULL
   );
   CREATE INDEX device_actions_org ON device_actions(org_id, seq);
   CREATE TABLE device_action_deliveries (
     action_seq INTEGER NOT NULL REFERENCES device_actions(seq) ON DELETE CASCADE,
     device_id  TEXT NOT NULL,
     state      TEXT NOT NULL,
     detail     TEXT,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (action_seq, device_id)
   );
   CREATE INDEX device_action_deliveries_device ON device_action_deliveries(device_id, state, action_seq);`,
];

export class SqliteDeviceActionStore implements DeviceActionStore {
  constructor(private readonly db: Db) {}

  /** Rows → actions with their deliveries, in the rows' order. */
  private withDeliveries(rows: ActionRow[]): DeviceAction[] {
    if (rows.length === 0) return [];
    const seqs = rows.map((r) => r.seq);
    const ds = this.db.prepare<number[], DeliveryRow>(
      `SELECT action_seq, device_id, state, detail, updated_at FROM device_action_deliveries WHERE action_seq IN (${seqs.map(() => '?').join(',')}) ORDER BY action_seq, device_id`,
    ).all(...seqs);
    return assembleActions(rows, ds);
  }

  async create(a: DeviceAction): Promise<void> {
    this.db.transaction(() => {
      const seq = this.db.prepare(
        'INSERT INTO device_actions (id, org_id, type, observable_type, observable_value, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(a.id, a.org_id, a.type, a.observable.type, a.observable.value, a.created_at, a.created_by).lastInsertRowid;
      const ins = this.db.prepare('INSERT INTO device_action_deliveries (action_seq, device_id, state, detail, updated_at) VALUES (?, ?, ?, ?, ?)');
      for (const d of a.devices) ins.run(seq, d.device_id, d.state, d.detail, d.updated_at);
    }).immediate();
  }

  async get(orgId: string, id: string): Promise<DeviceAction | null> {
    const row = this.db.prepare<[string, string], ActionRow>('SELECT * FROM device_actions WHERE org_id = ? AND id = ?').get(orgId, id);
    return row ? this.withDeliveries([row])[0]! : null;
  }

  async list(orgId: string, opts: { device?: string; limit?: number } = {}): Promise<DeviceAction[]> {
    const limit = Math.min(Math.max(1, opts.limit ?? 100), MAX_LIST);
    const rows = opts.device === undefined
      ? this.db.prepare<[string, number], ActionRow>('SELECT * FROM device_actions WHERE org_id = ? ORDER BY seq DESC LIMIT ?').all(orgId, limit)
      : this.db.prepare<[string, string, number], ActionRow>(
        `SELECT a.* FROM device_actions a JOIN device_action_deliveries d ON d.action_seq = a.seq
         WHERE a.org_id = ? AND d.device_id = ? ORDER BY a.seq DESC LIMIT ?`,
      ).all(orgId, opts.device, limit);
    return this.withDeliveries(rows);
  }

  async open(orgId: string, deviceId: string, states: readonly DeliveryState[]): Promise<DeviceAction[]> {
    if (states.length === 0) return [];
    const rows = this.db.prepare<unknown[], ActionRow>(
      `SELECT a.* FROM device_actions a JOIN device_action_deliveries d ON d.action_seq = a.seq
       WHERE a.org_id = ? AND d.device_id = ? AND d.state IN (${states.map(() => '?').join(',')}) ORDER BY a.seq`,
    ).all(orgId, deviceId, ...states);
    return this.withDeliveries(rows);
  }

  async adopt(orgId: string, deviceId: string, at: string): Promise<number> {
    return this.db.prepare(
      `INSERT INTO device_action_deliveries (action_seq, device_id, state, detail, updated_at)
       SELECT a.seq, ?, 'pending', NULL, ? FROM device_actions a
       WHERE a.org_id = ? AND NOT EXISTS (SELECT 1 FROM device_action_deliveries d WHERE d.action_seq = a.seq AND d.device_id = ?)`,
    ).run(deviceId, at, orgId, deviceId).changes;
  }

  async markSent(orgId: string, actionId: string, deviceId: string): Promise<void> {
    this.db.prepare(
      `UPDATE device_action_deliveries SET state = 'sent', updated_at = ?
       WHERE device_id = ? AND state = 'pending' AND action_seq = (SELECT seq FROM device_actions WHERE org_id = ? AND id = ?)`,
    ).run(new Date().toISOString(), deviceId, orgId, actionId);
  }

  async markAcked(orgId: string, actionId: string, deviceId: string, state: 'ok' | 'error', detail: string | null): Promise<boolean> {
    return this.db.prepare(
      `UPDATE device_action_deliveries SET state = ?, detail = ?, updated_at = ?
       WHERE device_id = ? AND action_seq = (SELECT seq FROM device_actions WHERE org_id = ? AND id = ?)`,
    ).run(state, detail, new Date().toISOString(), deviceId, orgId, actionId).changes > 0;
  }
}
