// Validation of one normalized event, as the exchange does it at ingest (and a connector may do it
// before sending). A bad event is rejected alone with a reason code; docs/events.md describes the
// rules for sensor integrators and must stay in step with this file.
//
// Hot path: the schema is compiled once at module load; a valid event costs one call into the
// compiled validator, one small regex for the time, and (only when `raw` is an object) one
// JSON.stringify. Error reasons are built only on the failure path.
import { isIP } from 'node:net';
import { Ajv, type ErrorObject, type SchemaObject } from 'ajv';
import { canonicalAddress, canonicalObservables } from './canonical.js';
import { EVENT_ACTIONS, EVENT_TYPES, type EventObservables, type NormalizedEvent } from './event.js';

/** Reason codes of a rejected event. Others branch on these; the strings are part of the contract. */
export const REJECT = {
  /** The event is not a JSON object (a string, number, array, null, …). */
  NOT_OBJECT: 'not_object',
  /** A required field is absent (`event_id`, `type`, `time`; `signature` on an intrusion event). */
  MISSING_FIELD: 'missing_field',
  /** A field has the wrong JSON type (a string where a number belongs, …). */
  BAD_TYPE: 'bad_type',
  /** A field has the right type but a value out of range, not in the enum, or in the wrong format. */
  BAD_VALUE: 'bad_value',
  /** A key the contract does not define (top level, `signature` or `observables`). */
  UNKNOWN_FIELD: 'unknown_field',
  /** A string, list or `raw` over its size limit. */
  TOO_LARGE: 'too_large',
} as const;
export type RejectCode = (typeof REJECT)[keyof typeof REJECT];

export type ValidationResult =
  | { ok: true; event: NormalizedEvent; rawJson?: string }
  | { ok: false; code: RejectCode; reason: string };

/** Largest accepted `raw`, as bytes of its UTF-8 JSON text. */
export const MAX_RAW_BYTES = 64 * 1024;

/** The keys of EventObservables, in the order the docs list them. */
export const OBSERVABLE_KINDS = [
  'domain',
  'url',
  'md5',
  'sha1',
  'sha256',
  'user',
  'file_name',
  'email',
] as const satisfies readonly (keyof EventObservables)[];
// Compile-time check that OBSERVABLE_KINDS names every key of EventObservables.
type MissingObservableKind = Exclude<keyof EventObservables, (typeof OBSERVABLE_KINDS)[number]>;
const _allObservableKinds: MissingObservableKind extends never ? true : never = true;

// `description` is the phrase a reason ends with: "<path>: <value> is not <description>".
const text = (max: number): SchemaObject => ({
  type: 'string',
  maxLength: max,
  description: `a string of at most ${max} characters`,
});
const port: SchemaObject = { type: 'integer', minimum: 0, maximum: 65535, description: 'an integer 0–65535' };
const ip: SchemaObject = { type: 'string', format: 'ip', description: 'an IPv4 or IPv6 address' };
const uint32 = (min: number): SchemaObject => ({
  type: 'integer',
  minimum: min,
  maximum: 4294967295,
  description: `an integer ${min}–4294967295`,
});
const observableList: SchemaObject = {
  type: 'array',
  maxItems: 100,
  items: { type: 'string', maxLength: 4096, description: 'a string of at most 4096 characters' },
  description: 'an array of at most 100 strings',
};

