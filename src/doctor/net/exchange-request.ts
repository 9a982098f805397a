// An HTTPS request to the exchange the way the connector reaches it: through the proxy when one
// is configured, trusting connectorCA.pem only.
import type { Socket } from 'node:net';
import { dialTcp, proxyTunnel } from './connect.js';
import { tlsHandshake } from './tls-handshake.js';
import { httpOver, type HttpAnswer, type HttpRequest } from './http-over.js';

export interface ExchangeRoute {
  proxy: URL | null;
  ca: string;
  waitMs: () => number;
}

export async function exchangeRequest(url: URL, req: HttpRequest, r: ExchangeRoute): Promise<HttpAnswer> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  let socket: Socket;
  if (r.proxy) {
    socket = await dialTcp(r.proxy.hostname.replace(/^\[|\]$/g, ''), Number(r.proxy.port || 80), r.waitMs());
    await proxyTunnel(socket, r.proxy, host, port, r.waitMs()).catch((e: unknown) => {
      socket.destroy();
      throw e;
    });
  } else {
    socket = await dialTcp(host, port, r.waitMs());
  }
  const tls = await tlsHandshake(socket, { servername: host, ca: r.ca }, r.waitMs());
  if (!tls.authorized) {
    tls.socket.destroy();
    throw new Error(`${url.host}'s certificate does not verify against connectorCA.pem (${tls.authorizationError}; see tls.api)`);
  }
  return httpOver(tls.socket, url, req, r.waitMs());
}
