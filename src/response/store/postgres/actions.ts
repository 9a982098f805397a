import { assembleActions, MAX_LIST, type ActionRow, type DeliveryRow } from '../action-rows.js';
import type { PgDb } from '../../../exchange/store/postgres/db.js';
import type { DeliveryState, DeviceAction, DeviceActionStore } from '../action-types.js';
import { inTx } from './tx.js';

export class PgDeviceActionStore implements DeviceActionStore {
  constructor(private readonly db: PgDb) {}

  /** Rows → actions with their deliveries, in the rows' order. */
  private async withDeliveries(rows: ActionRow[]): Promise<DeviceAction[]> {
    if (rows.length === 0) return [];
    const ds = await this.db.pool.query<DeliveryRow>(
      `SELECT action_seq, device_id, state, detail, updated_at FROM device_action_deliveries
        WHERE action_seq = ANY($1::bigint[]) ORDER BY action_seq, device_id`,
      [rows.map((r) => r.seq)],
    );
    return assembleActions(rows, ds.rows);
  }

  async create(a: DeviceAction): Promise<void> {
    await inTx(this.db, async (c) => {
      const r = await c.query<{ seq: number }>(
        `INSERT INTO device_actions (id, org_id, type, observable_type, observable_value, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq`,
        [a.id, a.org_id, a.type, a.observable.type, a.observable.value, a.created_at, a.created_by],
      );
      await c.query(
        `INSERT INTO device_action_deliveries (action_seq, device_id, state, detail, updated_at)
         SELECT $1, d, s, x, u FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS t(d, s, x, u)`,
        [r.rows[0]!.seq, a.devices.map((d) => d.device_id), a.devices.map((d) => d.state), a.devices.map((d) => d.detail), a.devices.map((d) => d.updated_at)],
      );
    });
  }

  async get(orgId: string, id: string): Promise<DeviceAction | null> {
    const r = await this.db.pool.query<ActionRow>('SELECT * FROM device_actions WHERE org_id = $1 AND id = $2', [orgId, id]);
    return r.rows[0] ? (await this.withDeliveries(r.rows))[0]! : null;
  }

  async list(orgId: string, opts: { device?: string; limit?: number } = {}): Promise<DeviceAction[]> {
    const limit = Math.min(Math.max(1, opts.limit ?? 100), MAX_LIST);
    const r = opts.device === undefined
      ? await this.db.pool.query<ActionRow>('SELECT * FROM device_actions WHERE org_id = $1 ORDER BY seq DESC LIMIT $2', [orgId, limit])
      : await this.db.pool.query<ActionRow>(
        `SELECT a.* FROM device_actions a JOIN device_action_deliveries d ON d.action_seq = a.seq
          WHERE a.org_id = $1 AND d.device_id = $2 ORDER BY a.seq DESC LIMIT $3`,
        [orgId, opts.device, limit],
      );
    return this.withDeliveries(r.rows);
  }

  async open(orgId: string, deviceId: string, states: readonly DeliveryState[]): Promise<DeviceAction[]> {
    if (states.length === 0) return [];
    const r = await this.db.pool.query<ActionRow>(
      `SELECT a.* FROM device_actions a JOIN device_action_deliveries d ON d.action_seq = a.seq
        WHERE a.org_id = $1 AND d.device_id = $2 AND d.state = ANY($3::text[]) ORDER BY a.seq`,
      [orgId, deviceId, states],
    );
    return this.withDeliveries(r.rows);
  }

  async adopt(orgId: string, deviceId: string, at: string): Promise<number> {
    // ON CONFLICT: a device that connects to two nodes at once is adopted once, not refused.
    const r = await this.db.pool.query(
      `INSERT INTO device_action_deliveries (action_seq, device_id, state, detail, updated_at)
       SELECT a.seq, $1, 'pending', NULL, $2 FROM device_actions a
        WHERE a.org_id = $3 AND NOT EXISTS (SELECT 1 FROM device_action_deliveries d WHERE d.action_seq = a.seq AND d.device_id = $1)
       ON CONFLICT DO NOTHING`,
      [deviceId, at, orgId],
    );
    return r.rowCount ?? 0;
  }

  async markSent(orgId: string, actionId: string, deviceId: string): Promise<void> {
    await this.db.pool.query(
      `UPDATE device_action_deliveries SET state = 'sent', updated_at = $1
        WHERE device_id = $2 AND state = 'pending' AND action_seq = (SELECT seq FROM device_actions WHERE org_id = $3 AND id = $4)`,
      [new Date().toISOString(), deviceId, orgId, actionId],
    );
  }

  async markAcked(orgId: string, actionId: string, deviceId: string, state: 'ok' | 'error', detail: string | null): Promise<boolean> {
    const r = await this.db.pool.query(
      `UPDATE device_action_deliveries SET state = $1, detail = $2, updated_at = $3
        WHERE device_id = $4 AND action_seq = (SELECT seq FROM device_actions WHERE org_id = $5 AND id = $6)`,
      [state, detail, new Date().toISOString(), deviceId, orgId, actionId],
    );
    return (r.rowCount ?? 0) > 0;
  }
}
