// What `curl -v --cacert connectorCA.pem https://<endpoint>` shows, stage by stage, as data:
// every address the name resolves to, a TCP connect to each (through the proxy when one is
// configured), the TLS handshake on the first that connected, and an HTTP answer on it.
import type { Socket } from 'node:net';
import { resolveAll, describeLookupError } from './resolve.js';
import { dialTcp, dialFailure, proxyTunnel, type DialFailure } from './connect.js';
import { tlsHandshake, type TlsOutcome } from './tls-handshake.js';
import { httpOver } from './http-over.js';

export type DnsStage =
  | { ok: true; addresses: string[]; ms: number }
  | { ok: false; error: string; code: string; ms: number };

export interface TcpAttempt {
  /** address:port dialled (the proxy's when there is one). */
  target: string;
  ok: boolean;
  ms: number;
  failure?: DialFailure;
  error?: string;
}

export type TlsStage = { ok: true; ms: number } & Omit<TlsOutcome, 'socket'> | { ok: false; ms: number; error: string; code: string };
export type HttpStage =
  | { ok: true; status: number; date: string | null; sentAt: number; receivedAt: number; ms: number }
  | { ok: false; ms: number; error: string; code: string };

export interface EndpointProbe {
  url: URL;
  host: string;
  port: number;
  proxy: URL | null;
  dns: DnsStage;
  /** Empty when nothing was dialled (no address and no proxy). */
  tcp: TcpAttempt[];
  /** The proxy's answer to CONNECT. */
  tunnel: { ok: true; statusLine: string } | { ok: false; error: string } | null;
  tls: TlsStage | null;
  http: HttpStage | null;
}

export interface ProbeOptions {
  url: URL;
  proxy: URL | null;
  ca?: string;
  cert?: string;
  key?: string;
  /** The bound for the next wait, shrinking as the doctor's deadline nears. */
  waitMs: () => number;
}

const hostPort = (h: string, p: number): string => (h.includes(':') ? `[${h}]:${p}` : `${h}:${p}`);
const errCode = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? 'ERROR';

async function dialAll(addresses: string[], port: number, ms: number): Promise<{ attempts: TcpAttempt[]; socket: Socket | null }> {
  const t0 = Date.now();
  const settled = await Promise.allSettled(addresses.map((a) => dialTcp(a, port, ms)));
  let socket: Socket | null = null;
  const attempts = settled.map((s, i): TcpAttempt => {
    const target = hostPort(addresses[i] as string, port);
    if (s.status === 'fulfilled') {
      // The first address that answers carries the rest of the probe; the others are done.
      if (socket) s.value.destroy();
      else socket = s.value;
      return { target, ok: true, ms: Date.now() - t0 };
    }
    const e = s.reason as NodeJS.ErrnoException;
    return { target, ok: false, ms: Date.now() - t0, failure: dialFailure(e), error: e.code && !e.message.includes(e.code) ? `${e.code} ${e.message}` : e.message };
  });
  return { attempts, socket };
}

export async function probeEndpoint(o: ProbeOptions): Promise<EndpointProbe> {
  const host = o.url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(o.url.port || 443);
  const p: EndpointProbe = { url: o.url, host, port, proxy: o.proxy, dns: { ok: false, error: '', code: '', ms: 0 }, tcp: [], tunnel: null, tls: null, http: null };

  let t = Date.now();
  try {
    p.dns = { ok: true, addresses: await resolveAll(host, o.waitMs()), ms: Date.now() - t };
  } catch (e) {
    p.dns = { ok: false, error: describeLookupError(e as NodeJS.ErrnoException, host), code: errCode(e), ms: Date.now() - t };
  }

  let socket: Socket | null = null;
  if (o.proxy) {
    // The proxy resolves the name itself: a local DNS failure does not stop the probe.
    const proxyHost = o.proxy.hostname.replace(/^\[|\]$/g, '');
    const proxyPort = Number(o.proxy.port || 80);
    let proxyAddresses: string[];
    try {
      proxyAddresses = await resolveAll(proxyHost, o.waitMs());
    } catch (e) {
      p.tcp = [{ target: hostPort(proxyHost, proxyPort), ok: false, ms: 0, failure: 'other', error: describeLookupError(e as NodeJS.ErrnoException, proxyHost) }];
      return p;
    }
    const dialled = await dialAll(proxyAddresses, proxyPort, o.waitMs());
    p.tcp = dialled.attempts;
    if (dialled.socket) {
      try {
        p.tunnel = { ok: true, statusLine: await proxyTunnel(dialled.socket, o.proxy, host, port, o.waitMs()) };
        socket = dialled.socket;
      } catch (e) {
        p.tunnel = { ok: false, error: (e as Error).message };
        dialled.socket.destroy();
      }
    }
  } else if (p.dns.ok) {
    const dialled = await dialAll(p.dns.addresses, port, o.waitMs());
    p.tcp = dialled.attempts;
    socket = dialled.socket;
  }
  if (!socket) return p;

  t = Date.now();
  let tlsSocket: TlsOutcome['socket'];
  try {
    const { socket: s, ...outcome } = await tlsHandshake(socket, { servername: host, ca: o.ca, cert: o.cert, key: o.key }, o.waitMs());
    tlsSocket = s;
    p.tls = { ok: true, ms: Date.now() - t, ...outcome };
  } catch (e) {
    p.tls = { ok: false, ms: Date.now() - t, error: (e as Error).message, code: errCode(e) };
    socket.destroy();
    return p;
  }

  t = Date.now();
  const httpsUrl = new URL(o.url.href.replace(/^wss:/, 'https:'));
  try {
    const a = await httpOver(tlsSocket, httpsUrl, {}, o.waitMs());
    const date = a.headers.date;
    p.http = { ok: true, status: a.status, date: typeof date === 'string' ? date : null, sentAt: a.sentAt, receivedAt: a.receivedAt, ms: Date.now() - t };
  } catch (e) {
    p.http = { ok: false, ms: Date.now() - t, error: (e as Error).message, code: errCode(e) };
  }
  return p;
}
