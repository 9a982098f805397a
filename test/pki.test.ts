import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { ExchangeCa } from '../src/exchange/pki/ca.js';
import {
  certInfo,
  certsFromPkcs7,
  csrDerBase64,
  csrPemFromDerBase64,
  fingerprint,
  generateKeyAndCsr,
  pkcs7CertsOnly,
} from '../src/pki/x509.js';

const DEVICE_ID = 'dev-7f3a9c';

interface Handshake {
  clientAuthorized: boolean;
  clientError: Error | null;
  serverAuthorized: boolean | null;
  serverPeerCn: string | null;
  serverError: Error | null;
}

// One mutual-TLS round trip. The client trusts `caPem` for the server; the server demands a
// client cert issued by `clientCaPem` (the same CA unless a test says otherwise).
async function handshake(
  server: { certPem: string; keyPem: string },
  caPem: string,
  client: { certPem: string; keyPem: string },
  clientCaPem = caPem,
): Promise<Handshake> {
  const result: Handshake = {
    clientAuthorized: false,
    clientError: null,
    serverAuthorized: null,
    serverPeerCn: null,
    serverError: null,
  };
  const srv = tls.createServer({
    key: server.keyPem,
    cert: server.certPem,
    ca: [clientCaPem],
    requestCert: true,
    rejectUnauthorized: true,
  });
  srv.on('secureConnection', (sock) => {
    result.serverAuthorized = sock.authorized;
    const cn = sock.getPeerCertificate().subject?.CN;
    result.serverPeerCn = Array.isArray(cn) ? (cn[0] ?? null) : (cn ?? null);
    sock.end('ok');
  });
  srv.on('tlsClientError', (err) => {
    result.serverError = err;
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  try {
    const received = await new Promise<string>((resolve) => {
      const sock = tls.connect({
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        ca: [caPem],
        key: client.keyPem,
        cert: client.certPem,
      });
      let data = '';
      sock.on('secureConnect', () => {
        result.clientAuthorized = sock.authorized;
      });
      sock.on('data', (d: Buffer) => {
        data += d.toString();
      });
      sock.on('error', (err) => {
        result.clientError = err;
      });
      sock.on('close', () => resolve(data));
    });
    // TLS 1.3 finishes the client side before the server has judged the client cert, so
    // "did the server's reply arrive" is the end-to-end signal, not just secureConnect.
    if (received !== 'ok') result.clientAuthorized = false;
  } finally {
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  }
  return result;
}

function openssl(args: string[], input?: string): string {
  return execFileSync('openssl', args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

describe('pki', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'threatlink-pki-'));
  const caDir = join(tmp, 'ca');
  let ca: ExchangeCa;
  let serverCert: { certPem: string; keyPem: string };

  before(async () => {
    ca = await ExchangeCa.loadOrCreate(caDir);
    serverCert = await ca.issueServerCert(['localhost', '127.0.0.1']);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('creates the CA with a private directory and a 0600 key', () => {
    assert.equal(statSync(join(caDir, 'ca.key')).mode & 0o777, 0o600);
    assert.equal(statSync(caDir).mode & 0o777, 0o700);
    const info = certInfo(ca.certPem);
    assert.equal(info.commonName, 'threatlink exchange CA');
    assert.match(info.subject, /O=threatlink/);
    assert.equal(info.subject, info.issuer);
    assert.match(info.serial, /^[0-9a-f]{32}$/);
    const text = openssl(['x509', '-noout', '-text'], ca.certPem);
    assert.match(text, /CA:TRUE, pathlen:0/);
    assert.match(text, /Certificate Sign, CRL Sign/);
  });

  it('reloads the same CA, and its fingerprint matches openssl', async () => {
    const again = await ExchangeCa.loadOrCreate(caDir);
    assert.equal(again.fingerprint, ca.fingerprint);
    const out = openssl(['x509', '-noout', '-fingerprint', '-sha256'], ca.certPem);
    const hex = out.trim().split('=')[1]?.replace(/:/g, '').toLowerCase();
    assert.equal(ca.fingerprint, `sha256:${hex}`);
    assert.equal(fingerprint(ca.certPem), ca.fingerprint);
  });

  it('refuses a half-present CA and names the missing file', async () => {
    const half = join(tmp, 'half');
    mkdirSync(half);
    copyFileSync(join(caDir, 'ca.crt'), join(half, 'ca.crt'));
    await assert.rejects(ExchangeCa.loadOrCreate(half), /ca\.key/);
  });

  it('issues a server cert with IP and DNS names', () => {
    const info = certInfo(serverCert.certPem);
    assert.equal(info.commonName, 'localhost');
    assert.deepEqual(info.dnsNames, ['localhost']);
    assert.deepEqual(info.ipAddresses, ['127.0.0.1']);
    assert.match(openssl(['x509', '-noout', '-ext', 'subjectAltName'], serverCert.certPem), /IP Address:127\.0\.0\.1/);
  });

  it('signs a CSR with the device id as subject and completes mutual TLS', async () => {
    // The CSR asks for another name; the exchange must ignore it.
    const device = await generateKeyAndCsr('someone-else');
    assert.match(device.keyPem, /^-----BEGIN PRIVATE KEY-----/);
    const issued = await ca.signCsr(device.csrPem, { commonName: DEVICE_ID, days: 30 });
    const info = certInfo(issued.certPem);
    assert.equal(info.commonName, DEVICE_ID);
    assert.equal(info.serial, issued.serial);
    assert.equal(info.issuer, certInfo(ca.certPem).subject);
    const skewMs = Date.now() - issued.notBefore.getTime();
    assert.ok(skewMs >= 4 * 60_000 && skewMs <= 6 * 60_000, `notBefore skew ${skewMs}ms`);
    assert.equal(await ca.verifyIssued(issued.certPem), true);
    assert.equal(await ca.verifyIssued(ca.certPem), false);

    const r = await handshake(serverCert, ca.certPem, { certPem: issued.certPem, keyPem: device.keyPem });
    assert.equal(r.clientError, null);
    assert.equal(r.serverError, null);
    assert.equal(r.clientAuthorized, true);
    assert.equal(r.serverAuthorized, true);
    assert.equal(r.serverPeerCn, DEVICE_ID);
  });

  it('rejects a client cert from a different CA', async () => {
    const rogue = await ExchangeCa.loadOrCreate(join(tmp, 'rogue'), { commonName: 'rogue CA' });
    const device = await generateKeyAndCsr(DEVICE_ID);
    const issued = await rogue.signCsr(device.csrPem, { commonName: DEVICE_ID, days: 30 });
    assert.equal(await ca.verifyIssued(issued.certPem), false);

    const r = await handshake(serverCert, ca.certPem, { certPem: issued.certPem, keyPem: device.keyPem });
    assert.equal(r.serverAuthorized, null, 'server must not accept the connection');
    assert.ok(r.serverError, 'server reports the client cert error');
    assert.equal(r.clientAuthorized, false);

    // Control: the same device is accepted by a server that trusts the rogue CA, so the
    // rejection above is about the issuer and nothing else.
    const ok = await handshake(serverCert, ca.certPem, { certPem: issued.certPem, keyPem: device.keyPem }, rogue.certPem);
    assert.equal(ok.serverAuthorized, true);
    assert.equal(ok.clientAuthorized, true);
  });

  it('refuses a CSR whose signature was tampered with', async () => {
    const { csrPem } = await generateKeyAndCsr(DEVICE_ID);
    const der = Buffer.from(csrDerBase64(csrPem), 'base64');
    // The last byte lies inside the ECDSA signature's s value.
    der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
    const tampered = csrPemFromDerBase64(der.toString('base64'));
    await assert.rejects(ca.signCsr(tampered, { commonName: DEVICE_ID, days: 30 }), /^Error: csr_invalid/);
    await assert.rejects(ca.signCsr('not a csr', { commonName: DEVICE_ID, days: 30 }), /csr_invalid/);
    const check = await ca.verifyCsr(tampered);
    assert.equal(check.ok, false);
    assert.deepEqual(await ca.verifyCsr(csrPem), { ok: true });
  });

  it('round-trips CSR base64 with EST-style line breaks', async () => {
    const { csrPem } = await generateKeyAndCsr(DEVICE_ID);
    const b64 = csrDerBase64(csrPem);
    assert.doesNotMatch(b64, /\s/);
    const wrapped = b64.replace(/.{1,76}/g, '$&\r\n');
    assert.equal(csrPemFromDerBase64(wrapped).trim(), csrPem.trim());
  });

  it('builds a certs-only PKCS#7 that round-trips and that openssl reads', () => {
    const certs = [serverCert.certPem, ca.certPem];
    const b64 = pkcs7CertsOnly(certs);
    assert.doesNotMatch(b64, /[\s-]/);
    const back = certsFromPkcs7(b64);
    assert.deepEqual(back.map(fingerprint), certs.map(fingerprint));

    const file = join(tmp, 'cacerts.p7');
    writeFileSync(file, Buffer.from(b64, 'base64'));
    const out = openssl(['pkcs7', '-inform', 'DER', '-in', file, '-print_certs']);
    assert.equal(out.match(/-----BEGIN CERTIFICATE-----/g)?.length, 2);
    assert.match(out, /subject=.*CN ?= ?threatlink exchange CA/);
  });
});
