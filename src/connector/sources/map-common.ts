// Small helpers shared by the sensor-record mappers (map-eve.ts, map-snort3.ts). They read loosely
// typed parsed JSON and return either a value that fits the event contract or undefined, so a
// mapper can leave a field out instead of producing an event the validator would reject for it.
import type { EventObservables } from '../../events/event.js';

export type Json = Record<string, unknown>;

/** The value as an object, or undefined (arrays and null are not objects here). */
export function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

/** A non-empty string, or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** An integer in [min, max], or undefined. Numeric strings count: some sensors quote numbers. */
export function int(v: unknown, min: number, max: number): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

export const port = (v: unknown): number | undefined => int(v, 0, 65535);
export const uint32 = (v: unknown): number | undefined => int(v, 0, 4294967295);

/** Cuts a string to `max` UTF-16 units, which is never more than `max` code points (the limit the validator counts). */
export function clip(s: string | undefined, max: number): string | undefined {
  return s === undefined || s.length <= max ? s : s.slice(0, max);
}

// IANA numbers of the protocols the contract names, so "6" and "TCP" end up the same.
const PROTO_BY_NUMBER: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'ipv6-icmp' };

/** Transport protocol as the contract writes it: lower case, or the IANA number without leading zeros. */
export function protocol(v: unknown): string | undefined {
  const s = typeof v === 'number' ? String(v) : str(v);
  if (s === undefined) return undefined;
  if (/^\d+$/.test(s)) {
    const n = String(Number(s)); // older Suricata wrote "017"
    return PROTO_BY_NUMBER[n] ?? n;
  }
  return clip(s.toLowerCase(), 64);
}

export const isIcmp = (proto: string | undefined): boolean => proto === 'icmp' || proto === 'ipv6-icmp';

// The validator's limits on an observable list (docs/events.md §1).
const MAX_ITEMS = 100;
const MAX_LEN = 4096;

/** Collects observables: de-duplicated, domains and hashes lower-cased, over-long values dropped.
 * (The validator puts every value in inspect's spelling; an e-mail address keeps its local part as
 * written there, so it is not lower-cased whole here.) */
export class Observables {
  private readonly lists: { [K in keyof EventObservables]?: Set<string> } = {};

  add(kind: keyof EventObservables, value: unknown): void {
    let s = typeof value === 'string' ? value.trim() : '';
    if (s === '' || s.length > MAX_LEN) return; // a cut URL or name would be a wrong observable
    if (kind === 'domain') s = s.replace(/\.$/, '').toLowerCase();
    else if (kind === 'md5' || kind === 'sha1' || kind === 'sha256') s = s.toLowerCase();
    if (s === '') return;
    const set = (this.lists[kind] ??= new Set());
    if (set.size < MAX_ITEMS) set.add(s);
  }

  /** Adds each string of a list (or the value itself when it is a single string). */
  addAll(kind: keyof EventObservables, values: unknown): void {
    if (Array.isArray(values)) for (const v of values) this.add(kind, v);
    else this.add(kind, values);
  }

  /** The collected lists, or undefined when there are none (the field is then left out). */
  build(): EventObservables | undefined {
    let out: EventObservables | undefined;
    for (const [kind, set] of Object.entries(this.lists) as [keyof EventObservables, Set<string>][]) {
      if (set.size > 0) (out ??= {})[kind] = [...set];
    }
    return out;
  }
}

/** The address in `Name <a@b>` (or the string itself), for the email observable. */
export function emailAddress(v: unknown): string | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const m = /<([^<>]*)>/.exec(s);
  const addr = (m ? m[1]! : s).trim();
  return addr.includes('@') ? addr : undefined;
}

/** Sets an optional field only when there is a value: the contract wants absent, never `undefined` or `null`. */
export function put<T, K extends keyof T>(o: T, k: K, v: T[K] | undefined): void {
  if (v !== undefined) o[k] = v;
}
