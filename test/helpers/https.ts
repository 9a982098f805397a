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

/** An access token by OAuth2 client credentials; throws with the answer when refused. */
export async function accessToken(base: string, ca: string, id: string, secret: string): Promise<string> {
  const r = await https<{ access_token: string }>(`${base}/iroh/oauth2/token`, {
    method: 'POST', ca, body: 'grant_type=client_credentials',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
  });
  if (r.status !== 200) throw new Error(`token: ${r.status} ${r.text}`);
  return r.body.access_token;
}

/** A registration token from the API; throws with the answer when refused. */
export async function registrationTokenAt(base: string, ca: string, token: string, body: object = { expiry: 3600 }): Promise<string> {
  const r = await https<{ token: string }>(`${base}/providers/sse/services/token/api/v2/auth_tokens/registration`, { method: 'POST', ca, token, body });
  if (r.status !== 201) throw new Error(`registration token: ${r.status} ${r.text}`);
  return r.body.token;
}
