// The exchange's own certificate authority: signs device client certs (enrollment) and the
// exchange's HTTPS server cert. One P-256 key, kept on disk as ca.key (0600) beside ca.crt.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';
import { EC_KEY_ALG, EC_SIGN_ALG, exportPkcs8Pem, fingerprint, x509 } from '../../pki/x509.js';

const DAY_MS = 86_400_000;
const CLOCK_SKEW_MS = 5 * 60_000;
const CA_YEARS = 10;

export interface IssuedCert {
  certPem: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
}

// 128 random bits with the top bit set: always positive once DER adds its 0x00 pad, and the
// serial keeps a fixed width, so it reads the same in logs and in openssl output.
function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) | 0x80;
  return Buffer.from(bytes).toString('hex');
}

function assertMode(path: string, mode: number): void {
  const actual = statSync(path).mode & 0o777;
  if (actual !== mode) {
    throw new Error(`${path} has mode ${actual.toString(8)}, expected ${mode.toString(8)}`);
  }
}

type CsrCheck = { ok: true; csr: X509.Pkcs10CertificateRequest } | { ok: false; reason: string };

async function checkCsr(csrPem: string): Promise<CsrCheck> {
  let csr: X509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch (err) {
    return { ok: false, reason: `cannot parse CSR (${(err as Error).message})` };
  }
  try {
    // Proof of possession: the requester holds the private key for the public key it sent.
    if (await csr.verify()) return { ok: true, csr };
    return { ok: false, reason: 'CSR signature does not verify' };
  } catch (err) {
    return { ok: false, reason: `cannot verify CSR signature (${(err as Error).message})` };
  }
}

function importCaKey(keyPem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(keyPem);
  return webcrypto.subtle.importKey('pkcs8', der, EC_KEY_ALG, false, ['sign']);
}

export class ExchangeCa {
  readonly certPem: string;
  readonly fingerprint: string;
  readonly #cert: X509.X509Certificate;
  readonly #key: CryptoKey;

  private constructor(certPem: string, key: CryptoKey) {
    this.#cert = new x509.X509Certificate(certPem);
    this.certPem = this.#cert.toString('pem');
    this.fingerprint = fingerprint(this.certPem);
    this.#key = key;
  }

  static async loadOrCreate(dir: string, opts: { commonName?: string } = {}): Promise<ExchangeCa> {
    const crtPath = join(dir, 'ca.crt');
    const keyPath = join(dir, 'ca.key');
    const hasCrt = existsSync(crtPath);
    const hasKey = existsSync(keyPath);
    if (hasCrt && hasKey) return ExchangeCa.load(crtPath, keyPath);
    // Regenerating one half would silently orphan every device certificate already issued.
    if (hasCrt !== hasKey) {
      const [missing, present] = hasCrt ? [keyPath, crtPath] : [crtPath, keyPath];
      throw new Error(`CA is incomplete: ${missing} is missing but ${present} exists; restore it or remove both`);
    }
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
    return ExchangeCa.create(crtPath, keyPath, opts.commonName ?? 'threatlink exchange CA');
  }

  private static async load(crtPath: string, keyPath: string): Promise<ExchangeCa> {
    const certPem = readFileSync(crtPath, 'utf8');
    const key = await importCaKey(readFileSync(keyPath, 'utf8'));
    const ca = new ExchangeCa(certPem, key);
    // A key that does not belong to the cert would sign certificates nobody can verify.
    const probe = new TextEncoder().encode('threatlink ca key check');
    const sig = await webcrypto.subtle.sign(EC_SIGN_ALG, key, probe);
    const pub = await ca.#cert.publicKey.export(EC_KEY_ALG, ['verify']);
    if (!(await webcrypto.subtle.verify(EC_SIGN_ALG, pub, sig, probe))) {
      throw new Error(`${keyPath} does not match ${crtPath}`);
    }
    return ca;
  }

