// The device certificate's validity, read with node:crypto: the connector checks it all the
// time (renewal, the local API), and the X.509 library enrollment needs costs ~20 MB of memory
// to load, so that library is loaded only when a certificate must be made.
import { X509Certificate } from 'node:crypto';

let lastTimes: { pem: string; notBefore: number; notAfter: number } | null = null;

/**
 * The certificate's validity, from a one-entry cache: parsing a certificate costs about a
 * millisecond, and the local API's snapshot (polled as often as every 10 ms) asks every time.
 */
export function certTimes(certPem: string): { notBefore: number; notAfter: number } {
  if (lastTimes?.pem !== certPem) {
    const c = new X509Certificate(certPem);
    lastTimes = { pem: certPem, notBefore: Date.parse(c.validFrom), notAfter: Date.parse(c.validTo) };
  }
  return lastTimes;
}

/** Renew when less than a third of the certificate's life is left. */
export function needsRenewal(certPem: string, now = Date.now()): boolean {
  const { notBefore, notAfter } = certTimes(certPem);
  return notAfter - now < (notAfter - notBefore) / 3;
}
