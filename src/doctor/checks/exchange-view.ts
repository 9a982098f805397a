// exchange_view: the device as the exchange sees it (GET /api/v1/devices/{id}) — the other end
// of everything the local checks report. Needs an API client: --client-id/--client-secret or
// THREATLINK_CLIENT_ID/THREATLINK_CLIENT_SECRET.
import { skipped, waitMs, type Check, type CheckResult, type DoctorContext } from '../check.js';
import { exchangeRequest, type ExchangeRoute } from '../net/exchange-request.js';
import { enrollAgain } from '../remedies.js';
import type { Device } from '../../exchange/store/types.js';

const id = 'exchange_view';
const title = "the exchange's record of this device";

/** GET /api/v1/devices/{id}: the registry's record plus what only the live connection knows. */
type DeviceRecord = Omit<Device, 'status'> & { connected: boolean; status: { spool_depth?: number; version?: string } | null };

function json<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

async function ask(ctx: DoctorContext): Promise<CheckResult[]> {
  if (!ctx.exchangeApi) return [skipped(id, title, 'no API client given (--client-id and --client-secret, or THREATLINK_CLIENT_ID and THREATLINK_CLIENT_SECRET)')];
  const api = ctx.endpoints.api;
  const deviceId = ctx.snapshot?.registration.device_id ?? ctx.credentials?.registration.device_id ?? null;
  if (!api || !ctx.caPem) return [skipped(id, title, 'no api endpoint or connectorCA.pem (see registration)')];
  if (!deviceId) return [skipped(id, title, 'not enrolled: there is no device to look up (see registration)')];
  const route: ExchangeRoute = { proxy: ctx.config?.proxy ? new URL(ctx.config.proxy) : null, ca: ctx.caPem, waitMs: () => waitMs(ctx) };
  const { clientId, clientSecret } = ctx.exchangeApi;
  const tokenAnswer = await exchangeRequest(new URL('/iroh/oauth2/token', api), {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  }, route);
  const token = json<{ access_token?: string }>(tokenAnswer.text)?.access_token;
  if (tokenAnswer.status !== 200 || !token) {
    return [{
      id, title, status: 'fail', evidence: [`POST ${api.origin}/iroh/oauth2/token → ${tokenAnswer.status} ${tokenAnswer.text.slice(0, 200)}`],
      cause: `the exchange refused the API client ${clientId}`, remedy: 'give the id and secret of an API client of this device\'s org (`GET /api/v1/clients` lists them)',
    }];
  }
  const r = await exchangeRequest(new URL(`/api/v1/devices/${encodeURIComponent(deviceId)}`, api), { headers: { authorization: `Bearer ${token}` } }, route);
  if (r.status === 404) {
    return [{
      id, title, status: 'fail', evidence: [`GET /api/v1/devices/${deviceId} → 404 ${r.text.slice(0, 200)}`],
      cause: `the exchange has no device ${deviceId} in this API client's org: it was deleted (or the client belongs to another org)`,
      remedy: enrollAgain(ctx.config?.connectorPort),
    }];
  }
  const d = json<DeviceRecord>(r.text);
  if (r.status !== 200 || !d) {
    return [{ id, title, status: 'fail', evidence: [`GET /api/v1/devices/${deviceId} → ${r.status} ${r.text.slice(0, 200)}`], cause: `the exchange answered ${r.status} for the device record`, remedy: 'give an API client with at least the read-only role' }];
  }
  const seenAgo = d.last_seen ? Math.round((Date.now() - Date.parse(d.last_seen)) / 1000) : null;
  const evidence = [
    `device ${d.id} "${d.name}": ${d.connection_state} since ${d.state_since}${d.remote_address ? ` from ${d.remote_address}` : ''}; last seen ${seenAgo === null ? 'never' : `${seenAgo} s ago`}`,
    `events received ${d.events_received}, rejected ${d.events_rejected}; cloud events ${d.cloud_events ? 'on' : 'off'}${d.status?.spool_depth !== undefined ? `; last heartbeat: spool depth ${d.status.spool_depth}, version ${d.status.version}` : ''}`,
  ];
  if (d.last_error) evidence.push(`last error ${d.last_error.time}: ${d.last_error.message}`);
  if (!d.cloud_events) {
    return [{ id, title, status: 'fail', evidence, cause: 'the exchange has cloud events off for this device', remedy: `PATCH /api/v1/devices/${d.id} {"cloud_events":true} with an admin API client` }];
  }
  if (!d.connected) {
    return [{ id, title, status: 'fail', evidence, cause: `the exchange has no live connection from this device (${d.connection_state})`, remedy: 'see uplink_tcp and tcp.eventing for why the connector does not connect' }];
  }
  return [{ id, title, status: 'ok', evidence }];
}

export const exchangeViewCheck: Check = {
  id,
  title,
  async run(ctx): Promise<CheckResult[]> {
    try {
      return await ask(ctx);
    } catch (e) {
      return [{
        id, title, status: 'fail', evidence: [(e as Error).message],
        cause: `the exchange's API could not be asked: ${(e as Error).message}`, remedy: 'see tcp.api, tls.api and http.api',
      }];
    }
  },
};
