// The devices module's delivery: a device that connects gets what it has not acked yet, its
// acks are recorded, and the routes show where each action stands.
import type { ResponsePart } from '../../part.js';
import { responseActionRoutes } from '../../api/response-actions.js';
import { dispatcherOf } from './dispatch.js';

/** How often a node looks for actions made elsewhere that its devices have not been sent. */
export const SWEEP_MS = 30_000;
const sweeps = new WeakMap<object, NodeJS.Timeout>();

export const devicesPart: ResponsePart = {
  name: 'devices',
  routes: responseActionRoutes,
  async start(rc) {
    // One node holds every connection and sends at once: nothing can be missed.
    if (rc.exchange.bus.kind === 'memory') return;
    const t = setInterval(() => dispatcherOf(rc).sweep(), SWEEP_MS);
    t.unref();
    sweeps.set(rc, t);
  },
  async close(rc) {
    clearInterval(sweeps.get(rc));
    sweeps.delete(rc);
  },
  deviceConnected(rc, deviceId, orgId) {
    // Never rejects: the device's queue logs a failure, and the next connect sends again.
    void dispatcherOf(rc).connected(orgId, deviceId);
  },
  deviceActionsWaiting(rc, deviceId, orgId) {
    dispatcherOf(rc).waiting(orgId, deviceId);
  },
  controlAck(rc, deviceId, orgId, ack) {
    dispatcherOf(rc).acked(orgId, deviceId, ack).catch((err: unknown) => rc.log.error({ err, device: deviceId, action: ack.id }, 'recording a control_ack failed'));
  },
};
