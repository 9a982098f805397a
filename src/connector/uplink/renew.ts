// Certificate renewal over EST before expiry: a fresh key each time, the current certificate
// as the credential.
import { certsFromPkcs7, csrDerBase64, generateKeyAndCsr, certInfo } from '../../pki/x509.js';
import { deviceRequest } from './https-request.js';
import type { Credentials } from './credentials.js';

let lastTimes: { pem: string; notBefore: number; notAfter: number } | null = null;

/**
 * The certificate's validity, from a one-entry cache: parsing a certificate costs about a
 * millisecond, and the local API's snapshot (polled as often as every 10 ms) asks every time.
 */
export function certTimes(certPem: string): { notBefore: number; notAfter: number } {
  if (lastTimes?.pem !== certPem) {
    const i = certInfo(certPem);
    lastTimes = { pem: certPem, notBefore: i.notBefore.getTime(), notAfter: i.notAfter.getTime() };
  }
  return lastTimes;
}

/** Renew when less than a third of the certificate's life is left. */
export function needsRenewal(certPem: string, now = Date.now()): boolean {
  const { notBefore, notAfter } = certTimes(certPem);
  return notAfter - now < (notAfter - notBefore) / 3;
}

export async function renew(c: Credentials, proxy?: string): Promise<Credentials> {
  const { keyPem, csrPem } = await generateKeyAndCsr(c.registration.device_id);
  const r = await deviceRequest(`${c.registration.endpoints.est}/simplereenroll`, {
    method: 'POST', ca: c.ca, cert: c.cert, key: c.key, proxy,
    headers: { 'content-type': 'application/pkcs10' }, body: csrDerBase64(csrPem),
  });
  if (r.status !== 200) throw new Error(`certificate renewal refused: ${r.status} ${r.text.slice(0, 200)}`);
  const [cert] = certsFromPkcs7(r.text.trim());
  if (!cert) throw new Error('certificate renewal answer held no certificate');
  return { ...c, key: keyPem, cert, registration: { ...c.registration, cert_not_after: certInfo(cert).notAfter.toISOString() } };
}
