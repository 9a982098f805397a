// What the event store modules share: bind values, times, and the lookup values of an event
// (by address, sid and observable; see event_key_sets in schema.ts).
import type { EventObservables } from '../../../events/event.js';

export type Bind = string | number | null;

export function toMs(iso: string, what: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new RangeError(`invalid ${what} time: ${JSON.stringify(iso)}`);
  return ms;
}

/** event_key_sets.kind */
export const KIND_SRC = 1;
export const KIND_DST = 2;
export const KIND_SID = 3;
export const KIND_OBSERVABLE = 4;

const OBSERVABLE_KINDS = ['domain', 'url', 'md5', 'sha1', 'sha256', 'user', 'file_name', 'email'] as const;

/** The distinct values the sensor reported, for the lookup index. */
function observableValues(o: EventObservables): string[] {
  const out: string[] = [];
  for (const kind of OBSERVABLE_KINDS) {
    const list = o[kind];
    if (!Array.isArray(list)) continue;
    for (const v of list) if (typeof v === 'string' && v !== '' && !out.includes(v)) out.push(v);
  }
  return out;
}

/** Calls `add` with each lookup value of one event (its rows in event_key_sets). */
export function eventKeys(
  src: string | null,
  dst: string | null,
  sid: number | null,
  obs: EventObservables | null,
  add: (kind: number, value: string | number) => void,
): void {
  if (src !== null) add(KIND_SRC, src);
  if (dst !== null) add(KIND_DST, dst);
  if (sid !== null) add(KIND_SID, sid);
  if (obs !== null) for (const v of observableValues(obs)) add(KIND_OBSERVABLE, v);
}
