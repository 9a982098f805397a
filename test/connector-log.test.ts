import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { webcrypto } from 'node:crypto';
import { ExchangeCa } from '../src/exchange/pki/ca.js';
import { EC_KEY_ALG, EC_SIGN_ALG, exportPkcs8Pem, x509 } from '../src/pki/x509.js';
import {
  ConnectorLog,
  SITES,
  formatLogTime,
  goErrorText,
  goQuote,
  zmqEndpointMissing,
  type NetErrorLike,
} from '../src/connector/log.js';

const LINE = /^time="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}([+-]\d\d:\d\d|Z)" level=(error|info|warning|debug|fatal) msg="\[[^\]]+\]\[[^ \]]+:\d+ [^\]]+\] .*"$/;
const NOTE_HOST = 'firepower.cisco.com';
const ZMQ_ENDPOINT = 'ipc:///ngfw/var/sf/run/EventHandler_SSEConnector.sock';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tl-log-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const readLines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter(Boolean);

function newLog(name: string, extra: Partial<ConstructorParameters<typeof ConnectorLog>[0]> = {}): ConnectorLog {
  return new ConnectorLog({ file: join(dir, name, 'connector.log'), hostname: NOTE_HOST, maxBytes: 1 << 20, keep: 5, ...extra });
}

// A plain self-signed server certificate (what a lab exchange without our CA would present).
async function selfSignedServerCert(name: string): Promise<{ certPem: string; keyPem: string }> {
  const keys = await webcrypto.subtle.generateKey(EC_KEY_ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: [{ CN: [name] }],
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    keys,
    signingAlgorithm: EC_SIGN_ALG,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: name }])],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportPkcs8Pem(keys.privateKey) };
}

function errnoError(code: string, fields: Record<string, unknown> = {}): NetErrorLike {
  return Object.assign(new Error(`connect ${code}`), { code, ...fields });
}

