// Live eventing connections by device, so an API call (delete, cloud events switch, a block
// later) reaches the device's open socket at once.
import type { ControlFrame } from '../../protocol/frames.js';

export interface LiveConnection {
  deviceId: string;
  orgId: string;
  remote: string;
  since: string;
  send(frame: ControlFrame): void;
  /** Closes the socket with a WebSocket close code and reason. */
  close(code: number, reason: string): void;
}

export const CLOSE_REVOKED = 4403;

export class ConnectionRegistry {
  private readonly byDevice = new Map<string, Set<LiveConnection>>();

  add(c: LiveConnection): void {
    let set = this.byDevice.get(c.deviceId);
    if (!set) this.byDevice.set(c.deviceId, (set = new Set()));
    set.add(c);
  }

  remove(c: LiveConnection): void {
    const set = this.byDevice.get(c.deviceId);
    set?.delete(c);
    if (set?.size === 0) this.byDevice.delete(c.deviceId);
  }

  get(deviceId: string): LiveConnection[] {
    return [...(this.byDevice.get(deviceId) ?? [])];
  }

  /** One connection of each connected device. */
  devices(): LiveConnection[] {
    return [...this.byDevice.values()].map((set) => set.values().next().value as LiveConnection);
  }

  isConnected(deviceId: string): boolean {
    return this.byDevice.has(deviceId);
  }

  get size(): number {
    return this.byDevice.size;
  }

  /** Sends a control frame to every open connection of the device; returns how many got it. */
  sendControl(deviceId: string, frame: ControlFrame): number {
    const conns = this.get(deviceId);
    for (const c of conns) c.send(frame);
    return conns.length;
  }

  closeDevice(deviceId: string, code: number, reason: string): void {
    for (const c of this.get(deviceId)) c.close(code, reason);
  }

  closeAll(code: number, reason: string): void {
    for (const set of this.byDevice.values()) for (const c of set) c.close(code, reason);
  }
}
