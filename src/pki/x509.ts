// X.509 helpers shared by the device side and the exchange. This module must not import
// anything else from the project: devices ship it without the exchange.
import { createHash, webcrypto, X509Certificate as NodeX509Certificate } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

// @peculiar/x509 v2 resolves its algorithm plug-ins through tsyringe, which needs the Reflect
// metadata API loaded first; the dynamic import below keeps that order.
await import('reflect-metadata');

/** The @peculiar/x509 namespace; use this export rather than importing the package directly. */
export const x509: typeof X509 = await import('@peculiar/x509');
// Pin the provider explicitly rather than relying on whichever global `crypto` is present.
x509.cryptoProvider.set(webcrypto as Crypto);

export const EC_KEY_ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const EC_SIGN_ALG = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface CertInfo {
  serial: string;
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  commonName: string | null;
  dnsNames: string[];
  /** IP SANs; kept apart from dnsNames so a name check cannot match an address by accident. */
  ipAddresses: string[];
}

export function fingerprint(certPem: string): string {
  // node's parser rejects anything that is not a certificate, so garbage cannot get a fingerprint.
  const der = new NodeX509Certificate(certPem).raw;
  return 'sha256:' + createHash('sha256').update(der).digest('hex');
}

export function toPem(der: ArrayBuffer | Uint8Array<ArrayBuffer>, tag: string): string {
  return x509.PemConverter.encode(der, tag);
}

export async function exportPkcs8Pem(key: CryptoKey): Promise<string> {
  return toPem(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

export async function generateKeyAndCsr(commonName: string): Promise<{ keyPem: string; csrPem: string }> {
  const keys = await webcrypto.subtle.generateKey(EC_KEY_ALG, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    // JSON form, so a name containing ',' or '=' cannot be misread as several attributes.
    name: [{ CN: [commonName] }],
    keys,
    signingAlgorithm: EC_SIGN_ALG,
  });
  return { keyPem: await exportPkcs8Pem(keys.privateKey), csrPem: csr.toString('pem') };
}

function sanValues(san: X509.SubjectAlternativeNameExtension | null, type: 'dns' | 'ip'): string[] {
  return san ? san.names.items.filter((n) => n.type === type).map((n) => n.value) : [];
}

export function certInfo(certPem: string): CertInfo {
  const cert = new x509.X509Certificate(certPem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  return {
    serial: cert.serialNumber.toLowerCase(),
    subject: cert.subject,
    issuer: cert.issuer,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    commonName: cert.subjectName.getField('CN')[0] ?? null,
    dnsNames: sanValues(san, 'dns'),
    ipAddresses: sanValues(san, 'ip'),
  };
}

function base64Der(b64: string, what: string): Uint8Array<ArrayBuffer> {
  const compact = b64.replace(/\s+/g, '');
  if (!compact || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new Error(`${what}: not base64`);
  // Copied into a plain Uint8Array: the x509 API wants ArrayBuffer-backed views, not Buffer's pool.
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

// Minimal DER TLV writer: enough for the fixed shape of a certs-only SignedData.
function tlv(tag: number, ...parts: Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

const OID_SIGNED_DATA = Buffer.from('06092a864886f70d010702', 'hex'); // 1.2.840.113549.1.7.2
const OID_DATA = Buffer.from('06092a864886f70d010701', 'hex'); // 1.2.840.113549.1.7.1

/**
 * Degenerate ("certs-only") PKCS#7 SignedData, base64 DER without line breaks (RFC 7030 §4.1.3).
 * Built by hand because certs-only requires the eContent to be absent, and the certificate
 * order is kept as given (issuer chains are read in order by some EST clients).
 */
export function pkcs7CertsOnly(certPems: string[]): string {
  const certs = certPems.map((pem) => new Uint8Array(new NodeX509Certificate(pem).raw));
  const signedData = tlv(
    0x30,
    tlv(0x02, Buffer.from([1])), // version
    tlv(0x31), // digestAlgorithms: none
    tlv(0x30, OID_DATA), // encapContentInfo without eContent
    tlv(0xa0, ...certs), // [0] IMPLICIT certificates
    tlv(0x31), // signerInfos: none
  );
  return tlv(0x30, OID_SIGNED_DATA, tlv(0xa0, signedData)).toString('base64');
}

export function certsFromPkcs7(b64: string): string[] {
  const der = base64Der(b64, 'pkcs7_invalid');
  // Array.from, not .map: map on the Array subclass would return another X509Certificates.
  return Array.from(new x509.X509Certificates(der), (c) => c.toString('pem'));
}

export function csrPemFromDerBase64(b64: string): string {
  return toPem(base64Der(b64, 'csr_invalid'), 'CERTIFICATE REQUEST');
}

export function csrDerBase64(csrPem: string): string {
  // Parsing (not just un-armouring) so a non-CSR PEM block is refused here, not by the server.
  return Buffer.from(new x509.Pkcs10CertificateRequest(csrPem).rawData).toString('base64');
}
