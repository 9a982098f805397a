// Device response actions (block / unblock) and their delivery to each device of the org.
// A device's open deliveries are the queue it is sent when it connects, so they are durable.
import type { BlockAction, BlockType } from '../../protocol/block.js';

/** pending: not on the wire yet; sent: on the wire, no control_ack yet; ok / error: acked. */
export type DeliveryState = 'pending' | 'sent' | 'ok' | 'error';

export interface ActionDelivery {
  device_id: string;
  state: DeliveryState;
  detail: string | null;
  updated_at: string;
}

export interface DeviceAction {
  id: string;
  org_id: string;
  type: BlockAction;
  observable: { type: BlockType; value: string };
  created_at: string;
  created_by: string;
  devices: ActionDelivery[];
}

export interface DeviceActionStore {
  /** Stores the action with one delivery per device of `a.devices`. */
  create(a: DeviceAction): Promise<void>;
  get(orgId: string, id: string): Promise<DeviceAction | null>;
  /** Newest first; only actions that went to `device` when given. */
  list(orgId: string, opts?: { device?: string; limit?: number }): Promise<DeviceAction[]>;
  /** The device's actions in the given states, oldest first (the order they must apply in). */
  open(orgId: string, deviceId: string, states: readonly DeliveryState[]): Promise<DeviceAction[]>;
  /** Gives a device that joined the org after some actions were made a pending delivery of
   * each of them, so it ends up with the org's blocklist; returns how many it got. */
  adopt(orgId: string, deviceId: string, at: string): Promise<number>;
  /** Moves a pending delivery to sent; a delivery already acked stays as it is. */
  markSent(orgId: string, actionId: string, deviceId: string): Promise<void>;
  /** Records the device's answer; false when the org has no such delivery. */
  markAcked(orgId: string, actionId: string, deviceId: string, state: 'ok' | 'error', detail: string | null): Promise<boolean>;
}
