// One TLS handshake that always completes when the server speaks TLS, so the doctor can say who
// answered: verification against connectorCA.pem is judged from the outcome, not by aborting.
import { connect, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import { isIP, type Socket } from 'node:net';
import { within } from './within.js';

export interface PeerCertificate {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  /** Subjects from the leaf up to the last certificate the server sent (or its root). */
  chain: string[];
  /** sha256:<hex> of the top of that chain, comparable with a registration token's fingerprint. */
  topFingerprint: string;
}

export interface TlsOutcome {
  socket: TLSSocket;
  authorized: boolean;
  /** OpenSSL's or Node's code, e.g. SELF_SIGNED_CERT_IN_CHAIN, ERR_TLS_CERT_ALTNAME_INVALID. */
  authorizationError?: string;
  protocol: string;
  peer: PeerCertificate | null;
}

export interface TlsOptions {
  servername: string;
  /** The CA bundle to verify against; absent: the system's roots. */
  ca?: string;
  cert?: string;
  key?: string;
}

/** `CN=…, O=…` from Node's parsed name object. */
function dnText(dn: Record<string, string | string[] | undefined> | undefined): string {
  if (!dn) return '(none)';
  return Object.entries(dn).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`).join(', ') || '(empty)';
}

const hexFingerprint = (colonHex: string): string => `sha256:${colonHex.replace(/:/g, '').toLowerCase()}`;

function describePeer(c: DetailedPeerCertificate): PeerCertificate | null {
  if (!c || !c.subject) return null;
  const chain: string[] = [];
  let top = c;
  for (let cur: DetailedPeerCertificate | undefined = c, n = 0; cur?.subject && n < 10; n++) {
    chain.push(dnText(cur.subject as unknown as Record<string, string>));
    top = cur;
    // A self-signed certificate is its own issuerCertificate: the chain ends there.
    if (!cur.issuerCertificate || cur.issuerCertificate === cur || cur.issuerCertificate.fingerprint256 === cur.fingerprint256) break;
    cur = cur.issuerCertificate;
  }
  return {
    subject: dnText(c.subject as unknown as Record<string, string>),
    issuer: dnText(c.issuer as unknown as Record<string, string>),
    validFrom: c.valid_from,
    validTo: c.valid_to,
    chain,
    topFingerprint: hexFingerprint(top.fingerprint256),
  };
}

export function tlsHandshake(socket: Socket, o: TlsOptions, ms: number): Promise<TlsOutcome> {
  const tls = connect({
    socket,
    // `host` is the name Node checks the certificate against; SNI cannot carry an address.
    host: o.servername,
    ...(isIP(o.servername) ? {} : { servername: o.servername }),
    ca: o.ca,
    cert: o.cert,
    key: o.key,
    rejectUnauthorized: false,
    ALPNProtocols: ['http/1.1'],
  });
  return within(
    new Promise<TlsOutcome>((resolve, reject) => {
      tls.once('secureConnect', () => {
        const err = tls.authorizationError as unknown as (Error & { code?: string }) | string | null;
        resolve({
          socket: tls,
          authorized: tls.authorized,
          ...(err ? { authorizationError: typeof err === 'string' ? err : (err.code ?? err.message) } : {}),
          protocol: tls.getProtocol() ?? '?',
          peer: describePeer(tls.getPeerCertificate(true)),
        });
      });
      tls.once('error', reject);
    }),
    ms,
    () => tls.destroy(),
  ).catch((e: unknown) => {
    tls.destroy();
    throw e;
  });
}
