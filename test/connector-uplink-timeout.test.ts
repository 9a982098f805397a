// The eventing WebSocket's handshake timer, over real sockets: a connect whose SYNs go
// unanswered must log the note's `dial tcp IP:PORT: getsockopt: connection timed out` (what
// `grep "connection timed out" connector.log` and the doctor look for), and a connection that
// is made but whose TLS or HTTP upgrade never gets an answer must say that instead — not ws's
// "Opening handshake has timed out" for both.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { webcrypto } from 'node:crypto';
import { Uplink } from '../src/connector/uplink/uplink.js';
import { goErrorText } from '../src/connector/log.js';
import { explainMessage } from '../src/doctor/log/explain.js';
import { EC_KEY_ALG, EC_SIGN_ALG, exportPkcs8Pem, x509 } from '../src/pki/x509.js';
import type { Spool } from '../src/connector/spool/types.js';
import type { Credentials } from '../src/connector/uplink/credentials.js';

const closers: Array<() => void> = [];
after(() => { for (const c of closers.reverse()) c(); });

async function selfSigned(): Promise<{ certPem: string; keyPem: string }> {
  const keys = await webcrypto.subtle.generateKey(EC_KEY_ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: [{ CN: ['127.0.0.1'] }], keys, signingAlgorithm: EC_SIGN_ALG,
    notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000),
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }])],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportPkcs8Pem(keys.privateKey) };
}
const pki = await selfSigned();

/** Connects to `port` until the handshake timer fires once; the error line it logged. */
async function firstConnectError(port: number): Promise<{ line: string; lastError: string | undefined }> {
  const errors: string[] = [];
  let got: () => void = () => {};
  const logged = new Promise<void>((r) => (got = r));
  const creds = {
    key: pki.keyPem, cert: pki.certPem, ca: pki.certPem,
    registration: { endpoints: { eventing: `wss://127.0.0.1:${port}/events` } },
  } as unknown as Credentials;
  const up = new Uplink({
    // Never read: the socket does not get that far.
    spool: {} as Spool,
    credentials: () => creds,
    log: { info() {}, warn() {}, error: (_site, msg) => { errors.push(msg); got(); } },
    // As connector.ts words it.
    describeError: (err, url) => goErrorText(err as NodeJS.ErrnoException, { host: url.hostname, port: Number(url.port || 443) }),
    status: () => ({}) as never,
    onControl: async () => ({ status: 'ok' }),
    onRevoked: () => {},
    heartbeatSeconds: 60,
    handshakeTimeoutMs: 700,
  });
  up.start();
  await logged;
  const lastError = up.status().last_error?.message;
  await up.stop(0);
  return { line: errors[0]!, lastError };
}

/** A listening socket whose accept queue is full: the kernel drops further SYNs, as a firewall
 * would (no root needed). Its process blocks its event loop so it never accepts. */
async function fullBacklog(): Promise<number> {
  const child: ChildProcess = spawn(process.execPath, ['-e', `
    const s = require('node:net').createServer();
    s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      process.stdout.write(s.address().port + '\\n');
      setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0), 50);
    });`], { stdio: ['ignore', 'pipe', 'inherit'] });
  closers.push(() => child.kill('SIGKILL'));
  const port = await new Promise<number>((r) => child.stdout!.once('data', (d) => r(Number(String(d).trim()))));
  await new Promise((r) => setTimeout(r, 200));
  // Two connections fill a backlog of 1 (the kernel queues backlog + 1); they stay open.
  for (let i = 0; i < 2; i++) {
    const s = net.connect({ port, host: '127.0.0.1' });
    await new Promise<void>((res, rej) => s.once('connect', res).once('error', rej));
    closers.push(() => s.destroy());
  }
  return port;
}

async function listening(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

test('SYNs unanswered: the note\'s "dial tcp IP:PORT: getsockopt: connection timed out", which the doctor reads as egress blocked', async () => {
  const port = await fullBacklog();
  const { line, lastError } = await firstConnectError(port);
  assert.equal(line, `dial tcp 127.0.0.1:${port}: getsockopt: connection timed out`);
  assert.equal(lastError, line);
  assert.equal(explainMessage(line)?.signature, 'dial_timeout');
});

test('TCP accepted, TLS never answered: a read timeout on the connection, not a dial timeout', async () => {
  const held: net.Socket[] = [];
  const port = await listening(net.createServer((s) => held.push(s)));
  closers.push(() => held.forEach((s) => s.destroy()));
  const { line } = await firstConnectError(port);
  assert.match(line, new RegExp(`^read tcp 127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:${port}: i/o timeout$`));
  assert.doesNotMatch(line, /connection timed out|Opening handshake/);
  const why = explainMessage(line);
  assert.equal(why?.signature, 'handshake_timeout');
  assert.match(why!.meaning, /TCP connects .* succeed/);
});

test('TLS done, the WebSocket upgrade never answered: worded as the same read timeout', async () => {
  const held: net.Socket[] = [];
  const server = tls.createServer({ key: pki.keyPem, cert: pki.certPem }, (s) => held.push(s));
  const port = await listening(server);
  closers.push(() => held.forEach((s) => s.destroy()));
  const { line } = await firstConnectError(port);
  assert.match(line, new RegExp(`^read tcp 127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:${port}: i/o timeout$`));
  assert.equal(explainMessage(line)?.signature, 'handshake_timeout');
});
