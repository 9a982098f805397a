// The device registry of the caller's org. Deleting a device revokes its certificates and cuts
// its live connection at once.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { ExchangeContext } from '../context.js';
import type { Device } from '../store/types.js';
import { CLOSE_REVOKED } from '../ingest/connections.js';
import { connectedAnywhere } from '../ingest/device-online.js';
import { requireRole, principal } from './auth-hook.js';
import { ApiError } from './errors.js';
import { deviceConnectionRoutes } from './device-connections.js';
import { deviceDiagnosisRoutes } from './device-diagnosis.js';

const patchSchema = {
  body: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 200 },
      cloud_events: { type: 'boolean' },
    },
  },
};

/** The record as the API shows it: the store's view plus what only the live registry knows. */
export function presentDevice(ctx: ExchangeContext, d: Device) {
  const live = ctx.connections.get(d.id)[0];
  return { ...d, connected: connectedAnywhere(ctx, d), remote_address: live?.remote ?? d.remote_address };
}

export async function deleteDevice(ctx: ExchangeContext, orgId: string, id: string): Promise<boolean> {
  if (!(await ctx.stores.devices.delete(orgId, id))) return false;
  ctx.bus.toDevice(id, { op: 'close', code: CLOSE_REVOKED, reason: 'device deleted: certificate revoked' });
  return true;
}

export async function deviceRoutes(app: FastifyInstance, ctx: ExchangeContext): Promise<void> {
  const reader = requireRole(ctx, 'read-only');
  const admin = requireRole(ctx, 'admin');

  app.get('/api/v1/devices', { preValidation: reader }, async (req) => {
    const list = await ctx.stores.devices.list(principal(req).org_id);
    return { data: list.map((d) => presentDevice(ctx, d)) };
  });
  app.get('/api/v1/devices/:id', { preValidation: reader }, async (req) => {
    const { id } = req.params as { id: string };
    const d = await ctx.stores.devices.get(principal(req).org_id, id);
    if (!d) throw new ApiError('not_found', `no device ${id} in this org`);
    return presentDevice(ctx, d);
  });
  app.patch('/api/v1/devices/:id', { preValidation: admin, schema: patchSchema }, async (req) => {
    const { id } = req.params as { id: string };
    const patch = req.body as { name?: string; cloud_events?: boolean };
    const d = await ctx.stores.devices.update(principal(req).org_id, id, patch);
    if (!d) throw new ApiError('not_found', `no device ${id} in this org`);
    if (patch.cloud_events !== undefined) {
      ctx.bus.toDevice(id, { op: 'control', frame: {
        type: 'control', id: randomUUID(), action: 'cloud_events', params: { enabled: patch.cloud_events },
      } });
    }
    return presentDevice(ctx, d);
  });
  const del = (status: number) => async (req: FastifyRequest, reply: FastifyReply) => {
    const { id } = req.params as { id: string };
    if (!(await deleteDevice(ctx, principal(req).org_id, id))) throw new ApiError('not_found', `no device ${id} in this org`);
    return reply.code(status).send(status === 204 ? undefined : { id, status: 'deleted' });
  };
  app.delete('/api/v1/devices/:id', { preValidation: admin }, del(204));
  app.delete('/providers/sse/services/scim/v2/Devices/:id', { preValidation: admin }, del(202));
  await deviceConnectionRoutes(app, ctx);
  await deviceDiagnosisRoutes(app, ctx);
}
