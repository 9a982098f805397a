// The Events page's filters, how they map to /api/v1/events query parameters, and the types
// the event API answers with.
export const EVENT_TYPES = ['intrusion', 'connection', 'file', 'malware'] as const;

export interface EventRecord {
  id: string;
  event_id: string;
  type: string;
  time: string;
  received_at: string;
  device_id: string;
  src_ip?: string;
  src_port?: number;
  dst_ip?: string;
  dst_port?: number;
  protocol?: string;
  action?: string;
  signature?: { gid?: number; sid?: number; rev?: number; message?: string; classification?: string; priority?: number };
  observables?: Record<string, string[]>;
  raw?: unknown;
  /** The key of the unique event this event counts in (absent for types not grouped). */
  unique_key?: string;
}

export interface UniqueRecord {
  key: string;
  type: string;
  src_ip: string | null;
  dst_ip: string | null;
  gid: number | null;
  sid: number | null;
  message: string | null;
  count: number;
  first_seen: string;
  last_seen: string;
  devices: string[];
}

export interface PageOf<T> {
  data: T[];
  next_cursor: string | null;
}

export interface Bucket {
  start: string;
  count: number;
}

/** Preset ranges (seconds back from now), each with the histogram interval that suits it.
 * An open or chosen range says nothing of how long the events in it last: there the server
 * fits the interval to the matching events (`auto`). */
export const RANGES = [
  { value: '15m', label: 'Last 15 minutes', seconds: 900, interval: '1m' },
  { value: '1h', label: 'Last hour', seconds: 3600, interval: '5m' },
  { value: '24h', label: 'Last 24 hours', seconds: 86400, interval: '1h' },
  { value: '7d', label: 'Last 7 days', seconds: 7 * 86400, interval: '6h' },
  { value: 'all', label: 'All time', seconds: 0, interval: 'auto' },
  { value: 'custom', label: 'Custom…', seconds: 0, interval: 'auto' },
] as const;
export type RangeValue = (typeof RANGES)[number]['value'];

export interface Filters {
  range: RangeValue;
  /** datetime-local values, for the custom range. */
  from: string;
  to: string;
  device: string;
  type: string;
  sid: string;
  observable: string;
  q: string;
}

export const NO_FILTERS: Filters = { range: 'all', from: '', to: '', device: '', type: '', sid: '', observable: '', q: '' };

/** Filters from an address's query string (?observable=…&type=… as the API names them). */
export function filtersFrom(search: string): Filters {
  const p = new URLSearchParams(search);
  const range = RANGES.find((r) => r.value === p.get('range'))?.value ?? 'all';
  return {
    range,
    from: p.get('from') ?? '',
    to: p.get('to') ?? '',
    device: p.get('device') ?? '',
    type: p.get('type') ?? '',
    sid: p.get('sid') ?? '',
    observable: p.get('observable') ?? '',
    q: p.get('q') ?? '',
  };
}

/** The page address's query string for these filters (only what is set). */
export function filtersSearch(f: Filters): string {
  const p = new URLSearchParams();
  if (f.range !== 'all') p.set('range', f.range);
  if (f.range === 'custom') {
    if (f.from) p.set('from', f.from);
    if (f.to) p.set('to', f.to);
  }
  for (const k of ['device', 'type', 'sid', 'observable', 'q'] as const) if (f[k].trim()) p.set(k, f[k].trim());
  const s = p.toString();
  return s ? `?${s}` : '';
}

const localToIso = (v: string) => {
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
};

/** The API's query parameters for these filters, now being `now`. */
export function apiParams(f: Filters, now = Date.now()): URLSearchParams {
  const p = new URLSearchParams();
  const range = RANGES.find((r) => r.value === f.range);
  if (range && range.seconds > 0) p.set('since', new Date(now - range.seconds * 1000).toISOString());
  if (f.range === 'custom') {
    const since = f.from ? localToIso(f.from) : null;
    const until = f.to ? localToIso(f.to) : null;
    if (since) p.set('since', since);
    if (until) p.set('until', until);
  }
  if (f.device) p.set('device', f.device);
  if (f.type) p.set('type', f.type);
  if (/^\d+$/.test(f.sid.trim())) p.set('sid', f.sid.trim());
  if (f.observable.trim()) p.set('observable', f.observable.trim());
  if (f.q.trim()) p.set('q', f.q.trim());
  return p;
}

export function intervalFor(f: Filters): string {
  return RANGES.find((r) => r.value === f.range)?.interval ?? '1h';
}

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');
