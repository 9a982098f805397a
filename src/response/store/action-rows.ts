// How device actions are stored as rows (an action, and one delivery row per device) and put
// back together, the same on every backend; each backend only reads the rows.
import type { ActionDelivery, DeviceAction } from './action-types.js';

export interface ActionRow {
  seq: number;
  id: string;
  org_id: string;
  type: DeviceAction['type'];
  observable_type: DeviceAction['observable']['type'];
  observable_value: string;
  created_at: string;
  created_by: string;
}

export interface DeliveryRow extends ActionDelivery {
  action_seq: number;
}

export const MAX_LIST = 1000;

/** The actions of `rows`, in their order, each with its deliveries from `deliveries`. */
export function assembleActions(rows: ActionRow[], deliveries: DeliveryRow[]): DeviceAction[] {
  const by = new Map<number, ActionDelivery[]>();
  for (const d of deliveries) {
    let l = by.get(d.action_seq);
    if (!l) by.set(d.action_seq, (l = []));
    l.push({ device_id: d.device_id, state: d.state, detail: d.detail, updated_at: d.updated_at });
  }
  return rows.map((r) => ({
    id: r.id, org_id: r.org_id, type: r.type, observable: { type: r.observable_type, value: r.observable_value },
    created_at: r.created_at, created_by: r.created_by, devices: by.get(r.seq) ?? [],
  }));
}
