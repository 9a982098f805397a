// A device proves who it is with the client certificate the exchange CA issued it. The TLS
// layer checks the chain; here we check the certificate is still ours to honour: known serial,
// not revoked, device still registered.
import type { TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import type { Stores, Device } from '../store/types.js';
import { ApiError } from '../api/errors.js';

export function normalizeSerial(hex: string): string {
  return hex.toLowerCase().replace(/^0+(?=.)/, '');
}

export async function deviceFromSocket(socket: Socket, stores: Stores): Promise<{ device: Device; serial: string }> {
  const tls = socket as TLSSocket;
  const peer = typeof tls.getPeerCertificate === 'function' ? tls.getPeerCertificate() : null;
  if (!peer || !peer.serialNumber) {
    throw new ApiError('certificate_required', 'a device client certificate is required on this endpoint');
  }
  if (!tls.authorized) {
    throw new ApiError('certificate_required', `client certificate rejected: ${String(tls.authorizationError ?? 'not issued by this exchange')}`);
  }
  const serial = normalizeSerial(peer.serialNumber);
  const cert = await stores.devices.getCert(serial);
  if (!cert) throw new ApiError('certificate_revoked', 'certificate unknown to this exchange');
  if (cert.revoked) throw new ApiError('certificate_revoked', 'certificate revoked: the device was deleted; enroll again with a new registration token');
  const device = await stores.devices.getAny(cert.device_id);
  if (!device) throw new ApiError('certificate_revoked', 'device no longer registered; enroll again with a new registration token');
  return { device, serial };
}