describe('connector.log format', () => {
  it("the note's connectWebSocket line, byte for byte after the time", () => {
    const log = newLog('note');
    const err = errnoError('ETIMEDOUT', { address: '18.205.49.246', port: 443, syscall: 'connect' });
    log.error(SITES.connectWebSocket, goErrorText(err, { host: 'eventing-ingest.sse.itd.cisco.com', port: 443 }));
    // Read before close: each line is on disk as soon as log() returns.
    const [line] = readLines(log.file);
    log.close();
    assert.match(line ?? '', LINE);
    assert.ok(
      line?.endsWith(
        ' level=error msg="[firepower.cisco.com][events.go:90 events:connectWebSocket] dial tcp 18.205.49.246:443: getsockopt: connection timed out"',
      ),
      line,
    );
  });

  it("the note's ZeroMQ line: inner quotes escaped, Go's trailing newline as a literal \\n", () => {
    const log = newLog('zmq');
    log.error(SITES.zmqStart, zmqEndpointMissing(ZMQ_ENDPOINT));
    log.close();
    const [line] = readLines(log.file);
    assert.match(line ?? '', LINE);
    assert.ok(
      line?.endsWith(
        ' level=error msg="[firepower.cisco.com][service.go:112 (*Service). Start] Could not connect to ZeroMQ PUSH endpoint: ' +
          'could not dial to \\"ipc:///ngfw/var/sf/run/EventHandler_SSEConnector.sock\\": ' +
          'dial unix /ngfw/var/sf/run/EventHandler_SSEConnector.sock: connect: no such file or directory\\n"',
      ),
      line,
    );
    assert.equal(
      zmqEndpointMissing('ipc:///path.sock'),
      'Could not connect to ZeroMQ PUSH endpoint: could not dial to "ipc:///path.sock": dial unix /path.sock: connect: no such file or directory\n',
    );
  });

  it('every site and level renders in the format; warn writes level=warning; below-level lines are dropped', () => {
    const log = newLog('levels', { level: 'info' });
    for (const site of Object.values(SITES)) log.info(site, 'x');
    log.warn(SITES.spoolFull, 'spool full');
    log.debug(SITES.heartbeat, 'not written');
    log.log('fatal', SITES.shutdown, 'bye');
    log.close();
    const lines = readLines(log.file);
    assert.equal(lines.length, Object.keys(SITES).length + 2);
    for (const l of lines) assert.match(l, LINE);
    assert.match(lines.at(-2) ?? '', / level=warning msg="\[firepower\.cisco\.com\]\[spool\.go:\d+ spool:full\] spool full"$/);
    assert.match(lines.at(-1) ?? '', / level=fatal /);
    assert.ok(!lines.some((l) => l.includes('not written')));
  });

  it('time: local, 9 digits, numeric offset, Z at UTC', () => {
    const saved = process.env.TZ;
    const ns = BigInt(Date.parse('2020-04-13T19:34:02.884Z')) * 1_000_000n + 720_460n;
    try {
      process.env.TZ = 'America/Chicago';
      assert.equal(formatLogTime(ns), '2020-04-13T14:34:02.884720460-05:00');
      process.env.TZ = 'Asia/Kolkata';
      assert.equal(formatLogTime(ns), '2020-04-14T01:04:02.884720460+05:30');
      process.env.TZ = 'UTC';
      assert.equal(formatLogTime(ns), '2020-04-13T19:34:02.884720460Z');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('msg is quoted like Go strconv.Quote', () => {
    assert.equal(goQuote('say "hi" \\ ok'), '"say \\"hi\\" \\\\ ok"');
    assert.equal(goQuote('a\nb\tc\r\x07\b\f\v'), '"a\\nb\\tc\\r\\a\\b\\f\\v"');
    assert.equal(goQuote('esc\x1b del\x7f nul\x00'), '"esc\\x1b del\\x7f nul\\x00"');
    assert.equal(goQuote('nbsp\u00a0 c1\u0085 zw\u200b'), '"nbsp\\u00a0 c1\\u0085 zw\\u200b"');
    assert.equal(goQuote('été 日本 🙂'), '"été 日本 🙂"');
    assert.equal(goQuote('tag\u{e0001}'), '"tag\\U000e0001"');
    const log = newLog('escape');
    log.error(SITES.control, 'bad "msg"\nsecond line');
    log.close();
    const [line] = readLines(log.file);
    assert.match(line ?? '', LINE);
    assert.ok(line?.endsWith('[control.go:84 control:handleMessage] bad \\"msg\\"\\nsecond line"'), line);
  });

  it('rotation keeps `keep` files, each within maxBytes, newest in connector.log', () => {
    const log = newLog('rotate', { maxBytes: 400, keep: 3 });
    for (let i = 0; i < 60; i++) log.info(SITES.spool, `batch ${String(i).padStart(3, '0')}`);
    log.close();
    const names = readdirSync(join(dir, 'rotate')).sort();
    assert.deepEqual(names, ['connector.log', 'connector.log.1', 'connector.log.2', 'connector.log.3']);
    for (const n of names) assert.ok(statSync(join(dir, 'rotate', n)).size <= 400, n);
    const current = readLines(log.file);
    const previous = readLines(`${log.file}.1`);
    assert.ok(current.at(-1)?.endsWith('batch 059"'));
    // .1 ends right where connector.log begins: nothing lost between them.
    const num = (l: string | undefined): number => Number(/batch (\d+)"$/.exec(l ?? '')?.[1]);
    assert.equal(num(previous.at(-1)) + 1, num(current[0]));
    assert.equal(num(readLines(`${log.file}.2`).at(-1)) + 1, num(previous[0]));
  });

  it('keep = 0 starts a fresh file and keeps none', () => {
    const log = newLog('keep0', { maxBytes: 300, keep: 0 });
    for (let i = 0; i < 20; i++) log.info(SITES.heartbeat, `beat ${i}`);
    log.close();
    assert.deepEqual(readdirSync(join(dir, 'keep0')), ['connector.log']);
    assert.ok(readFileSync(log.file, 'utf8').endsWith('beat 19"\n'));
  });

  it('appends to an existing log across restarts', () => {
    const a = newLog('restart');
    a.info(SITES.start, 'first run');
    a.close();
    const b = newLog('restart');
    b.info(SITES.start, 'second run');
    b.close();
    assert.equal(readLines(b.file).length, 2);
    assert.ok(!existsSync(`${b.file}.1`));
  });
});

// Capture the error a real client sees.
function connectError(connect: () => net.Socket): Promise<NetErrorLike> {
  return new Promise((resolve, reject) => {
    const s = connect();
    s.on('error', (e) => resolve(e as NetErrorLike));
    s.on('secureConnect', () => reject(new Error('connected unexpectedly')));
    s.on('close', () => setTimeout(() => reject(new Error('closed without error')), 50));
  });
}

describe('goErrorText from real errors', () => {
  let ca: ExchangeCa;
  let tlsServer: tls.Server;
  let selfSigned: tls.Server;
  const ports = { tls: 0, self: 0 };

  before(async () => {
    const caDir = join(dir, 'ca');
    ca = await ExchangeCa.loadOrCreate(caDir);
    const leaf = await ca.issueServerCert(['exchange.example.net', 'api.example.net', '127.0.0.1']);
    tlsServer = tls.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (s) => s.end());
    const self = await selfSignedServerCert('exchange.example.net');
    selfSigned = tls.createServer({ cert: self.certPem, key: self.keyPem }, (s) => s.end());
    for (const [srv, k] of [[tlsServer, 'tls'], [selfSigned, 'self']] as const) {
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      ports[k] = (srv.address() as AddressInfo).port;
    }
  });
  after(() => {
    tlsServer.close();
    selfSigned.close();
  });

  it('ECONNREFUSED on a closed loopback port', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const { port } = srv.address() as AddressInfo;
    await new Promise((r) => srv.close(r));
    const err = await connectError(() => net.connect(port, '127.0.0.1'));
    assert.equal(err.code, 'ECONNREFUSED');
    assert.equal(goErrorText(err, { host: '127.0.0.1', port }), `dial tcp 127.0.0.1:${port}: connect: connection refused`);
  });

  it('ENOTFOUND for nonexistent.invalid', async () => {
    const err = await connectError(() => net.connect(443, 'nonexistent.invalid'));
    assert.ok(['ENOTFOUND', 'EAI_AGAIN'].includes(err.code ?? ''), err.code);
    assert.equal(goErrorText(err, { host: 'nonexistent.invalid', port: 443 }), 'dial tcp: lookup nonexistent.invalid: no such host');
  });

  it('ECONNRESET when the server resets', async () => {
    const srv = net.createServer((s) => s.resetAndDestroy());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const { port } = srv.address() as AddressInfo;
    try {
      const err = await connectError(() => net.connect(port, '127.0.0.1').on('connect', function (this: net.Socket) { this.write('x'); }));
      assert.equal(err.code, 'ECONNRESET');
      assert.equal(goErrorText(err, { host: '127.0.0.1', port }), `read tcp 127.0.0.1:${port}: read: connection reset by peer`);
      assert.equal(
        goErrorText(err, { host: '127.0.0.1', port, localAddress: '10.0.0.2:53426' }),
        `read tcp 10.0.0.2:53426->127.0.0.1:${port}: read: connection reset by peer`,
      );
    } finally {
      srv.close();
    }
  });

  it('a cert from a CA we do not trust: unknown authority', async () => {
    const err = await connectError(() => tls.connect({ port: ports.tls, host: '127.0.0.1', servername: 'exchange.example.net' }));
    assert.equal(err.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.equal(goErrorText(err, { host: 'exchange.example.net', port: 443 }), 'x509: certificate signed by unknown authority');
  });

  it('a self-signed server cert: unknown authority', async () => {
    const err = await connectError(() => tls.connect({ port: ports.self, host: '127.0.0.1', servername: 'exchange.example.net' }));
    assert.equal(err.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.equal(goErrorText(err, { host: 'exchange.example.net', port: 443 }), 'x509: certificate signed by unknown authority');
  });

  it('a trusted cert for other names: "certificate is valid for …, not HOST"', async () => {
    const err = await connectError(() =>
      tls.connect({ port: ports.tls, host: '127.0.0.1', servername: 'wrong.example.net', ca: ca.certPem }),
    );
    assert.equal(err.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.equal(
      goErrorText(err, { host: 'wrong.example.net', port: 443 }),
      'x509: certificate is valid for exchange.example.net, api.example.net, not wrong.example.net',
    );
  });

  it('synthesized: timeout, unreachable, expired, TLS alerts, happy-eyeballs aggregate', () => {
    const op = { host: 'eventing-ingest.sse.itd.cisco.com', port: 443 };
    assert.equal(goErrorText(errnoError('ETIMEDOUT'), { ...op, resolvedIp: '100.25.93.234' }), 'dial tcp 100.25.93.234:443: getsockopt: connection timed out');
    assert.equal(goErrorText(errnoError('ETIMEDOUT', { address: '2001:db8::1', port: 443 }), op), 'dial tcp [2001:db8::1]:443: getsockopt: connection timed out');
    assert.equal(goErrorText(errnoError('EHOSTUNREACH', { address: '10.9.9.9', port: 443 }), op), 'dial tcp 10.9.9.9:443: connect: no route to host');
    assert.equal(goErrorText(errnoError('ENETUNREACH', { address: '10.9.9.9', port: 443 }), op), 'dial tcp 10.9.9.9:443: connect: network is unreachable');
    assert.equal(goErrorText(errnoError('CERT_HAS_EXPIRED'), op), 'x509: certificate has expired or is not yet valid');
    assert.equal(goErrorText(errnoError('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), op), 'remote error: tls: certificate required');
    const agg = Object.assign(new AggregateError([errnoError('ECONNREFUSED', { address: '::1', port: 8443 }), errnoError('ECONNREFUSED', { address: '127.0.0.1', port: 8443 })]), { code: 'ECONNREFUSED' });
    assert.equal(goErrorText(agg as NetErrorLike, { host: 'localhost', port: 8443 }), 'dial tcp [::1]:8443: connect: connection refused');
    assert.equal(goErrorText(Object.assign(new Error('weird'), { code: 'EWEIRD' }), op), 'weird');
  });
});