const eventProperties = {
  event_id: {
    type: 'string',
    minLength: 1,
    maxLength: 200,
    description: 'a non-empty string of at most 200 characters',
  },
  device_id: { type: 'string', description: 'a string' },
  type: { type: 'string', enum: [...EVENT_TYPES], description: `one of ${EVENT_TYPES.join(', ')}` },
  time: {
    type: 'string',
    format: 'date-time',
    description: 'an ISO-8601 date-time with a time zone (e.g. 2024-01-01T10:00:00.123456+0000)',
  },
  src_ip: ip,
  src_port: port,
  dst_ip: ip,
  dst_port: port,
  protocol: text(64),
  signature: {
    type: 'object',
    required: ['gid', 'sid'],
    additionalProperties: false,
    properties: {
      gid: uint32(0),
      sid: uint32(0),
      rev: uint32(0),
      message: text(1024),
      classification: text(256),
      priority: { type: 'integer', minimum: 1, maximum: 255, description: 'an integer 1–255' },
    },
    description: 'an object {gid, sid, rev?, message?, classification?, priority?}',
  },
  impact: { type: 'integer', minimum: 0, maximum: 5, description: 'an integer 0–5' },
  action: { type: 'string', enum: [...EVENT_ACTIONS], description: `one of ${EVENT_ACTIONS.join(', ')}` },
  app_proto: text(64),
  policy: text(256),
  observables: {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(OBSERVABLE_KINDS.map((k) => [k, observableList])),
    description: `an object with lists under ${OBSERVABLE_KINDS.join(', ')}`,
  },
  // Anything; its size is checked after the schema (see checkRaw).
  raw: true,
  // tags are the exchange's own marks (feed matches), not a sensor's to send.
} satisfies Record<Exclude<keyof NormalizedEvent, 'tags'>, SchemaObject | boolean>;

const eventSchema: SchemaObject = {
  type: 'object',
  required: ['event_id', 'type', 'time'],
  additionalProperties: false,
  properties: eventProperties,
};

// verbose: errors carry the failing value and its schema (used only to word the reason).
// Lengths (maxLength) count Unicode code points, Ajv's default.
const ajv = new Ajv({ allErrors: false, removeAdditional: false, verbose: true, messages: false });
ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
ajv.addFormat('ip', { type: 'string', validate: (s: string) => isIP(s) !== 0 });
const checkSchema = ajv.compile<NormalizedEvent>(eventSchema);

/** Validates one event. Never throws on parsed JSON, never mutates `input`; on success returns a shallow copy with `time` normalised, addresses and observables in the spelling inspect gives (canonical.ts),
 * and, when checking the size of `raw` meant writing it as JSON, that text as `rawJson` (so the store need not write it again).
 * `rawText`: the JSON text `input.raw` was parsed from, as the device sent it; then that text is
 * measured and given back as `rawJson` instead of `raw` being written again. */
export function validateEvent(input: unknown, rawText?: string): ValidationResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return reject(REJECT.NOT_OBJECT, `event: ${show(input)} is not a JSON object`);
  }
  if (!checkSchema(input)) {
    const err = checkSchema.errors?.[0];
    return err ? fromAjvError(err) : reject(REJECT.BAD_VALUE, 'event: invalid');
  }
  if (input.type === 'intrusion' && input.signature === undefined) {
    return reject(REJECT.MISSING_FIELD, 'signature: missing; an intrusion event must carry a signature');
  }
  const time = normaliseTime(input.time);
  if (time === undefined) {
    return reject(REJECT.BAD_VALUE, `time: ${show(input.time)} is not ${eventProperties.time.description}`);
  }
  const raw = input.raw;
  let rawJson: string | undefined;
  if (raw !== undefined && raw !== null) {
    const checked = rawText === undefined ? checkRaw(raw) : checkRawText(raw, rawText);
    if (typeof checked === 'string') rawJson = checked;
    else if (checked) return checked;
  }
  const event = { ...input, time };
  // Stored as inspect and enrich spell them (canonical.ts).
  if (event.src_ip !== undefined) event.src_ip = canonicalAddress(event.src_ip);
  if (event.dst_ip !== undefined) event.dst_ip = canonicalAddress(event.dst_ip);
  if (event.observables !== undefined) event.observables = canonicalObservables(event.observables);
  return rawJson === undefined ? { ok: true, event } : { ok: true, event, rawJson };
}

function reject(code: RejectCode, reason: string): ValidationResult {
  return { ok: false, code, reason };
}

