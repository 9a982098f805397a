// A feed instance's settings, checked once: every later step reads FeedSettings and never the
// free-form `settings` object, so a wrong value is reported at configuration time, by name.
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CONFIDENCES, DISPOSITIONS, dispositionFromName, type Confidence, type Disposition, type Severity,
} from '../../../ctim/index.js';
import { isObservableType, type ObservableType } from '../../../observables/index.js';
import type { ModuleInstance } from '../../module.js';
import { ModuleConfigError } from '../kind.js';

export const FEED_FORMATS = ['list', 'csv', 'misp', 'stix2'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

/** A CSV column: its header name, or its 0-based position. */
export type CsvColumn = string | number;

export interface FeedSettings {
  /** An http(s) URL or an absolute file path (a file: URL is turned into one). */
  source: string;
  format: FeedFormat;
  /** list and csv: every value is of this type (otherwise each value's type is detected). */
  observableType?: ObservableType;
  column: CsvColumn;
  typeColumn?: CsvColumn;
  /** csv: the column whose text is each entry's reason (ThreatFox's malware_printable, say). */
  reasonColumn?: CsvColumn;
  /** csv: the first row names the columns. */
  header: boolean;
  /** misp: only attributes flagged for detection (`to_ids`), as MISP exports do by default. */
  toIdsOnly: boolean;
  refreshMs: number;
  disposition: Disposition;
  ttlMs: number;
  priority: number;
  confidence: Confidence;
  severity: Severity;
}

export const DEFAULT_REFRESH_SECONDS = 3600;
export const DEFAULT_TTL_SECONDS = 7 * 86400;
export const DEFAULT_PRIORITY = 90;

const fail = (field: string, message: string): never => {
  throw new ModuleConfigError(`settings.${field}`, message);
};

function source(v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') return fail('source', 'a file path or an http(s) URL is required');
  const s = v.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[a-z]:[\\/]/i.test(s)) {
    let u: URL;
    try { u = new URL(s); } catch { return fail('source', `${JSON.stringify(s)} is not a valid URL`); }
    if (u.protocol === 'file:') return fileURLToPath(u);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return fail('source', `only http, https and file sources are read, not ${u.protocol}`);
    return u.href;
  }
  // A relative path would depend on the server's working directory.
  if (!isAbsolute(s)) return fail('source', `${JSON.stringify(s)}: a file path must be absolute`);
  return s;
}

function integer(field: string, v: unknown, dflt: number, min: number, max: number): number {
  if (v === undefined || v === null) return dflt;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) return fail(field, `an integer ${min}–${max} is required`);
  return n;
}

function disposition(v: unknown): Disposition {
  if (v === undefined || v === null) return 2;
  if (typeof v === 'number' && v in DISPOSITIONS) return v as Disposition;
  if (typeof v === 'string') {
    const d = /^[1-5]$/.test(v.trim()) ? (Number(v) as Disposition) : dispositionFromName(v.trim());
    if (d !== null) return d;
  }
  return fail('disposition', `one of 1–5 or ${Object.values(DISPOSITIONS).join(', ')}`);
}

function confidence(field: string, v: unknown): Confidence {
  if (v === undefined || v === null) return 'High';
  const c = typeof v === 'string' ? CONFIDENCES.find((x) => x.toLowerCase() === v.trim().toLowerCase()) : undefined;
  return c ?? fail(field, `one of ${CONFIDENCES.join(', ')}`);
}

function column(field: string, v: unknown): CsvColumn | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && v.trim() !== '') return /^\d+$/.test(v.trim()) ? Number(v) : v.trim();
  return fail(field, 'a header name or a 0-based column number');
}

function bool(field: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  return typeof v === 'boolean' ? v : fail(field, 'true or false');
}

/** Throws ModuleConfigError naming the field (`settings.<name>`) when a setting is wrong. */
export function parseFeedSettings(m: Pick<ModuleInstance, 'settings'>): FeedSettings {
  const s = m.settings ?? {};
  const format = s.format;
  if (typeof format !== 'string' || !(FEED_FORMATS as readonly string[]).includes(format)) {
    return fail('format', `one of ${FEED_FORMATS.join(', ')}`);
  }
  let observableType: ObservableType | undefined;
  if (s.observable_type !== undefined && s.observable_type !== null) {
    if (typeof s.observable_type !== 'string' || !isObservableType(s.observable_type)) return fail('observable_type', 'an observable type (ip, ipv6, domain, url, md5, sha1, sha256, email, …)');
    observableType = s.observable_type;
  }
  const col = column('column', s.column) ?? 0;
  const typeColumn = column('type_column', s.type_column);
  const reasonColumn = column('reason_column', s.reason_column);
  // A named column can only be found through a header row.
  const named = typeof col === 'string' || typeof typeColumn === 'string' || typeof reasonColumn === 'string';
  const header = bool('header', s.header, named);
  if (named && !header) fail('header', 'a column given by name needs the header row');
  return {
    source: source(s.source),
    format: format as FeedFormat,
    ...(observableType ? { observableType } : {}),
    column: col,
    ...(typeColumn !== undefined ? { typeColumn } : {}),
    ...(reasonColumn !== undefined ? { reasonColumn } : {}),
    header,
    toIdsOnly: bool('to_ids_only', s.to_ids_only, true),
    refreshMs: integer('refresh_seconds', s.refresh_seconds, DEFAULT_REFRESH_SECONDS, 1, 30 * 86400) * 1000,
    disposition: disposition(s.disposition),
    ttlMs: integer('ttl_seconds', s.ttl_seconds, DEFAULT_TTL_SECONDS, 1, 10 * 365 * 86400) * 1000,
    priority: integer('priority', s.priority, DEFAULT_PRIORITY, 0, 100),
    confidence: confidence('confidence', s.confidence),
    severity: confidence('severity', s.severity),
  };
}
