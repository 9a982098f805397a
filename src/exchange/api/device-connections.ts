// A device's recent eventing connections, newest first: when each opened and closed, from where,
// who ended it and with what code. The exchange's side of "why does this device keep dropping".
import type { FastifyInstance } from 'fastify';
import type { ExchangeContext } from '../context.js';
import { CONNECTION_HISTORY_KEEP, type DeviceConnection } from '../store/types.js';
import { requireRole, principal } from './auth-hook.js';
import { ApiError } from './errors.js';

const listSchema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { limit: { type: 'integer', minimum: 1, maximum: CONNECTION_HISTORY_KEEP, default: 20 } },
  },
};

/** `open` from the live registry: a row without a close whose socket is gone belonged to an
 * exchange that stopped before it could record the close. */
function present(ctx: ExchangeContext, c: DeviceConnection) {
  const open = c.closed_at === null && ctx.connections.get(c.device_id).some((l) => l.since === c.connected_at && l.remote === c.remote_address);
  return { ...c, open };
}

export async function deviceConnectionRoutes(app: FastifyInstance, ctx: ExchangeContext): Promise<void> {
  const reader = requireRole(ctx, 'read-only');

  app.get('/api/v1/devices/:id/connections', { preValidation: reader, schema: listSchema }, async (req) => {
    const { id } = req.params as { id: string };
    const { limit } = req.query as { limit: number };
    const org = principal(req).org_id;
    if (!(await ctx.stores.devices.get(org, id))) throw new ApiError('not_found', `no device ${id} in this org`);
    const rows = await ctx.stores.connectionHistory.list(org, id, limit);
    return { data: rows.map((c) => present(ctx, c)) };
  });
}
