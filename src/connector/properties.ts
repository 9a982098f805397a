// connector.properties: the connector's config, in the same file and syntax as Cisco's
// SSEConnector (/ngfw/etc/sf/connector.properties), so `more connector.properties` and the
// three lines engineers know (registration_interval, connector_port, connector_fqdn) still apply.
//
// Keys (also in PROPERTY_DOCS, which `--help` prints). An empty value (`key=`) means "not set":
// installer templates leave optional keys blank.
//   registration_interval  seconds between registration refreshes, 10–86400, default 180
//   connector_port         local REST API port (localhost), 1–65535, default 8989
//   connector_fqdn         the exchange, host[:port], port default 443; optional here because
//                          local-API-only mode needs none — the caller decides if it is required
//   region                 region label, default local
//   data_dir               state directory, default <dir of this file>/data
//   ca_file                CA bundle that verifies the exchange, default <data_dir>/connectorCA.pem
//   registration_token     one-time token to register with (optional)
//   cloud_events           on|off|true|false|yes|no|1|0, default on (off: send nothing)
//   log_file               default <data_dir>/connector.log
//   log_max_bytes          rotate connector.log past this size, default 10MiB
//   log_keep               rotated logs kept (connector.log.1 …), 0–100, default 5
//   spool_max_bytes        on-disk event spool limit, default 1GiB
//   spool_full_policy      block | drop_oldest, default block
//   blocklist_dir          default <data_dir>/blocklists
//   proxy                  http://host:port for the exchange connection (optional)
//   hostname               name shown in every log line ([hostname]), default os.hostname()
//   source.<name>.type     zmq | eve | snort3-json | unified2 (name: [A-Za-z0-9_-]+)
//   source.<name>.endpoint zmq only: ipc://… or tcp://…
//   source.<name>.path     eve, snort3-json, unified2: the file (unified2: directory + prefix)
// Sizes are bytes or a number with K/KB/KiB, M/MB/MiB, G/GB/GiB; all are powers of 1024, as
// log4j reads "10MB" in the Java world this file comes from. Relative paths resolve against the
// directory of this file, not the process's cwd (a service manager's cwd is arbitrary).
import { readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isIP, isIPv6 } from 'node:net';
import type { SourceConfig, SourceType } from './sources/types.js';

export interface ConnectorConfig {
  file: string;
  registrationInterval: number;
  connectorPort: number;
  fqdn?: { host: string; port: number };
  region: string;
  dataDir: string;
  caFile: string;
  registrationToken?: string;
  cloudEvents: boolean;
  logFile: string;
  logMaxBytes: number;
  logKeep: number;
  spoolMaxBytes: number;
  spoolFullPolicy: 'block' | 'drop_oldest';
  blocklistDir: string;
  proxy?: string;
  hostname: string;
  sources: SourceConfig[];
}

export interface PropertyDoc {
  key: string;
  default: string;
  doc: string;
}

