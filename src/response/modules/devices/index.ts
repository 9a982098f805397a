// Built-in module: block or unblock an observable on every sensor of the org. Trigger records
// the action and hands it to the dispatcher; devices apply it to their blocklists and ack.
import type { ModuleKind } from '../kind.js';
import type { Module, ModuleInstance, TriggerResult } from '../../module.js';
import type { ResponseContext } from '../../context.js';
import { blockValue, isBlockAction } from '../../../protocol/block.js';
import { dispatcherOf } from './dispatch.js';
import { offers } from './offer.js';

async function trigger(rc: ResponseContext, orgId: string, actionId: string, params: Record<string, string>, createdBy: string): Promise<TriggerResult> {
  if (!isBlockAction(actionId)) return { status: 'failure', detail: `no action ${JSON.stringify(actionId)}; this module offers block and unblock` };
  const v = blockValue(params.observable_type, params.observable_value);
  if (!v.ok) return { status: 'failure', detail: v.reason };
  const made = await dispatcherOf(rc).create(orgId, actionId, { type: v.type, value: v.value }, createdBy);
  if (!made) return { status: 'failure', detail: 'this organization has no devices: enroll a sensor first' };
  const n = made.action.devices.length;
  return {
    status: 'success',
    action_id: made.action.id,
    detail: `${actionId} ${v.type} ${v.value}: action ${made.action.id} for ${n} device(s); ${made.online} connected now, the rest get it when they connect`,
  };
}

function create(instance: ModuleInstance, rc: ResponseContext): Module {
  return {
    instance,
    async respond(observables) {
      return observables.flatMap(offers);
    },
    async trigger(actionId, params, c) {
      // The instance's org: a module answers for one org only.
      return trigger(rc, instance.org_id, actionId, params, c.clientId ?? 'unknown');
    },
    async health() {
      return { status: 'ok', devices: (await rc.exchange.stores.devices.list(instance.org_id)).length };
    },
  };
}

export const devicesKind: ModuleKind = {
  kind: 'devices',
  typeId: 'threatlink.devices',
  description: 'Sensor blocklists',
  builtin: true,
  create,
};
