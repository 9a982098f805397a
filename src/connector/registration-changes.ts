// What the connector makes of its registration after enrollment, kept out of connector.ts's
// state handling: what a refresh answer changes, how a failure to reach the enrolled exchange is
// worded, whether connector_fqdn still names that exchange, and telling it the device leaves.
import { ENDPOINT_ROLES, type EndpointRole } from '../protocol/endpoints.js';
import type { Credentials, Registration } from './uplink/credentials.js';
import { deregisterSelf, type RefreshAnswer } from './uplink/registration-self.js';
import { goErrorText, SITES, type ConnectorLog } from './log.js';

export interface RegistrationChange {
  registration: Registration;
  /** For the log: each changed item, before → after. */
  said: string[];
  moved: EndpointRole[];
}

/** Null when the answer holds what the device has already. */
export function registrationChange(reg: Registration, a: RefreshAnswer): RegistrationChange | null {
  const moved = ENDPOINT_ROLES.filter((r) => typeof a.endpoints?.[r] === 'string' && a.endpoints[r] !== reg.endpoints[r]);
  const orgName = a.org_name ?? undefined;
  if (!moved.length && orgName === reg.org_name && a.region === reg.region) return null;
  const endpoints = moved.length ? { ...reg.endpoints, ...a.endpoints } : reg.endpoints;
  const said = moved.map((r) => `${r} ${reg.endpoints[r]} → ${endpoints[r]}`);
  if (orgName !== reg.org_name) said.push(`org name ${reg.org_name ?? '(none)'} → ${orgName}`);
  if (a.region !== reg.region) said.push(`region ${reg.region} → ${a.region}`);
  return {
    registration: { ...reg, endpoints, region: a.region ?? reg.region, ...(orgName !== undefined ? { org_name: orgName } : {}) },
    said,
    moved,
  };
}

/** A failed request to the exchange the device enrolled at, in the note's Go wording. */
export function enrolledExchangeError(e: unknown, c: Credentials): string {
  const api = new URL(c.registration.exchange);
  return goErrorText(e as NodeJS.ErrnoException, { host: api.hostname, port: Number(api.port || 443) });
}

/** The device certificate is the enrolled exchange's: pointing connector_fqdn elsewhere cannot
 * move the device, so that is said instead of the edit being ignored in silence. */
export function exchangeMovedWarning(c: Credentials, fqdn: { host: string; port: number } | undefined): string | null {
  if (!fqdn) return null;
  let enrolled: URL;
  try { enrolled = new URL(c.registration.exchange); } catch { return null; }
  const host = enrolled.hostname.replace(/^\[|\]$/g, '');
  const port = Number(enrolled.port || 443);
  if (host.toLowerCase() === fqdn.host.toLowerCase() && port === fqdn.port) return null;
  return `connector_fqdn is ${fqdn.host}:${fqdn.port}, but this device is enrolled with ${host}:${port} and stays with it: its certificate is that exchange's. To move, DELETE /v1/contexts/default (or POST /v1/action?type=reset), then activate with a registration token from ${fqdn.host}`;
}

/** Best effort: the local identity goes whatever the answer, but an exchange that could not be
 * told keeps listing the device, and the engineer must know to delete it there. */
export async function leaveExchange(c: Credentials, proxy: string | undefined, log: ConnectorLog): Promise<void> {
  const id = c.registration.device_id;
  try {
    await deregisterSelf(c, proxy);
    log.info(SITES.register, `device ${id} removed from the exchange`);
  } catch (e) {
    log.warn(SITES.register, `could not tell the exchange that device ${id} is leaving (${enrolledExchangeError(e, c)}): it still lists the device; delete it there (console Devices, or DELETE /api/v1/devices/${id})`);
  }
}
