// Certificate renewal over EST before expiry: a fresh key each time, the current certificate
// as the credential.
import { certsFromPkcs7, csrDerBase64, generateKeyAndCsr, certInfo } from '../../pki/x509.js';
import { deviceRequest } from './https-request.js';
import type { Credentials } from './credentials.js';

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
