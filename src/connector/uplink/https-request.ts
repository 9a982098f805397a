// HTTPS requests from the device: to the exchange's enrollment and EST endpoints.
import { request } from 'node:https';
import { proxyAgent } from './proxy.js';

export interface DeviceRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Trust exactly these CAs; `insecure` skips verification (only to fetch the CA for pinning). */
  ca?: string;
  insecure?: boolean;
  cert?: string;
  key?: string;
  timeoutMs?: number;
  /** http://[user:pass@]host:port to tunnel through (connector.properties `proxy`). */
  proxy?: string;
}

export interface DeviceResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export function deviceRequest(url: string, o: DeviceRequest = {}): Promise<DeviceResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: o.method ?? 'GET',
      headers: o.body !== undefined ? { 'content-length': String(Buffer.byteLength(o.body)), ...o.headers } : o.headers,
      ca: o.ca, cert: o.cert, key: o.key,
      rejectUnauthorized: !o.insecure,
      agent: proxyAgent(o.proxy) ?? false,
      timeout: o.timeoutMs ?? 15_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('connection timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}