const DOCS: readonly PropertyDoc[] = [
  { key: 'registration_interval', default: '180', doc: 'seconds between registration refreshes (10–86400)' },
  { key: 'connector_port', default: '8989', doc: 'local REST API port (1–65535)' },
  { key: 'connector_fqdn', default: '(none)', doc: 'exchange host[:port], port default 443; needed to send events' },
  { key: 'region', default: 'local', doc: 'region label' },
  { key: 'data_dir', default: '<dir of connector.properties>/data', doc: 'state directory' },
  { key: 'ca_file', default: '<data_dir>/connectorCA.pem', doc: 'CA bundle that verifies the exchange' },
  { key: 'registration_token', default: '(none)', doc: 'one-time token to register with' },
  { key: 'cloud_events', default: 'on', doc: 'on|off|true|false|yes|no|1|0; off sends nothing' },
  { key: 'log_file', default: '<data_dir>/connector.log', doc: 'log file (logrus text format)' },
  { key: 'log_max_bytes', default: '10MiB', doc: 'rotate the log past this size (bytes, KB, MB, GB, KiB, MiB, GiB)' },
  { key: 'log_keep', default: '5', doc: 'rotated log files kept (0–100)' },
  { key: 'spool_max_bytes', default: '1GiB', doc: 'event spool size limit (bytes, KB, MB, GB, KiB, MiB, GiB)' },
  { key: 'spool_full_policy', default: 'block', doc: 'block | drop_oldest when the spool is full' },
  { key: 'blocklist_dir', default: '<data_dir>/blocklists', doc: 'where blocklists are written' },
  { key: 'proxy', default: '(none)', doc: 'http://host:port proxy for the exchange connection' },
  { key: 'hostname', default: '(os hostname)', doc: 'name shown in every log line' },
  { key: 'source.<name>.type', default: '(none)', doc: 'zmq | eve | snort3-json | unified2; name is [A-Za-z0-9_-]+' },
  { key: 'source.<name>.endpoint', default: '(none)', doc: 'zmq: ipc:///path.sock or tcp://host:port' },
  { key: 'source.<name>.path', default: '(none)', doc: 'eve, snort3-json: the file; unified2: directory + file prefix' },
];

/** For `--help`: `doc` already ends with the default, so a one-column listing is complete. */
export const PROPERTY_DOCS: readonly PropertyDoc[] = DOCS.map((d) =>
  d.default === '(none)' ? d : { ...d, doc: `${d.doc}; default ${d.default}` },
);

const TOP_KEYS = PROPERTY_DOCS.map((d) => d.key).filter((k) => !k.startsWith('source.'));
const SOURCE_ATTRS = ['type', 'endpoint', 'path'] as const;
const SOURCE_TYPES: readonly SourceType[] = ['zmq', 'eve', 'snort3-json', 'unified2'];
const SOURCE_NAME = /^[A-Za-z0-9_-]+$/;
const KIB = 1024;

/** A config problem; the message names file:line, the key, the bad value and what is allowed. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly key?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

interface PropertyRecord {
  key: string;
  value: string;
  line: number;
}

const WS = /^[ \t\f]+/;

function oddTrailingBackslashes(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

// Java's loadConvert: \uXXXX, \t \n \r \f, and any other escaped char stands for itself.
function unescape(raw: string, file: string, line: number): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = raw[++i];
    if (e === undefined) break;
    if (e === 'u') {
      const hex = raw.slice(i + 1, i + 5);
      if (!/^[0-9A-Fa-f]{4}$/.test(hex)) {
        throw new ConfigError(`${file}:${line}: malformed \\uXXXX escape "\\u${hex}" (needs 4 hex digits)`, file, line);
      }
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else {
      out += ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[e] ?? e;
    }
  }
  return out;
}

// Java's Properties.load: the key ends at the first unescaped '=', ':' or whitespace; whitespace
// and at most one '='/':' after it are skipped; the rest (trailing blanks included) is the value.
function splitKeyValue(logical: string): [string, string] {
  let keyEnd = 0;
  let valueStart = logical.length;
  let hasSep = false;
  let escaped = false;
  for (; keyEnd < logical.length; keyEnd++) {
    const c = logical[keyEnd];
    if (!escaped && (c === '=' || c === ':')) {
      valueStart = keyEnd + 1;
      hasSep = true;
      break;
    }
    if (!escaped && (c === ' ' || c === '\t' || c === '\f')) {
      valueStart = keyEnd + 1;
      break;
    }
    escaped = c === '\\' ? !escaped : false;
  }
  for (; valueStart < logical.length; valueStart++) {
    const c = logical[valueStart];
    if (c === ' ' || c === '\t' || c === '\f') continue;
    if (!hasSep && (c === '=' || c === ':')) {
      hasSep = true;
      continue;
    }
    break;
  }
  return [logical.slice(0, keyEnd), logical.slice(valueStart)];
}

function scanProperties(text: string, file: string): PropertyRecord[] {
  // A BOM (Windows editors) would otherwise become part of the first key.
  const natural = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const out: PropertyRecord[] = [];
  for (let i = 0; i < natural.length; i++) {
    let line = (natural[i] as string).replace(WS, '');
    if (line === '' || line[0] === '#' || line[0] === '!') continue;
    const start = i + 1;
    let logical = '';
    // A continued line drops its leading blanks; it is never a comment, and a blank one ends the entry.
    while (oddTrailingBackslashes(line)) {
      logical += line.slice(0, -1);
      if (++i >= natural.length) {
        line = '';
        break;
      }
      line = (natural[i] as string).replace(WS, '');
    }
    logical += line;
    if (logical === '') continue;
    const [k, v] = splitKeyValue(logical);
    out.push({ key: unescape(k, file, start), value: unescape(v, file, start), line: start });
  }
  return out;
}

/** java.util.Properties.load semantics; `lines` holds the 1-based line where each (last) entry starts. */
export function parseProperties(
  text: string,
  file = 'properties',
): { entries: Map<string, string>; lines: Map<string, number> } {
  const entries = new Map<string, string>();
  const lines = new Map<string, number>();
  for (const r of scanProperties(text, file)) {
    entries.set(r.key, r.value);
    lines.set(r.key, r.line);
  }
  return { entries, lines };
}