  private static async create(crtPath: string, keyPath: string, commonName: string): Promise<ExchangeCa> {
    const keys = await webcrypto.subtle.generateKey(EC_KEY_ALG, true, ['sign', 'verify']);
    const now = Date.now();
    const notAfter = new Date(now);
    notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_YEARS);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: [{ CN: [commonName] }, { O: ['threatlink'] }],
      notBefore: new Date(now - CLOCK_SKEW_MS),
      notAfter,
      keys,
      signingAlgorithm: EC_SIGN_ALG,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    // Key first, exclusively: a crash in between leaves a state loadOrCreate reports, and
    // 'wx' refuses to clobber a CA that another process created at the same moment.
    const keyPem = await exportPkcs8Pem(keys.privateKey);
    writeFileSync(keyPath, keyPem, { mode: 0o600, flag: 'wx' });
    assertMode(keyPath, 0o600);
    const certPem = cert.toString('pem');
    writeFileSync(crtPath, certPem, { mode: 0o644, flag: 'wx' });
    // Re-import as non-extractable so the running process holds no exportable copy.
    return new ExchangeCa(certPem, await importCaKey(keyPem));
  }

  async issueServerCert(names: string[], days = 397): Promise<{ certPem: string; keyPem: string }> {
    const first = names[0];
    if (!first) throw new Error('issueServerCert: at least one name is required');
    const keys = await webcrypto.subtle.generateKey(EC_KEY_ALG, true, ['sign', 'verify']);
    const san = names.map((n) => ({ type: isIP(n) ? ('ip' as const) : ('dns' as const), value: n }));
    const cert = await this.#issue(keys.publicKey, first, days, [
      new x509.SubjectAlternativeNameExtension(san),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ]);
    return { certPem: cert.toString('pem'), keyPem: await exportPkcs8Pem(keys.privateKey) };
  }

  async signCsr(csrPem: string, opts: { commonName: string; days: number }): Promise<IssuedCert> {
    if (!opts.commonName) throw new Error('signCsr: commonName is required');
    const checked = await checkCsr(csrPem);
    if (!checked.ok) throw new Error(`csr_invalid: ${checked.reason}`);
    const { csr } = checked;
    // Only the key is taken from the CSR; the subject is the device id the exchange assigned.
    const cert = await this.#issue(csr.publicKey, opts.commonName, opts.days, [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ]);
    return {
      certPem: cert.toString('pem'),
      serial: cert.serialNumber.toLowerCase(),
      notBefore: cert.notBefore,
      notAfter: cert.notAfter,
    };
  }

  /** The CSR check signCsr makes, for callers that must reject a bad CSR before spending anything. */
  async verifyCsr(csrPem: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    const checked = await checkCsr(csrPem);
    return checked.ok ? { ok: true } : checked;
  }

  async verifyIssued(certPem: string): Promise<boolean> {
    let cert: X509.X509Certificate;
    try {
      cert = new x509.X509Certificate(certPem);
    } catch {
      return false;
    }
    // The CA's own certificate verifies against its key, but it was not "issued".
    if (fingerprint(cert.toString('pem')) === this.fingerprint) return false;
    if (cert.issuer !== this.#cert.subject) return false;
    // verify() checks the signature and, without signatureOnly, that now is inside the validity.
    try {
      return await cert.verify({ publicKey: this.#cert.publicKey, date: new Date() });
    } catch {
      return false;
    }
  }

  async #issue(
    publicKey: X509.PublicKeyType,
    commonName: string,
    days: number,
    extensions: X509.Extension[],
  ): Promise<X509.X509Certificate> {
    if (!Number.isFinite(days) || days <= 0) throw new Error(`invalid validity: ${days} days`);
    const now = Date.now();
    return x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: [{ CN: [commonName] }],
      issuer: this.#cert.subjectName,
      notBefore: new Date(now - CLOCK_SKEW_MS),
      notAfter: new Date(now + days * DAY_MS),
      publicKey,
      signingKey: this.#key,
      signingAlgorithm: EC_SIGN_ALG,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        await this.#authorityKeyId(),
        ...extensions,
      ],
    });
  }

  async #authorityKeyId(): Promise<X509.AuthorityKeyIdentifierExtension> {
    // Reuse the CA's own SKI when it has one, so the two always match even for a CA made elsewhere.
    const ski = this.#cert.getExtension(x509.SubjectKeyIdentifierExtension);
    if (ski) return new x509.AuthorityKeyIdentifierExtension(ski.keyId);
    return x509.AuthorityKeyIdentifierExtension.create(this.#cert.publicKey);
  }
}
