// What the exchange can say about a device beyond its record: the certificate it connects with;
// when its last error is a known fault, what that means and what to do (the same signatures
// `threatlink doctor` reads connector.log with); and when its connector runs inside this process
// (`up --demo`), the config file it reads and the command it runs in, which no heartbeat says.
import type { FastifyInstance } from 'fastify';
import type { ExchangeContext } from '../context.js';
import { explainMessage } from '../../doctor/log/explain.js';
import { requireRole, principal } from './auth-hook.js';
import { ApiError } from './errors.js';

export async function deviceDiagnosisRoutes(app: FastifyInstance, ctx: ExchangeContext): Promise<void> {
  const reader = requireRole(ctx, 'read-only');

  app.get('/api/v1/devices/:id/diagnosis', { preValidation: reader }, async (req) => {
    const { id } = req.params as { id: string };
    const org = principal(req).org_id;
    const d = await ctx.stores.devices.get(org, id);
    if (!d) throw new ApiError('not_found', `no device ${id} in this org`);
    // Renewal issues a new certificate before the old one expires: the latest unrevoked one is
    // the one the device uses.
    const cert = (await ctx.stores.devices.listCerts(org, id)).find((c) => !c.revoked);
    return {
      certificate: cert ? { serial: cert.serial, not_after: cert.not_after } : null,
      last_error: d.last_error ? { ...d.last_error, explanation: explainMessage(d.last_error.message) } : null,
      connector: ctx.localConnectors.of(d.id),
    };
  });
}
