// connector.log in the logrus text format Cisco's SSEConnector writes, byte-compatible with the
// lines the troubleshooting note quotes, so engineers' greps keep working:
//   time="2020-04-13T14:34:02.88472046-05:00" level=error msg="[firepower.cisco.com][events.go:90 events:connectWebSocket] dial tcp 18.205.49.246:443: getsockopt: connection timed out"
// The log is written per batch or per failure, never per event, so each line is a plain
// writeSync on an fd opened for append: what was logged survives a kill -9.
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isIPv6 } from 'node:net';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error' | 'fatal';
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warning: 2, error: 3, fatal: 4 };

/** Where a line comes from, rendered `[file:line fn]`, e.g. `[events.go:90 events:connectWebSocket]`. */
export interface LogSite {
  file: string;
  line: number;
  fn: string;
}

// Fixed sites. They are stable identifiers, not our source lines: alerts and greps key on them.
// The two the note quotes are kept byte-for-byte (including the note's "(*Service). Start").
export const SITES = Object.freeze({
  connectWebSocket: { file: 'events.go', line: 90, fn: 'events:connectWebSocket' },
  zmqStart: { file: 'service.go', line: 112, fn: '(*Service). Start' },
  start: { file: 'service.go', line: 64, fn: '(*Service).Start' },
  shutdown: { file: 'service.go', line: 180, fn: '(*Service).Stop' },
  config: { file: 'config.go', line: 40, fn: 'config:Load' },
  register: { file: 'registration.go', line: 77, fn: 'registration:register' },
  registrationRefresh: { file: 'registration.go', line: 132, fn: 'registration:refresh' },
  enroll: { file: 'enroll.go', line: 58, fn: 'enroll:simpleEnroll' },
  renew: { file: 'enroll.go', line: 121, fn: 'enroll:renewCertificate' },
  heartbeat: { file: 'heartbeat.go', line: 45, fn: 'heartbeat:send' },
  eventsSend: { file: 'events.go', line: 142, fn: 'events:sendBatch' },
  spool: { file: 'spool.go', line: 88, fn: 'spool:append' },
  spoolFull: { file: 'spool.go', line: 131, fn: 'spool:full' },
  spoolDropOldest: { file: 'spool.go', line: 157, fn: 'spool:dropOldest' },
  // Generic source site, for a source with no kind-specific one.
  source: { file: 'sources.go', line: 50, fn: 'sources:run' },
  sourceZmq: { file: 'zmq.go', line: 73, fn: 'zmq:receive' },
  sourceEve: { file: 'eve.go', line: 66, fn: 'eve:tail' },
  sourceSnort3Json: { file: 'snort3.go', line: 61, fn: 'snort3:tail' },
  sourceUnified2: { file: 'unified2.go', line: 95, fn: 'unified2:read' },
  localApi: { file: 'api.go', line: 52, fn: 'api:listen' },
  localApiRequest: { file: 'api.go', line: 118, fn: 'api:handle' },
  control: { file: 'control.go', line: 84, fn: 'control:handleMessage' },
  cloudEvents: { file: 'control.go', line: 139, fn: 'control:cloudEvents' },
  blocklist: { file: 'blocklist.go', line: 47, fn: 'blocklist:write' },
} satisfies Record<string, LogSite>);

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const NAMED: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };

/** Go's strconv.Quote (what logrus's %q does): so a Go error text with a newline ends in a literal \n. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    const named = NAMED[ch];
    if (named) out += named;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    // A lone surrogate has no UTF-8 form; Go would have seen U+FFFD after transcoding.
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\ufffd';
    else if (PRINTABLE.test(ch)) out += ch;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

let lastNs = 0n;
/** Wall-clock nanoseconds: Date.now() for the milliseconds, hrtime for the digits below. */
function nowNs(): bigint {
  const ms = BigInt(Date.now());
  let ns = ms * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
  // Within one millisecond keep lines in order; a clock stepped back is reported as it is.
  if (ns <= lastNs && lastNs / 1_000_000n === ms) ns = lastNs + 1n;
  lastNs = ns;
  return ns;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * Local time, 9 fractional digits, numeric offset; `Z` at offset 0 as Go does. (Go's RFC3339Nano
 * trims trailing zeros — the note's first line has 8 digits; we always write 9, fixed width.)
 */
export function formatLogTime(ns: bigint): string {
  const d = new Date(Number(ns / 1_000_000n));
  const frac = (((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n).toString().padStart(9, '0');
  const off = -d.getTimezoneOffset();
  const tz = off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  const date = `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return `${date}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${frac}${tz}`;
}

/** One line, without the newline. */
export function formatLogLine(level: LogLevel, hostname: string, site: LogSite, msg: string, ns: bigint = nowNs()): string {
  const text = `[${hostname}][${site.file}:${site.line} ${site.fn}] ${msg}`;
  return `time="${formatLogTime(ns)}" level=${level} msg=${goQuote(text)}`;
}

export interface ConnectorLogOptions {
  file: string;
  hostname: string;
  maxBytes: number;
  keep: number;
  level?: 'debug' | 'info' | 'warning' | 'error';
  /** Also write each line to stderr (foreground runs, service managers that capture stderr). */
  echo?: boolean;
}

export class ConnectorLog {
  readonly file: string;
  readonly #hostname: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  readonly #level: LogLevel;
  readonly #echo: boolean;
  #fd: number | null = null;
  #size = 0;
  #failing = false;

  constructor(opts: ConnectorLogOptions) {
    if (!(opts.maxBytes > 0)) throw new Error(`ConnectorLog: maxBytes must be > 0, got ${opts.maxBytes}`);
    if (!Number.isInteger(opts.keep) || opts.keep < 0) throw new Error(`ConnectorLog: keep must be an integer >= 0, got ${opts.keep}`);
    this.file = opts.file;
    this.#hostname = opts.hostname;
    this.#maxBytes = opts.maxBytes;
    this.#keep = opts.keep;
    this.#level = opts.level ?? 'info';
    this.#echo = opts.echo ?? false;
    mkdirSync(dirname(this.file), { recursive: true });
    this.#open();
  }

  #open(): void {
    this.#fd = openSync(this.file, 'a', 0o640);
    this.#size = fstatSync(this.#fd).size;
  }

  log(level: LogLevel, site: LogSite, msg: string): void {
    if (RANK[level] < RANK[this.#level]) return;
    const line = `${formatLogLine(level, this.#hostname, site, msg)}\n`;
    if (this.#echo) process.stderr.write(line);
    if (this.#fd === null) return;
    const buf = Buffer.from(line, 'utf8');
    try {
      // A line longer than maxBytes still goes in whole, alone in a fresh file.
      if (this.#size > 0 && this.#size + buf.length > this.#maxBytes) this.#rotate();
      if (this.#fd === null) this.#open();
      let off = 0;
      while (off < buf.length) off += writeSync(this.#fd as number, buf, off);
      this.#size += buf.length;
      this.#failing = false;
    } catch (err) {
      // A full disk must not take the connector down; say so once, not once per line.
      if (!this.#failing) process.stderr.write(`connector log ${this.file}: ${(err as Error).message}\n`);
      this.#failing = true;
    }
  }

  debug(site: LogSite, msg: string): void {
    this.log('debug', site, msg);
  }
  info(site: LogSite, msg: string): void {
    this.log('info', site, msg);
  }
  warn(site: LogSite, msg: string): void {
    this.log('warning', site, msg);
  }
  error(site: LogSite, msg: string): void {
    this.log('error', site, msg);
  }

  /** connector.log → .1 → .2 … → .keep (the oldest is deleted), then a fresh connector.log. */
  #rotate(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    const dir = dirname(this.file);
    const base = basename(this.file);
    // Anything numbered keep or above goes, including leftovers from an earlier, larger keep.
    for (const name of readdirSync(dir)) {
      const m = name.startsWith(`${base}.`) ? /^[0-9]+$/.exec(name.slice(base.length + 1)) : null;
      if (m && Number(m[0]) >= Math.max(this.#keep, 1)) rmSync(join(dir, name), { force: true });
    }
    for (let i = this.#keep - 1; i >= 1; i--) {
      try {
        renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    if (this.#keep > 0) renameSync(this.file, `${this.file}.1`);
    else rmSync(this.file, { force: true });
    this.#open();
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}

/** Fields Node puts on network and TLS errors (net, dns, tls), beyond ErrnoException. */
export type NetErrorLike = NodeJS.ErrnoException & {
  address?: string;
  port?: number;
  hostname?: string;
  host?: string;
  localAddress?: string;
  localPort?: number;
  cert?: { subjectaltname?: string; subject?: { CN?: string | string[] } };
  errors?: unknown[];
};

const goHostPort = (host: string, port: number): string => (isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`);

/** A read deadline passed on a connected socket (Go's "i/o timeout"), not the kernel's ETIMEDOUT. */
export const READ_DEADLINE = 'ERR_READ_DEADLINE';

const UNKNOWN_AUTHORITY = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

// TLS alerts the exchange sends back (e.g. it rejects our client certificate), as Go words them.
const TLS_ALERTS: Record<string, string> = {
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'remote error: tls: handshake failure',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'remote error: tls: bad certificate',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'remote error: tls: expired certificate',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'remote error: tls: unknown certificate authority',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'remote error: tls: certificate required',
  ERR_SSL_WRONG_VERSION_NUMBER: 'tls: first record does not look like a TLS handshake',
};

// Go's HostnameError text: the names the certificate does carry, then the one we asked for.
function hostnameMismatch(err: NetErrorLike, wanted: string): string {
  const sans = (err.cert?.subjectaltname ?? '').split(/,\s*/).filter(Boolean);
  if (isIPv6(wanted) || /^[0-9.]+$/.test(wanted)) {
    const ips = sans.filter((s) => s.startsWith('IP Address:')).map((s) => s.slice('IP Address:'.length));
    if (ips.length === 0) return `x509: cannot validate certificate for ${wanted} because it doesn't contain any IP SANs`;
    return `x509: certificate is valid for ${ips.join(', ')}, not ${wanted}`;
  }
  const dns = sans.filter((s) => s.startsWith('DNS:')).map((s) => s.slice('DNS:'.length));
  if (dns.length === 0) return `x509: certificate is not valid for any names, but wanted to match ${wanted}`;
  return `x509: certificate is valid for ${dns.join(', ')}, not ${wanted}`;
}

/**
 * Words a Node network error as Go's net/tls packages do, so the note's greps
 * ("getsockopt: connection timed out", "x509: certificate signed by unknown authority") match.
 */
export function goErrorText(
  err: NetErrorLike,
  op: { host: string; port: number; resolvedIp?: string; localAddress?: string },
): string {
  // Happy-eyeballs connects fail with an AggregateError; Go reports the first attempt's error.
  const first = Array.isArray(err.errors) ? (err.errors[0] as NetErrorLike | undefined) : undefined;
  const e: NetErrorLike = first && typeof first === 'object' ? { ...first, code: first.code ?? err.code } : err;
  const ip = op.resolvedIp ?? e.address ?? op.host;
  const addr = goHostPort(ip, e.port ?? op.port);
  const code = e.code ?? '';
  const local = op.localAddress ?? (e.localAddress && e.localPort ? goHostPort(e.localAddress, e.localPort) : undefined);
  if (UNKNOWN_AUTHORITY.has(code)) return 'x509: certificate signed by unknown authority';
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return 'x509: certificate has expired or is not yet valid';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return hostnameMismatch(e, e.host ?? op.host);
  const alert = TLS_ALERTS[code];
  if (alert) return alert;
  switch (code) {
    case 'ETIMEDOUT':
    case 'ERR_SOCKET_CONNECTION_TIMEOUT':
      return `dial tcp ${addr}: getsockopt: connection timed out`;
    case READ_DEADLINE:
      return `read tcp ${local ? `${local}->` : ''}${addr}: i/o timeout`;
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    // Go's wording for a failed lookup; Go's resolver-specific texts for EAI_AGAIN vary by
    // build (cgo vs pure Go), so both say "no such host", which is what engineers grep for.
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `dial tcp: lookup ${e.hostname ?? op.host}: no such host`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ECONNRESET':
      return `read tcp ${local ? `${local}->` : ''}${addr}: read: connection reset by peer`;
    case 'EPIPE':
      return `write tcp ${local ? `${local}->` : ''}${addr}: write: broken pipe`;
    default:
      // Unmapped: keep Node's own text rather than guess at Go's.
      return e.message || err.message || code;
  }
}

/** The note's ZeroMQ failure, newline included (Go's error text had one; the log escapes it as \n). */
export function zmqEndpointMissing(endpoint: string): string {
  const detail = endpoint.startsWith('ipc://')
    ? `dial unix ${endpoint.slice('ipc://'.length)}: connect: no such file or directory`
    : `dial tcp ${endpoint.replace(/^tcp:\/\//, '')}: connect: connection refused`;
  return `Could not connect to ZeroMQ PUSH endpoint: could not dial to ${goQuote(endpoint)}: ${detail}\n`;
}

/**
 * The local API could not listen on connector_port, as Go's net.Listen words it, naming the key
 * to change: without this line connector.log ends at "starting" and says nothing of why.
 */
export function localApiListenFailed(port: number, err: NetErrorLike, host = '127.0.0.1'): string {
  const addr = goHostPort(host, port);
  const why = err.code === 'EADDRINUSE' ? `listen tcp ${addr}: bind: address already in use`
    : err.code === 'EACCES' ? `listen tcp ${addr}: bind: permission denied`
    : err.code === 'EADDRNOTAVAIL' ? `listen tcp ${addr}: bind: cannot assign requested address`
    : `listen tcp ${addr}: ${err.message}`;
  const hint = err.code === 'EADDRINUSE' ? ': another program holds the port; stop it or set another connector_port in connector.properties' : '';
  return `local API cannot listen on connector_port ${port}: ${why}${hint}`;
}