// Optimal string alignment distance: a swapped pair of letters counts as one typo.
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
  const at = (i: number, j: number): number => (d[i] as number[])[j] as number;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = v;
    }
  }
  return at(a.length, b.length);
}

function suggest(key: string): string | undefined {
  const candidates = [...TOP_KEYS];
  // `sourse.ids.type`, `source.ids.typ`: offer the source key with the same name.
  const m = /^[^.]+\.(.+)\.[^.]+$/.exec(key);
  if (m) for (const a of SOURCE_ATTRS) candidates.push(`source.${m[1]}.${a}`);
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = editDistance(key.toLowerCase(), c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

function parsePort(s: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 1 && n <= 65535 ? n : undefined;
}

function parseHostPort(v: string): { host: string; port: number } | undefined {
  const m = /^\[([^\]]+)\](?::([^:]*))?$/.exec(v) ?? /^([^:[\]]+)(?::([^:]*))?$/.exec(v);
  const host = m?.[1];
  if (!m || host === undefined) return undefined;
  const bracketed = v.startsWith('[');
  if (bracketed ? !isIPv6(host) : !(isIP(host) === 4 || HOST_NAME.test(host))) return undefined;
  const port = m[2] === undefined ? 443 : parsePort(m[2]);
  return port === undefined ? undefined : { host, port };
}

/** Bytes, or a number with K/KB/KiB, M/MB/MiB, G/GB/GiB (all 1024-based, as log4j reads them). */
export function parseSize(v: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*(?:([KMG])(?:i?B)?|B)?$/i.exec(v);
  if (!m) return undefined;
  const unit = { K: KIB, M: KIB ** 2, G: KIB ** 3 }[(m[2] ?? '').toUpperCase() as 'K' | 'M' | 'G'] ?? 1;
  const n = Math.floor(Number(m[1]) * unit);
  return n >= 1 && Number.isSafeInteger(n) ? n : undefined;
}

function parseZmqEndpoint(v: string, baseDir: string): string | undefined {
  if (v.startsWith('ipc://')) {
    const p = v.slice('ipc://'.length);
    return p === '' ? undefined : `ipc://${isAbsolute(p) ? p : resolve(baseDir, p)}`;
  }
  if (v.startsWith('tcp://')) {
    const m = /^tcp:\/\/(.+):([0-9]+)$/.exec(v);
    return m && parsePort(m[2] as string) !== undefined ? v : undefined;
  }
  return undefined;
}

export function connectorConfigFromText(
  text: string,
  file: string,
  baseDir: string = dirname(resolve(file)),
): { config: ConnectorConfig; warnings: string[] } {
  const records = scanProperties(text, file);
  const warnings: string[] = [];
  const entries = new Map<string, string>();
  const lines = new Map<string, number>();
  for (const r of records) {
    const first = lines.get(r.key);
    if (first !== undefined) warnings.push(`${file}:${r.line}: ${r.key} is set again (first on line ${first}); the last value wins`);
    entries.set(r.key, r.value);
    lines.set(r.key, r.line);
  }

  const fail = (key: string, value: string, problem: string): never => {
    const line = lines.get(key);
    throw new ConfigError(`${file}:${line ?? '?'}: ${key} = ${JSON.stringify(value)} ${problem}`, file, line, key);
  };
  // Values are trimmed: Java keeps trailing blanks, which only ever hide a typo in these keys.
  const get = (key: string): string | undefined => {
    const v = entries.get(key)?.trim();
    return v === '' ? undefined : v;
  };
  const int = (key: string, def: number, min: number, max: number, what: string): number => {
    const v = get(key);
    if (v === undefined) return def;
    const n = /^[0-9]+$/.test(v) ? Number(v) : NaN;
    return n >= min && n <= max ? n : fail(key, v, `is not ${what} (${min}–${max})`);
  };
  const size = (key: string, def: number): number => {
    const v = get(key);
    if (v === undefined) return def;
    return parseSize(v) ?? fail(key, v, 'is not a size (bytes, or a number with KB, MB, GB, KiB, MiB, GiB)');
  };
  const path = (key: string, def: string): string => {
    const v = get(key);
    return v === undefined ? def : resolve(baseDir, v);
  };

  const sources = new Map<string, { name: string; line: number; attrs: Map<string, string> }>();
  for (const [key, line] of lines) {
    if (TOP_KEYS.includes(key)) continue;
    const m = /^source\.(.+)\.([^.]+)$/.exec(key);
    const name = m?.[1];
    const attr = m?.[2] ?? '';
    if (m && name !== undefined && (SOURCE_ATTRS as readonly string[]).includes(attr)) {
      if (!SOURCE_NAME.test(name)) {
        throw new ConfigError(`${file}:${line}: ${key}: source name ${JSON.stringify(name)} is not allowed (letters, digits, _ and - only)`, file, line, key);
      }
      const s = sources.get(name) ?? { name, line, attrs: new Map<string, string>() };
      s.line = Math.min(s.line, line);
      const v = get(key);
      if (v !== undefined) s.attrs.set(attr, v);
      sources.set(name, s);
      continue;
    }
    const hint = suggest(key);
    warnings.push(`${file}:${line}: unknown key ${key} is ignored${hint ? `; did you mean ${hint}?` : ''}`);
  }

  const registrationInterval = int('registration_interval', 180, 10, 86400, 'a whole number of seconds');
  const connectorPort = int('connector_port', 8989, 1, 65535, 'a port');
  const fqdnText = get('connector_fqdn');
  const fqdn =
    fqdnText === undefined
      ? undefined
      : (parseHostPort(fqdnText) ??
        fail('connector_fqdn', fqdnText, 'is not host[:port] (e.g. api-sse.cisco.com or exchange.example.net:8443; no scheme, no path)'));

  const cloudText = get('cloud_events');
  let cloudEvents = true;
  if (cloudText !== undefined) {
    const v = cloudText.toLowerCase();
    if (['on', 'true', 'yes', '1'].includes(v)) cloudEvents = true;
    else if (['off', 'false', 'no', '0'].includes(v)) cloudEvents = false;
    else fail('cloud_events', cloudText, 'is not one of on, off, true, false, yes, no, 1, 0');
  }

  const policy = get('spool_full_policy') ?? 'block';
  if (policy !== 'block' && policy !== 'drop_oldest') fail('spool_full_policy', policy, 'is not one of block, drop_oldest');

  const proxy = get('proxy');
  if (proxy !== undefined) {
    let ok = false;
    try {
      const u = new URL(proxy);
      ok = u.protocol === 'http:' && u.hostname !== '' && (u.pathname === '/' || u.pathname === '');
    } catch {
      ok = false;
    }
    if (!ok) fail('proxy', proxy, 'is not a proxy URL (http://host:port)');
  }

  const hostname = get('hostname') ?? osHostname();
  // The name sits inside [..] in every log line; a blank or bracket would break log greps.
  if (!/^[^\s[\]]+$/.test(hostname)) fail('hostname', hostname, 'is not a host name (no spaces or brackets)');

  const dataDir = path('data_dir', join(baseDir, 'data'));
  const token = get('registration_token');
  const config: ConnectorConfig = {
    file: resolve(file),
    registrationInterval,
    connectorPort,
    ...(fqdn ? { fqdn } : {}),
    region: get('region') ?? 'local',
    dataDir,
    caFile: path('ca_file', join(dataDir, 'connectorCA.pem')),
    ...(token !== undefined ? { registrationToken: token } : {}),
    cloudEvents,
    logFile: path('log_file', join(dataDir, 'connector.log')),
    logMaxBytes: size('log_max_bytes', 10 * KIB ** 2),
    logKeep: int('log_keep', 5, 0, 100, 'a count of rotated files'),
    spoolMaxBytes: size('spool_max_bytes', KIB ** 3),
    spoolFullPolicy: policy as 'block' | 'drop_oldest',
    blocklistDir: path('blocklist_dir', join(dataDir, 'blocklists')),
    ...(proxy !== undefined ? { proxy } : {}),
    hostname,
    sources: [...sources.values()].sort((a, b) => a.line - b.line).map((s) => buildSource(s, file, baseDir, warnings, fail)),
  };
  return { config, warnings };
}

function buildSource(
  s: { name: string; line: number; attrs: Map<string, string> },
  file: string,
  baseDir: string,
  warnings: string[],
  fail: (key: string, value: string, problem: string) => never,
): SourceConfig {
  const k = (a: string): string => `source.${s.name}.${a}`;
  const allowed = SOURCE_TYPES.join(', ');
  const type = s.attrs.get('type');
  if (type === undefined) {
    throw new ConfigError(`${file}:${s.line}: source ${s.name} has no ${k('type')} (one of ${allowed})`, file, s.line, k('type'));
  }
  if (!(SOURCE_TYPES as readonly string[]).includes(type)) fail(k('type'), type, `is not one of ${allowed}`);
  const endpoint = s.attrs.get('endpoint');
  const path = s.attrs.get('path');
  if (type === 'zmq') {
    if (endpoint === undefined) fail(k('type'), type, `needs ${k('endpoint')} (ipc:///path.sock or tcp://host:port)`);
    const ep = parseZmqEndpoint(endpoint as string, baseDir);
    if (ep === undefined) fail(k('endpoint'), endpoint as string, 'is not a ZeroMQ endpoint (ipc:///path.sock or tcp://host:port)');
    if (path !== undefined) warnings.push(`${file}:${s.line}: ${k('path')} is ignored for type zmq`);
    return { name: s.name, type: 'zmq', endpoint: ep as string };
  }
  if (path === undefined) fail(k('type'), type, `needs ${k('path')} (the file to read)`);
  if (endpoint !== undefined) warnings.push(`${file}:${s.line}: ${k('endpoint')} is ignored for type ${type}`);
  return { name: s.name, type: type as SourceType, path: resolve(baseDir, path as string) };
}

export function loadConnectorConfig(file: string): { config: ConnectorConfig; warnings: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(`${file}: cannot read the connector config: ${e.code ?? e.message}`, file);
  }
  return connectorConfigFromText(text, file);
}
