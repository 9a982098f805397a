// Activation: a registration token and the exchange's address are all a device holds. It
// fetches the CA without trusting the connection, checks it against the fingerprint the token
// carries, and only then, with that CA pinned, sends its CSR.
import { parseRegistrationToken } from '../../protocol/registration-token.js';
import { certsFromPkcs7, fingerprint, generateKeyAndCsr, certInfo } from '../../pki/x509.js';
import { EnrollError } from './enroll-error.js';
import { deviceRequest } from './https-request.js';
import { REGISTRATION_PATH } from '../../protocol/registration-paths.js';
import type { Credentials } from './credentials.js';

export { EnrollError } from './enroll-error.js';

export interface EnrollOptions {
  /** https://host:port of the exchange's api role. */
  apiUrl: string;
  token: string;
  name: string;
  hostname: string;
  version: string;
  serviceType?: string;
  proxy?: string;
}

export async function fetchPinnedCa(apiUrl: string, expected: string, proxy?: string): Promise<string> {
  const r = await deviceRequest(`${apiUrl}/.well-known/est/cacerts`, { insecure: true, proxy });
  if (r.status !== 200) throw new EnrollError('cacerts_failed', `GET ${apiUrl}/.well-known/est/cacerts answered ${r.status}: is ${apiUrl} a threatlink exchange?`);
  let certs: string[];
  try {
    certs = certsFromPkcs7(r.text.trim());
  } catch (e) {
    throw new EnrollError('cacerts_failed', `the CA answer from ${apiUrl} is not PKCS#7: ${(e as Error).message}`);
  }
  const ca = certs.find((c) => fingerprint(c) === expected);
  if (!ca) {
    const got = certs.map((c) => fingerprint(c)).join(', ') || 'none';
    throw new EnrollError('ca_mismatch',
      `the exchange at ${apiUrl} presented CA ${got}, but the registration token expects ${expected}: ` +
      'this is not the exchange that issued the token, or something between re-signs TLS (interception). Nothing was sent.');
  }
  return ca;
}

export async function enroll(o: EnrollOptions): Promise<Credentials> {
  const parts = parseRegistrationToken(o.token);
  if (!parts) throw new EnrollError('token_malformed', 'the registration token is not of the form tlr1.<id>.<secret>.<ca fingerprint>; copy it again from "threatlink token create" or the console');
  const ca = await fetchPinnedCa(o.apiUrl, parts.caFingerprint, o.proxy);
  const { keyPem, csrPem } = await generateKeyAndCsr(o.hostname || o.name);
  const r = await deviceRequest(`${o.apiUrl}${REGISTRATION_PATH}`, {
    method: 'POST', ca, proxy: o.proxy,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: o.token, csr: csrPem, name: o.name, hostname: o.hostname, version: o.version, serviceType: o.serviceType ?? 'connector' }),
  });
  let body: Record<string, unknown> = {};
  try { body = JSON.parse(r.text) as Record<string, unknown>; } catch { /* not JSON: reported below */ }
  if (r.status !== 201) {
    throw new EnrollError(String(body.error ?? `http_${r.status}`), `enrollment refused (${r.status} ${String(body.error ?? '')}): ${String(body.message ?? r.text.slice(0, 200))}`);
  }
  const cert = String(body.certificate);
  return {
    key: keyPem,
    cert,
    ca,
    registration: {
      device_id: String(body.device_id),
      org_id: String(body.org_id),
      org_name: body.org_name === undefined ? undefined : String(body.org_name),
      exchange: o.apiUrl,
      region: String(body.region ?? ''),
      endpoints: body.endpoints as Credentials['registration']['endpoints'],
      enrolled_at: new Date().toISOString(),
      cert_not_after: certInfo(cert).notAfter.toISOString(),
    },
  };
}