// ---- time -------------------------------------------------------------------------------------

// What ajv-formats' strict date-time accepts: a T, t or whitespace separator, any number of
// fraction digits, and a zone of Z, ±hh, ±hhmm or ±hh:mm (Suricata writes +0000).
const DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)[Tt\s](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:[Zz]|([+-])(\d\d)(?::?(\d\d))?)$/;
const FOUR_CENTURIES_MS = 146097 * 86400000;
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The schema's check of `time` and normaliseTime read the same string one after the other:
 * the second reuses the first's match instead of running the pattern again. */
let lastTime: { s: string; m: RegExpExecArray | null } = { s: '', m: null };
function matchTime(s: string): RegExpExecArray | null {
  if (lastTime.s !== s) lastTime = { s, m: DATE_TIME.exec(s) };
  return lastTime.m;
}

/** The schema's `date-time` format: RFC 3339 as ajv-formats checks it in strict mode (a real
 * calendar day, hours, minutes and zone in range, second 60 only at 23:59 UTC), read with one
 * pattern that normaliseTime then reuses. */
function isDateTime(s: string): boolean {
  const m = matchTime(s);
  if (!m) return false;
  const year = +m[1]!;
  const month = +m[2]!;
  const day = +m[3]!;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (month < 1 || month > 12 || day < 1 || day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month]!)) return false;
  const hr = +m[4]!;
  const min = +m[5]!;
  const sec = +m[6]!;
  const sign = m[8] === '-' ? -1 : 1;
  const tzH = +(m[9] ?? 0);
  const tzM = +(m[10] ?? 0);
  if (tzH > 23 || tzM > 59) return false;
  if (hr <= 23 && min <= 59 && sec < 60) return true;
  // A leap second: 23:59:60 in UTC.
  const utcMin = min - tzM * sign;
  const utcHr = hr - tzH * sign - (utcMin < 0 ? 1 : 0);
  return (utcHr === 23 || utcHr === -1) && (utcMin === 59 || utcMin === -1) && sec < 61;
}

