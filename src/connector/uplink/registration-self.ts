// The device's own registration, spoken of with its certificate: the refresh each
// registration_interval, and deregistration. See exchange/api/device-self.ts.
import { REGISTRATION_SELF_PATH } from '../../protocol/registration-paths.js';
import type { EndpointMap } from '../../protocol/endpoints.js';
import { deviceRequest } from './https-request.js';
import type { Credentials } from './credentials.js';

export interface RefreshAnswer {
  device_id: string;
  org_id: string;
  org_name: string | null;
  region: string;
  endpoints: EndpointMap;
}

/** The exchange no longer honours this certificate: the device was deleted or revoked there. */
export class RegistrationGoneError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** The address the device enrolled at (connector_fqdn), not the endpoint map: that address is
 * the operator's stable name, and the refresh is how a moved endpoint map is learned. */
/** An exchange from before the registration refresh: nothing to refresh there. */
export class RefreshNotServedError extends Error {}

function url(c: Credentials): string {
  return `${c.registration.exchange.replace(/\/+$/, '')}${REGISTRATION_SELF_PATH}`;
}

function refusal(status: number, text: string): Error {
  let body: { error?: string; message?: string } = {};
  try { body = JSON.parse(text) as typeof body; } catch { /* not JSON: the text is shown */ }
  const why = `${status} ${body.error ?? ''}: ${body.message ?? text.slice(0, 200)}`.replace(/ :/, ':');
  if (status === 401 || status === 403) return new RegistrationGoneError(body.error ?? `http_${status}`, why);
  if (status === 404 || status === 405) return new RefreshNotServedError(`the exchange answered ${why}`);
  return new Error(`the exchange answered ${why}`);
}

export async function refreshRegistration(c: Credentials, info: { hostname: string; version: string }, proxy?: string): Promise<RefreshAnswer> {
  const body = JSON.stringify(info);
  const r = await deviceRequest(url(c), {
    method: 'PUT', ca: c.ca, cert: c.cert, key: c.key, proxy, body, headers: { 'content-type': 'application/json' },
  });
  if (r.status !== 200) throw refusal(r.status, r.text);
  return JSON.parse(r.text) as RefreshAnswer;
}

/** Read only: the doctor's question whether the exchange still honours this certificate. */
export async function registrationAtExchange(c: Credentials, timeoutMs: number): Promise<RefreshAnswer> {
  const r = await deviceRequest(url(c), { ca: c.ca, cert: c.cert, key: c.key, timeoutMs });
  if (r.status !== 200) throw refusal(r.status, r.text);
  return JSON.parse(r.text) as RefreshAnswer;
}

/** Resolves once the exchange has forgotten the device (or had already). */
export async function deregisterSelf(c: Credentials, proxy?: string, timeoutMs = 10_000): Promise<void> {
  const r = await deviceRequest(url(c), { method: 'DELETE', ca: c.ca, cert: c.cert, key: c.key, proxy, timeoutMs });
  if (r.status === 204) return;
  const e = refusal(r.status, r.text);
  // Deleted there already: what the caller wanted is true.
  if (e instanceof RegistrationGoneError) return;
  throw e;
}
