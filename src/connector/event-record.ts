// An event as the spool stores it and the uplink sends it: its JSON text.
import type { NormalizedEvent } from '../events/event.js';
import { jsonWithRaw } from '../events/event-json.js';

/**
 * The event's JSON. With `rawJson` — the JSON text `ev.raw` was parsed from, unchanged (a
 * sensor's line) — that text goes in as `raw` as it is, behind the other fields serialized
 * without it: serializing the sensor's whole record again was most of the cost of this step.
 * The result parses to the same value as JSON.stringify(ev) (`raw` moves to the end).
 */
export function eventRecord(ev: NormalizedEvent, rawJson?: string): string {
  if (rawJson === undefined || ev.raw === undefined) return JSON.stringify(ev);
  const raw = ev.raw;
  ev.raw = undefined; // left out by JSON.stringify
  try {
    return jsonWithRaw(ev, rawJson);
  } finally {
    ev.raw = raw;
  }
}
