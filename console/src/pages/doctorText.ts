// The Doctor page's data and the words it puts on it: the verdict, how each connection ended,
// how long it lasted. Pure, so the page components stay about layout.
import type { Device } from './DeviceRow';
import { when } from './DeviceRow';

/** The record as GET /api/v1/devices answers it, with what a heartbeat may carry. */
export type DoctorDevice = Omit<Device, 'status'> & {
  remote_address: string | null;
  status: {
    version?: string;
    spool_depth?: number;
    spool_bytes?: number;
    counters?: Record<string, number>;
  } | null;
};

export interface Explanation { signature: string; severity: 'fail' | 'warn'; meaning: string; remedy: string }

/** GET /api/v1/devices/{id}/diagnosis */
export interface Diagnosis {
  certificate: { serial: string; not_after: string } | null;
  last_error: { message: string; time: string; explanation: Explanation | null } | null;
  /** The connector's own word, when it runs inside the exchange's process (`up --demo`). */
  connector: { config_file: string; embedded_in: string | null } | null;
}

/** One row of GET /api/v1/devices/{id}/connections */
export interface Connection {
  id: string;
  connected_at: string;
  remote_address: string;
  closed_at: string | null;
  close_code: number | null;
  close_reason: string | null;
  closed_by: 'device' | 'exchange' | 'network' | null;
  version: string | null;
  events_received: number | null;
  open: boolean;
}

/** The config path Add device tells people to use: the guess for a device whose connector the
 * exchange cannot ask. */
export const DEFAULT_CONFIG = '/etc/threatlink/connector.properties';

/** Quoted as a POSIX shell would need it, so the command works pasted (as src/command-hint.ts). */
const shellArg = (s: string) => (/^[\w./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** Runs on the sensor host: the checks only it can make (config, sockets, DNS, TLS, its log),
 * on the config that connector reads, when the exchange knows it. */
export function doctorCommand(configFile: string = DEFAULT_CONFIG): string {
  return `threatlink doctor --config ${shellArg(configFile)}`;
}

export type Tone = 'ok' | 'warn' | 'bad' | 'idle';

export interface Verdict { tone: Tone; text: string }

export function verdict(d: DoctorDevice, lastClose: Connection | undefined): Verdict {
  const err = d.last_error ? ` — last error: ${d.last_error.message}` : '';
  if (d.connection_state === 'never' && !d.connected) return { tone: 'idle', text: `never connected${err}` };
  if (!d.connected) {
    const why = err || (lastClose?.closed_at ? ` — ${closeText(lastClose)}` : '');
    return { tone: 'bad', text: `disconnected since ${when(d.state_since)}${why}` };
  }
  if (!d.cloud_events) return { tone: 'warn', text: `connected, but cloud events are off: the device sends no events${err}` };
  if (d.last_error) return { tone: 'warn', text: `connected${err}` };
  return { tone: 'ok', text: 'connected, healthy' };
}

const CODES: Record<number, string> = {
  1000: 'normal close',
  1001: 'going away',
  1005: 'no close code',
  1006: 'cut without a close frame',
  1011: 'exchange error',
  4403: 'device deleted or certificate revoked',
};

/** How a connection ended, in a few words: who, the code and its meaning, the reason given. */
export function closeText(c: Connection): string {
  if (c.open) return 'open';
  if (c.closed_at === null) return 'not recorded (the exchange stopped)';
  if (c.closed_by === 'network') return `connection cut (${c.close_code ?? 1006}, no close frame)`;
  const who = c.closed_by === 'exchange' ? 'closed by the exchange' : 'closed by the device';
  const meaning = c.close_code !== null ? CODES[c.close_code] : undefined;
  const code = c.close_code !== null ? ` (${c.close_code}${meaning ? ` ${meaning}` : ''})` : '';
  return `${who}${code}${c.close_reason ? `: ${c.close_reason}` : ''}`;
}

const UNITS = [['d', 86_400], ['h', 3600], ['min', 60], ['s', 1]] as const;

/** "2 h 5 min", "40 s": the largest unit and the next, rounded down. */
export function duration(fromIso: string, toIso: string | null, now = Date.now()): string {
  const end = toIso === null ? now : Date.parse(toIso);
  const s = Math.max(0, Math.floor((end - Date.parse(fromIso)) / 1000));
  const found = UNITS.findIndex(([, size]) => s >= size);
  const i = found === -1 ? UNITS.length - 1 : found;
  const [big, bigSize] = UNITS[i] ?? UNITS[3];
  const a = Math.floor(s / bigSize);
  const next = UNITS[i + 1];
  const b = next ? Math.floor((s % bigSize) / next[1]) : 0;
  return next && b > 0 ? `${a} ${big} ${b} ${next[0]}` : `${a} ${big}`;
}

/** "in 84 days", "expired 3 days ago". */
export function expiry(iso: string, now = Date.now()): string {
  const days = Math.round((Date.parse(iso) - now) / 86_400_000);
  if (days >= 0) return `${when(iso)} (in ${days} day${days === 1 ? '' : 's'})`;
  return `${when(iso)} (expired ${-days} day${days === -1 ? '' : 's'} ago)`;
}
