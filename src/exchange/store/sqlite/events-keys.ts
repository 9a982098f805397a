// What the event store modules share: bind values, times, and the event_keys rows of an event
// (the lookups by address, sid and observable; see event_keys in schema.ts).
import type { EventObservables } from '../../../events/event.js';

export type Bind = string | number | null;

export function toMs(iso: string, what: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new RangeError(`invalid ${what} time: ${JSON.stringify(iso)}`);
  return ms;
}

/** event_keys.kind */
export const KIND_SRC = 1;
export const KIND_DST = 2;
export const KIND_SID = 3;
export const KIND_OBSERVABLE = 4;

const OBSERVABLE_KINDS = ['domain', 'url', 'md5', 'sha1', 'sha256', 'user', 'file_name', 'email'] as const;

/** The distinct values the sensor reported, for event_keys. */
function observableValues(o: EventObservables): string[] {
  const out: string[] = [];
  for (const kind of OBSERVABLE_KINDS) {
    const list = o[kind];
    if (!Array.isArray(list)) continue;
    for (const v of list) if (typeof v === 'string' && v !== '' && !out.includes(v)) out.push(v);
  }
  return out;
}

export type KeyEntry = [orgKey: number, kind: number, value: string | number, ts: number, rowid: number];

export function compareKeys(a: KeyEntry, b: KeyEntry): number {
  return (
    a[0] - b[0] ||
    a[1] - b[1] ||
    (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0) ||
    a[3] - b[3] ||
    a[4] - b[4]
  );
}

/** The event_keys rows of one event. */
export function keyEntries(
  orgKey: number,
  rowid: number,
  ts: number,
  src: string | null,
  dst: string | null,
  sid: number | null,
  obs: EventObservables | null,
  out: KeyEntry[],
): void {
  if (src !== null) out.push([orgKey, KIND_SRC, src, ts, rowid]);
  if (dst !== null) out.push([orgKey, KIND_DST, dst, ts, rowid]);
  if (sid !== null) out.push([orgKey, KIND_SID, sid, ts, rowid]);
  if (obs !== null) for (const v of observableValues(obs)) out.push([orgKey, KIND_OBSERVABLE, v, ts, rowid]);
}
