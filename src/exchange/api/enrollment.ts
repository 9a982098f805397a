// Device enrollment with a registration token and a CSR, and certificate renewal over EST
// (RFC 7030). The device's key never leaves the device; the subject we sign is the device id.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ExchangeContext } from '../context.js';
import { parseRegistrationToken } from '../../protocol/registration-token.js';
import { sha256Hex, equalHex } from '../auth/secrets.js';
import { deviceFromSocket } from '../auth/device-identity.js';
import { certInfo, pkcs7CertsOnly, csrPemFromDerBase64 } from '../../pki/x509.js';
import { normalizeSerial } from '../auth/device-identity.js';
import { ApiError } from './errors.js';

import { REGISTRATION_PATH } from '../../protocol/registration-paths.js';

export const ENROLL_PATH = REGISTRATION_PATH;

const enrollSchema = {
  body: {
    type: 'object',
    required: ['token', 'csr'],
    properties: {
      token: { type: 'string', minLength: 1, maxLength: 1024 },
      csr: { type: 'string', minLength: 1, maxLength: 16384 },
      name: { type: 'string', maxLength: 200 },
      hostname: { type: 'string', maxLength: 255 },
      version: { type: 'string', maxLength: 64 },
      serviceType: { anyOf: [{ type: 'string', maxLength: 64 }, { type: 'array', items: { type: 'string' } }] },
    },
  },
};

interface EnrollBody { token: string; csr: string; name?: string; hostname?: string; version?: string; serviceType?: string | string[] }

async function signFor(ctx: ExchangeContext, csrPem: string, deviceId: string, orgId: string) {
  let issued;
  try {
    issued = await ctx.ca.signCsr(csrPem, { commonName: deviceId, days: ctx.config.deviceCertDays });
  } catch (e) {
    throw new ApiError('csr_invalid', (e as Error).message.replace(/^csr_invalid:\s*/, 'csr: '));
  }
  await ctx.stores.devices.addCert({
    serial: normalizeSerial(issued.serial), device_id: deviceId, org_id: orgId,
    not_after: issued.notAfter.toISOString(), revoked: false,
  });
  return issued;
}

export async function enrollmentRoutes(app: FastifyInstance, ctx: ExchangeContext): Promise<void> {
  app.post(ENROLL_PATH, { schema: enrollSchema }, async (req, reply) => {
    const body = req.body as EnrollBody;
    const parts = parseRegistrationToken(body.token);
    if (!parts) throw new ApiError('token_unknown', 'the registration token is not one this exchange issued (malformed)');
    const t = await ctx.stores.tokens.get(parts.id);
    if (!t || !equalHex(sha256Hex(parts.secret), t.secretHash)) throw new ApiError('token_unknown', 'the registration token is not one this exchange issued');
    if (t.revoked) throw new ApiError('token_revoked', 'the registration token was revoked; ask for a new one');
    if (Date.parse(t.expires_at) <= Date.now()) throw new ApiError('token_expired', `the registration token expired at ${t.expires_at}; ask for a new one`);
    if (t.uses >= t.uses_allowed) throw new ApiError('token_used', `the registration token was already used ${t.uses} time(s); ask for a new one`);
    // Check the CSR before spending a use, so a malformed request does not burn the token.
    const csrCheck = await ctx.ca.verifyCsr(body.csr);
    if (!csrCheck.ok) throw new ApiError('csr_invalid', `csr: ${csrCheck.reason}`);
    const deviceId = t.device_id ?? randomUUID();
    if (t.device_id && (await ctx.stores.devices.getAny(deviceId))) {
      throw new ApiError('conflict', `device ${deviceId} is already registered; delete it first to enroll it again`);
    }
    if (!(await ctx.stores.tokens.spend(t.id))) throw new ApiError('token_used', 'the registration token has no uses left; ask for a new one');
    const st = body.serviceType ?? t.service_type;
    const device = await ctx.stores.devices.create({
      id: deviceId, org_id: t.org_id, name: body.name ?? body.hostname ?? deviceId,
      hostname: body.hostname ?? '', version: body.version ?? '',
      service_type: (Array.isArray(st) ? st[0] : st) ?? 'connector',
    });
    const issued = await signFor(ctx, body.csr, device.id, device.org_id);
    req.log.info({ device: device.id, org: device.org_id }, 'device enrolled');
    return reply.code(201).send({
      device_id: device.id,
      org_id: device.org_id,
      org_name: (await ctx.stores.orgs.get(device.org_id))?.name ?? null,
      certificate: issued.certPem,
      ca: ctx.ca.certPem,
      expires_at: issued.notAfter.toISOString(),
      region: ctx.config.region,
      endpoints: ctx.config.endpoints,
    });
  });

  app.get('/.well-known/est/cacerts', async (_req, reply) => {
    return reply.type('application/pkcs7-mime').header('content-transfer-encoding', 'base64')
      .send(pkcs7CertsOnly([ctx.ca.certPem]));
  });

  app.post('/.well-known/est/simplereenroll', async (req, reply) => {
    const { device } = await deviceFromSocket(req.raw.socket, ctx.stores);
    const body = typeof req.body === 'string' ? req.body : Buffer.isBuffer(req.body) ? req.body.toString('latin1') : '';
    let csrPem: string;
    try {
      csrPem = body.includes('BEGIN CERTIFICATE REQUEST') ? body : csrPemFromDerBase64(body);
    } catch (e) {
      throw new ApiError('csr_invalid', `csr: not base64 DER PKCS#10 (${(e as Error).message})`);
    }
    const issued = await signFor(ctx, csrPem, device.id, device.org_id);
    req.log.info({ device: device.id, not_after: certInfo(issued.certPem).notAfter }, 'device certificate renewed');
    return reply.type('application/pkcs7-mime; smime-type=certs-only').header('content-transfer-encoding', 'base64')
      .send(pkcs7CertsOnly([issued.certPem]));
  });
}
