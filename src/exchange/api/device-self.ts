// A registered device speaking of its own registration, with its certificate as the credential:
// GET (read only: the doctor asks whether the certificate is still honoured), the refresh each registration_interval (it tells the exchange its hostname and version, and
// learns the current endpoints, org name and whether it is still registered, even while its
// eventing connection cannot get through), and deregistration, so that DELETE
// /v1/contexts/default on the sensor removes the device here too instead of leaving a ghost.
import type { FastifyInstance } from 'fastify';
import type { ExchangeContext } from '../context.js';
import type { Device } from '../store/types.js';
import { deviceFromSocket } from '../auth/device-identity.js';
import { REGISTRATION_SELF_PATH } from '../../protocol/registration-paths.js';
import { deleteDevice } from './devices.js';

const refreshSchema = {
  body: {
    type: 'object',
    properties: {
      hostname: { type: 'string', maxLength: 255 },
      version: { type: 'string', maxLength: 64 },
    },
  },
};

async function registrationOf(ctx: ExchangeContext, device: Device) {
  return {
    device_id: device.id,
    org_id: device.org_id,
    org_name: (await ctx.stores.orgs.get(device.org_id))?.name ?? null,
    region: ctx.config.region,
    endpoints: ctx.config.endpoints,
  };
}

export async function deviceSelfRoutes(app: FastifyInstance, ctx: ExchangeContext): Promise<void> {
  app.put(REGISTRATION_SELF_PATH, { schema: refreshSchema }, async (req) => {
    const { device } = await deviceFromSocket(req.raw.socket, ctx.stores);
    const body = (req.body ?? {}) as { hostname?: string; version?: string };
    await ctx.stores.devices.refreshRegistration(device.id, {
      hostname: body.hostname ?? device.hostname, version: body.version ?? device.version,
    }, new Date().toISOString());
    return registrationOf(ctx, device);
  });

  // Read only, for the doctor: does the exchange still honour this certificate?
  app.get(REGISTRATION_SELF_PATH, async (req) => registrationOf(ctx, (await deviceFromSocket(req.raw.socket, ctx.stores)).device));

  app.delete(REGISTRATION_SELF_PATH, async (req, reply) => {
    const { device } = await deviceFromSocket(req.raw.socket, ctx.stores);
    await deleteDevice(ctx, device.org_id, device.id);
    req.log.info({ device: device.id, org: device.org_id }, 'device deregistered itself');
    return reply.code(204).send();
  });
}
