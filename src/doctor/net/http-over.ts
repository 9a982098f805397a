// One HTTP/1.1 request over a socket that is already connected (and TLS-wrapped): the probe
// keeps the connection it has just examined instead of dialling again.
import { request } from 'node:http';
import type { Duplex } from 'node:stream';
import { within } from './within.js';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** When the answer's head arrived, for clock comparisons. */
  receivedAt: number;
  sentAt: number;
}

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

const MAX_BODY = 64 * 1024;

export function httpOver(socket: Duplex, url: URL, o: HttpRequest, ms: number): Promise<HttpAnswer> {
  const sentAt = Date.now();
  const req = request({
    createConnection: () => socket as never,
    host: url.hostname,
    port: url.port || 443,
    path: `${url.pathname}${url.search}`,
    method: o.method ?? 'GET',
    headers: {
      host: url.host,
      'user-agent': 'threatlink-doctor',
      connection: 'close',
      ...(o.body !== undefined ? { 'content-length': String(Buffer.byteLength(o.body)) } : {}),
      ...o.headers,
    },
  });
  return within(
    new Promise<HttpAnswer>((resolve, reject) => {
      req.once('response', (res) => {
        const receivedAt = Date.now();
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (text.length < MAX_BODY) text += c;
        });
        res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, receivedAt, sentAt }));
        res.once('error', reject);
      });
      req.once('error', reject);
      req.end(o.body);
    }),
    ms,
    () => req.destroy(),
  ).finally(() => socket.destroy());
}
