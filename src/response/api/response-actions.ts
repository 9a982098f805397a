// /api/v1/response-actions: the org's device actions (block / unblock) and how far each got on
// each device; /api/v1/devices/{id}/response-actions: one device's view of them. Read-only.
import type { FastifyInstance } from 'fastify';
import type { ResponseContext } from '../context.js';
import type { DeviceAction } from '../store/action-types.js';
import { requireRole, principal } from '../../exchange/api/auth-hook.js';
import { ApiError } from '../../exchange/api/errors.js';
import { BLOCK_ACTIONS, BLOCK_TYPES } from '../../protocol/block.js';

const STATES = ['pending', 'sent', 'ok', 'error'] as const;

const delivery = {
  type: 'object',
  required: ['device_id', 'state', 'detail', 'updated_at'],
  properties: {
    device_id: { type: 'string' },
    state: { type: 'string', enum: [...STATES] },
    detail: { type: ['string', 'null'] },
    updated_at: { type: 'string' },
  },
};

const actionFields = {
  id: { type: 'string' },
  type: { type: 'string', enum: [...BLOCK_ACTIONS] },
  observable: {
    type: 'object', required: ['type', 'value'],
    properties: { type: { type: 'string', enum: [...BLOCK_TYPES] }, value: { type: 'string' } },
  },
  created_at: { type: 'string' },
  created_by: { type: 'string' },
};

const action = {
  type: 'object',
  required: ['id', 'type', 'observable', 'created_at', 'created_by', 'devices', 'counts'],
  properties: {
    ...actionFields,
    devices: { type: 'array', items: delivery },
    counts: { type: 'object', properties: Object.fromEntries(STATES.map((s) => [s, { type: 'integer' }])) },
  },
};

/** One device's view: the action with that device's delivery spread in. */
const deviceAction = {
  type: 'object',
  required: ['id', 'type', 'observable', 'created_at', 'created_by', 'state', 'detail', 'updated_at'],
  properties: { ...actionFields, state: delivery.properties.state, detail: delivery.properties.detail, updated_at: delivery.properties.updated_at },
};

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } };
const listQuery = { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } };
const listOf = (items: object) => ({ type: 'object', required: ['data'], properties: { data: { type: 'array', items } } });

function present(a: DeviceAction) {
  const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<(typeof STATES)[number], number>;
  for (const d of a.devices) counts[d.state]++;
  return { ...a, counts };
}

export async function responseActionRoutes(app: FastifyInstance, rc: ResponseContext): Promise<void> {
  const reader = requireRole(rc.exchange, 'read-only');

  app.get('/api/v1/response-actions', {
    preValidation: reader, schema: { querystring: listQuery, response: { 200: listOf(action) } },
  }, async (req) => {
    const { limit } = req.query as { limit: number };
    return { data: (await rc.stores.actions.list(principal(req).org_id, { limit })).map(present) };
  });

  app.get('/api/v1/response-actions/:id', {
    preValidation: reader, schema: { params: idParams, response: { 200: action } },
  }, async (req) => {
    const { id } = req.params as { id: string };
    const a = await rc.stores.actions.get(principal(req).org_id, id);
    if (!a) throw new ApiError('not_found', `no response action ${id} in this org`);
    return present(a);
  });

  app.get('/api/v1/devices/:id/response-actions', {
    preValidation: reader, schema: { params: idParams, querystring: listQuery, response: { 200: listOf(deviceAction) } },
  }, async (req) => {
    const orgId = principal(req).org_id;
    const { id } = req.params as { id: string };
    const { limit } = req.query as { limit: number };
    if (!(await rc.exchange.stores.devices.get(orgId, id))) throw new ApiError('not_found', `no device ${id} in this org`);
    const list = await rc.stores.actions.list(orgId, { device: id, limit });
    return {
      data: list.map(({ devices, ...a }) => {
        const d = devices.find((x) => x.device_id === id)!;
        return { ...a, state: d.state, detail: d.detail, updated_at: d.updated_at };
      }),
    };
  });
}
