// A small HTTPS client for tests: real TLS, our CA, optional client certificate.
import { request } from 'node:https';

export interface HttpsResult<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
  text: string;
}

export interface HttpsOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
}

export function https<T = any>(url: string, o: HttpsOptions = {}): Promise<HttpsResult<T>> {
  const headers: Record<string, string> = { ...o.headers };
  let payload: string | undefined;
  if (o.body !== undefined) {
    payload = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    headers['content-type'] ??= 'application/json';
  }
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: o.method ?? 'GET', headers, ca: o.ca, cert: o.cert, key: o.key, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try { body = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body as T, text });
      });
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