/** `new Date(x).toISOString()` for the forms above (V8 cannot parse all of them), or undefined. */
function normaliseTime(s: string): string | undefined {
  const m = matchTime(s);
  if (!m) return undefined;
  const frac = m[7];
  const ms3 = frac === undefined ? '000' : (frac + '00').slice(0, 3); // truncated to milliseconds
  // Common case (UTC, as Suricata and Snort write it): the string is already the answer, and the
  // schema's date-time format has checked the calendar, so no Date round trip is needed.
  if ((m[8] === undefined || (m[9] === '00' && (m[10] ?? '00') === '00')) && m[6] !== '60') {
    return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${ms3}Z`;
  }
  const year = Number(m[1]);
  const ms = Number(ms3);
  // Date.UTC maps years 0–99 to 1900–1999; shift by 400 years (a whole Gregorian cycle) and back.
  const shift = year < 100 ? 400 : 0;
  let t =
    Date.UTC(year + shift, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms) -
    (shift ? FOUR_CENTURIES_MS : 0);
  if (m[8] !== undefined) {
    const offsetMin = Number(m[9]) * 60 + Number(m[10] ?? 0);
    t += m[8] === '+' ? -offsetMin * 60000 : offsetMin * 60000;
  }
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

// ---- raw --------------------------------------------------------------------------------------

/** A rejection, or the JSON text of `raw` when it had to be written to be measured, or undefined. */
function checkRaw(raw: unknown): ValidationResult | string | undefined {
  const kind = typeof raw;
  if (kind === 'bigint' || kind === 'function' || kind === 'symbol') {
    return reject(REJECT.BAD_TYPE, `raw: a ${kind} is not JSON`);
  }
  if (kind === 'string') {
    // A string's JSON text is at most 6 UTF-8 bytes per code unit (\uXXXX) plus the quotes.
    if ((raw as string).length * 6 + 2 <= MAX_RAW_BYTES) return undefined;
  } else if (kind !== 'object') {
    return undefined; // number or boolean
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(raw);
  } catch (e) {
    return reject(REJECT.BAD_VALUE, `raw: cannot be written as JSON (${(e as Error).message.slice(0, 80)})`);
  }
  if (json === undefined) return undefined;
  return checkRawText(raw, json);
}

/** The size check of `raw` on its JSON text (written here, or as the device sent it, which is
 * then what gets stored): a rejection, or that text. */
function checkRawText(raw: unknown, json: string): ValidationResult | string {
  // UTF-8 bytes lie between 1 and 3 per UTF-16 code unit, so only the middle band needs counting.
  const bytes = json.length * 3 <= MAX_RAW_BYTES ? 0 : json.length > MAX_RAW_BYTES ? json.length : Buffer.byteLength(json);
  if (bytes > MAX_RAW_BYTES) {
    return reject(REJECT.TOO_LARGE, `raw: ${show(raw)} is at least ${bytes} bytes as JSON, over the ${MAX_RAW_BYTES}-byte limit`);
  }
  return json;
}

// ---- reasons ----------------------------------------------------------------------------------

function fromAjvError(err: ErrorObject): ValidationResult {
  const base = pointerToPath(err.instancePath);
  const at = (key: string): string => (base ? `${base}.${key}` : key);
  const params = err.params as Record<string, unknown>;
  const desc = typeof err.parentSchema?.description === 'string' ? err.parentSchema.description : 'valid';
  const here = base || 'event';
  const bad = `${here}: ${show(err.data)} is not ${desc}`;
  switch (err.keyword) {
    case 'required':
      return reject(REJECT.MISSING_FIELD, `${at(String(params.missingProperty))}: missing (required)`);
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((err.parentSchema?.properties as object | undefined) ?? {}).join(', ');
      return reject(REJECT.UNKNOWN_FIELD, `${at(clip(key))}: unknown field (allowed: ${allowed})`);
    }
    case 'type':
      // A number that is not an integer has the right JSON type but a bad value.
      if (params.type === 'integer' && typeof err.data === 'number') return reject(REJECT.BAD_VALUE, bad);
      return reject(REJECT.BAD_TYPE, `${here}: ${show(err.data)} (${jsonType(err.data)}) is not ${desc}`);
    case 'maxLength':
    case 'maxItems':
      return reject(REJECT.TOO_LARGE, bad);
    default: // enum, minimum, maximum, minLength, format
      return reject(REJECT.BAD_VALUE, bad);
  }
}

/** "/observables/domain/3" → "observables.domain[3]" */
function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : out ? `.${seg}` : seg;
  }
  return out;
}

function jsonType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

const SHOW_MAX = 80;

function clip(s: string): string {
  return s.length > SHOW_MAX ? `${s.slice(0, SHOW_MAX)}…` : s;
}

/** A short, safe rendering of a bad value for a reason: never more than ~80 characters of it. */
function show(v: unknown): string {
  switch (typeof v) {
    case 'string': {
      // Escapes (\u0000) can make the quoted text longer than the string; cut the quoted text too.
      const quoted = JSON.stringify(v.length > SHOW_MAX ? v.slice(0, SHOW_MAX) : v);
      return v.length > SHOW_MAX || quoted.length > SHOW_MAX + 2
        ? `${quoted.slice(0, SHOW_MAX + 1)}…" (${v.length} characters)`
        : quoted;
    }
    case 'number':
    case 'boolean':
      return String(v);
    case 'bigint':
      return `${v}n`;
    case 'undefined':
      return 'undefined';
    case 'object':
      if (v === null) return 'null';
      if (Array.isArray(v)) return `an array of ${v.length} item${v.length === 1 ? '' : 's'}`;
      return 'an object';
    default:
      return `a ${typeof v}`;
  }
}
