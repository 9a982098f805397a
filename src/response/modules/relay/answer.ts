// Reads a Relay API answer (interfaces.md §4): `{"data": …}`, or `{"errors": […]}` with HTTP
// 200, possibly beside partial data. Anything else is the module's fault and says so with the
// URL, so an operator can tell a down module from a misconfigured one.
import { ModuleError } from '../../module.js';
import type { HttpAnswer } from './transport.js';

export interface RelayErrorItem { type?: string; code?: string; message?: string }

export interface Unwrapped {
  data: unknown;
  /** Errors the module reported beside data it still gave. */
  errors: RelayErrorItem[];
}

const SNIPPET = 200;

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > SNIPPET ? `${t.slice(0, SNIPPET)}…` : t;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Data worth returning despite errors: something, not an empty wrapper. */
function hasContent(d: unknown): boolean {
  if (Array.isArray(d)) return d.length > 0;
  if (isObject(d)) return Object.keys(d).length > 0;
  return d !== undefined && d !== null;
}

function errorItems(v: unknown): RelayErrorItem[] {
  if (!Array.isArray(v)) return [];
  return v.map((e): RelayErrorItem => (isObject(e)
    ? { type: String(e.type ?? 'fatal'), code: typeof e.code === 'string' ? e.code : undefined, message: typeof e.message === 'string' ? e.message : JSON.stringify(e) }
    : { type: 'fatal', message: String(e) }));
}

function relayError(errors: RelayErrorItem[], url: string): ModuleError {
  const code = errors.find((e) => e.code)?.code ?? 'module_error';
  const text = errors.map((e) => (e.code && e.message ? `${e.code}: ${e.message}` : e.message ?? e.code)).join('; ');
  return new ModuleError(code, `${url} answered with ${errors.length === 1 ? 'an error' : `${errors.length} errors`}: ${text}`);
}

export function unwrap(a: HttpAnswer): Unwrapped {
  let body: unknown;
  try {
    body = JSON.parse(a.text);
  } catch {
    if (a.status < 200 || a.status > 299) throw new ModuleError('http_status', `POST ${a.url} answered HTTP ${a.status}: ${snippet(a.text) || '(empty)'}`);
    throw new ModuleError('bad_answer', `POST ${a.url} answered HTTP ${a.status} with ${a.contentType || 'no content type'}, not JSON: ${snippet(a.text) || '(empty)'}`);
  }
  const errors = isObject(body) ? errorItems(body.errors) : [];
  if (a.status < 200 || a.status > 299) {
    const why = errors.length > 0 ? relayError(errors, a.url).message : snippet(a.text);
    throw new ModuleError('http_status', `POST ${a.url} answered HTTP ${a.status}: ${why}`);
  }
  if (!isObject(body)) throw new ModuleError('bad_answer', `POST ${a.url}: the answer is not a {"data": …} object: ${snippet(a.text)}`);
  if (errors.length > 0 && !hasContent(body.data)) throw relayError(errors, a.url);
  if (!('data' in body)) throw new ModuleError('bad_answer', `POST ${a.url}: the answer has no "data": ${snippet(a.text)}`);
  return { data: body.data, errors };
}

function wrongShape(url: string, want: string, got: unknown): ModuleError {
  return new ModuleError('bad_answer', `POST ${url}: "data" should be ${want}, got ${snippet(JSON.stringify(got) ?? String(got))}`);
}

/** Observe and deliberate: an object of CTIM `{count, docs}` lists. */
export function asObjectData(url: string, d: unknown): Record<string, unknown> {
  if (!isObject(d)) throw wrongShape(url, 'an object of {count, docs} lists', d);
  for (const [k, v] of Object.entries(d)) {
    if (!isObject(v) || !Array.isArray(v.docs)) throw wrongShape(url, `an object of {count, docs} lists (${k} is not one)`, d);
  }
  return d;
}

/** Refer and respond: a list of objects, each with a string id. */
export function asItems(url: string, d: unknown): Array<Record<string, unknown>> {
  if (!Array.isArray(d)) throw wrongShape(url, 'a list', d);
  for (const it of d) if (!isObject(it) || typeof it.id !== 'string') throw wrongShape(url, 'a list of objects with an "id"', d);
  return d as Array<Record<string, unknown>>;
}

/** Trigger: `{status: success|failure}`. */
export function asTrigger(url: string, d: unknown): { status: 'success' | 'failure' } & Record<string, unknown> {
  if (!isObject(d) || (d.status !== 'success' && d.status !== 'failure')) throw wrongShape(url, '{"status": "success" | "failure"}', d);
  return d as { status: 'success' | 'failure' };
}

/** Health: `{status: "ok"}`; any other status is a module saying it is unwell. */
export function asHealth(url: string, d: unknown): { status: 'ok' } & Record<string, unknown> {
  if (!isObject(d) || typeof d.status !== 'string') throw wrongShape(url, '{"status": "ok"}', d);
  if (d.status !== 'ok') throw new ModuleError('unhealthy', `POST ${url}: the module reports status ${JSON.stringify(d.status)}`);
  return d as { status: 'ok' };
}
