// Acts on a message for a device if this node holds its connection; every other node ignores
// it. With one node (the memory bus) that is every message for a connected device.
import type { ExchangeContext } from '../context.js';
import type { DeviceMessage } from '../bus/types.js';

export function routeDeviceMessage(ctx: ExchangeContext): (deviceId: string, m: DeviceMessage) => void {
  return (deviceId, m) => {
    if (!ctx.connections.isConnected(deviceId)) return;
    switch (m.op) {
      case 'control':
        ctx.connections.sendControl(deviceId, m.frame);
        return;
      case 'close':
        ctx.connections.closeDevice(deviceId, m.code, m.reason);
        return;
      case 'actions':
        for (const x of ctx.extensions) {
          try {
            x.deviceActionsWaiting?.(deviceId, m.orgId);
          } catch (err) {
            ctx.log.error({ err, extension: x.name, device: deviceId }, 'device_actions hook failed');
          }
        }
        return;
      default:
        ctx.log.warn({ device: deviceId, op: (m as { op?: unknown }).op }, 'device message of an unknown kind ignored');
    }
  };
}
