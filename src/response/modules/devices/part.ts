// The devices module's delivery: a device that connects gets what it has not acked yet, its
// acks are recorded, and the routes show where each action stands.
import type { ResponsePart } from '../../part.js';
import { responseActionRoutes } from '../../api/response-actions.js';
import { dispatcherOf, type DeviceActionDispatcher } from './dispatch.js';

// Parts are shared by every server in the process and their hooks get no context, so each
// server's dispatcher is listed here while it runs and a hook goes to the one holding the device.
const running = new Set<DeviceActionDispatcher>();

function owner(deviceId: string): DeviceActionDispatcher | undefined {
  for (const d of running) if (d.owns(deviceId)) return d;
  return undefined;
}

export const devicesPart: ResponsePart = {
  name: 'devices',
  async routes(app, rc) {
    await responseActionRoutes(app, rc);
    const d = dispatcherOf(rc);
    running.add(d);
    app.addHook('onClose', async () => { running.delete(d); });
  },
  deviceConnected(deviceId, orgId) {
    void owner(deviceId)?.connected(orgId, deviceId);
  },
  controlAck(deviceId, orgId, ack) {
    const d = owner(deviceId);
    d?.acked(orgId, deviceId, ack).catch((err: unknown) => d.rc.log.error({ err, device: deviceId, action: ack.id }, 'recording a control_ack failed'));
  },
};
