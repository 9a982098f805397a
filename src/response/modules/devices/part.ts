// The devices module's delivery: a device that connects gets what it has not acked yet, its
// acks are recorded, and the routes show where each action stands.
import type { ResponsePart } from '../../part.js';
import { responseActionRoutes } from '../../api/response-actions.js';
import { dispatcherOf } from './dispatch.js';

export const devicesPart: ResponsePart = {
  name: 'devices',
  routes: responseActionRoutes,
  deviceConnected(rc, deviceId, orgId) {
    dispatcherOf(rc).connected(orgId, deviceId).catch((err: unknown) => rc.log.error({ err, device: deviceId }, 'sending device actions on connect failed'));
  },
  deviceActionsWaiting(rc, deviceId, orgId) {
    dispatcherOf(rc).waiting(orgId, deviceId);
  },
  controlAck(rc, deviceId, orgId, ack) {
    dispatcherOf(rc).acked(orgId, deviceId, ack).catch((err: unknown) => rc.log.error({ err, device: deviceId, action: ack.id }, 'recording a control_ack failed'));
  },
};
