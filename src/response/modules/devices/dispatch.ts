// Gets device actions onto devices' sockets: stored first (so a device that is offline, or an
// exchange that restarts, loses nothing), then sent to each connected device. Each device has
// one queue, and every send reads the device's open actions from the store in creation order,
// so a device never sees an unblock before the block it undoes.
import { randomUUID } from 'node:crypto';
import { connectedAnywhere } from '../../../exchange/ingest/device-online.js';
import type { ResponseContext } from '../../context.js';
import type { DeliveryState, DeviceAction } from '../../store/action-types.js';
import type { BlockAction, BlockParams, BlockType } from '../../../protocol/block.js';
import type { ControlFrame } from '../../../protocol/frames.js';

export class DeviceActionDispatcher {
  private readonly queues = new Map<string, Promise<void>>();

  constructor(readonly rc: ResponseContext) {}

  /** Does this server hold the device's connection? */
  private owns(deviceId: string): boolean {
    return this.rc.exchange.connections.isConnected(deviceId);
  }

  /** One action for every device of the org; null when the org has none. */
  async create(orgId: string, type: BlockAction, observable: { type: BlockType; value: string }, createdBy: string): Promise<{ action: DeviceAction; online: number } | null> {
    const devices = await this.rc.exchange.stores.devices.list(orgId);
    if (devices.length === 0) return null;
    const now = new Date().toISOString();
    const action: DeviceAction = {
      id: randomUUID(), org_id: orgId, type, observable, created_at: now, created_by: createdBy,
      devices: devices.map((d) => ({ device_id: d.id, state: 'pending', detail: null, updated_at: now })),
    };
    await this.rc.stores.actions.create(action);
    let online = 0;
    for (const d of devices) {
      if (this.owns(d.id)) void this.flush(orgId, d.id, ['pending']);
      // Another node may hold it: that node sends what the store has for it.
      else this.rc.exchange.bus.toDevice(d.id, { op: 'actions', orgId });
      if (connectedAnywhere(this.rc.exchange, d)) online++;
    }
    this.rc.log.info({ action: action.id, type, observable, devices: devices.length, online }, 'device action created');
    return { action, online };
  }

  /** A (re)connected device gets everything it has not acked: what went out on a connection
   * that then dropped may never have arrived. The device applies repeats idempotently. */
  connected(orgId: string, deviceId: string): Promise<void> {
    // In the device's queue from the start, so whatever is sent to it later comes after.
    return this.enqueue(deviceId, async () => {
      // A sensor enrolled after some actions were made gets them all, in order, so its lists end
      // up as the org's; replaying a block and its unblock is cheap and leaves the value unblocked.
      const adopted = await this.rc.stores.actions.adopt(orgId, deviceId, new Date().toISOString());
      if (adopted > 0) this.rc.log.info({ device: deviceId, actions: adopted }, 'device joined after earlier actions: sending them');
      await this.send(orgId, deviceId, ['pending', 'sent']);
    });
  }

  /** Resolves once everything queued for the device so far has been sent (or has failed). */
  settled(deviceId: string): Promise<void> {
    return this.queues.get(deviceId) ?? Promise.resolve();
  }

  /** Sends each of this node's connected devices what waits for it. With several nodes, the
   * "actions waiting" message is at most once; this catches one that was lost. */
  sweep(): void {
    for (const c of this.rc.exchange.connections.devices()) void this.flush(c.orgId, c.deviceId, ['pending']);
  }

  /** Actions were made on another node for this node's device. */
  waiting(orgId: string, deviceId: string): void {
    void this.flush(orgId, deviceId, ['pending']);
  }

  async acked(orgId: string, deviceId: string, ack: { id: string; status: 'ok' | 'error'; detail?: string }): Promise<void> {
    // Acks of other control frames (cloud_events) match no delivery and are left alone.
    const hit = await this.rc.stores.actions.markAcked(orgId, ack.id, deviceId, ack.status, ack.detail ?? null);
    if (hit) this.rc.log.info({ action: ack.id, device: deviceId, status: ack.status, detail: ack.detail }, 'device action acknowledged');
  }

  private flush(orgId: string, deviceId: string, states: readonly DeliveryState[]): Promise<void> {
    return this.enqueue(deviceId, () => this.send(orgId, deviceId, states));
  }

  private enqueue(deviceId: string, work: () => Promise<void>): Promise<void> {
    const prev = this.queues.get(deviceId) ?? Promise.resolve();
    const next = prev.then(work).catch((err: unknown) => {
      this.rc.log.error({ err, device: deviceId }, 'sending device actions failed; they go again when the device reconnects');
    });
    this.queues.set(deviceId, next);
    void next.then(() => { if (this.queues.get(deviceId) === next) this.queues.delete(deviceId); });
    return next;
  }

  private async send(orgId: string, deviceId: string, states: readonly DeliveryState[]): Promise<void> {
    for (const a of await this.rc.stores.actions.open(orgId, deviceId, states)) {
      const params: BlockParams = { observable_type: a.observable.type, observable_value: a.observable.value, action_id: a.id };
      const frame: ControlFrame = { type: 'control', id: a.id, action: a.type, params: { ...params } };
      // Gone since: the rest stays pending and goes on the next connect, in order.
      if (this.rc.exchange.connections.sendControl(deviceId, frame) === 0) return;
      await this.rc.stores.actions.markSent(orgId, a.id, deviceId);
    }
  }
}

const byContext = new WeakMap<ResponseContext, DeviceActionDispatcher>();

/** The one dispatcher of a server: the module (trigger) and the part (hooks) share it. */
export function dispatcherOf(rc: ResponseContext): DeviceActionDispatcher {
  let d = byContext.get(rc);
  if (!d) byContext.set(rc, (d = new DeviceActionDispatcher(rc)));
  return d;
}
