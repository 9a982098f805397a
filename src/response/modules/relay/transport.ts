// POSTs to one relay module over plain node:http(s), so an https module behind a private CA
// can be trusted through settings.ca without touching the rest of the process. One keep-alive
// agent per instance: enrich calls a module in bursts.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { ModuleError } from '../../module.js';

/** A module answering more than this is broken or hostile; we stop reading. */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export interface HttpAnswer {
  url: string;
  status: number;
  contentType: string;
  text: string;
}

const TLS_TRUST_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_ALTNAME/;

function readBody(res: IncomingMessage, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_ANSWER_BYTES) {
        res.destroy();
        reject(new ModuleError('bad_answer', `POST ${url}: answer larger than ${MAX_ANSWER_BYTES} bytes`));
        return;
      }
      chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

export class RelayTransport {
  private readonly agent: HttpAgent;
  private readonly https: boolean;

  constructor(private readonly base: string, ca?: string) {
    this.https = base.startsWith('https:');
    // Given roots replace Node's, so the public ones are kept beside the private CA.
    this.agent = this.https
      ? new HttpsAgent({ keepAlive: true, ...(ca ? { ca: [...rootCertificates, ca] } : {}) })
      : new HttpAgent({ keepAlive: true });
  }

  async post(path: string, body: unknown, headers: Record<string, string>, signal: AbortSignal): Promise<HttpAnswer> {
    const url = `${this.base}${path}`;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const h: Record<string, string | number> = { ...headers, accept: 'application/json', 'content-length': payload?.length ?? 0 };
    if (payload) h['content-type'] = 'application/json';
    const request = this.https ? httpsRequest : httpRequest;
    try {
      return await new Promise<HttpAnswer>((resolve, reject) => {
        const req = request(url, { method: 'POST', headers: h, agent: this.agent, signal }, (res) => {
          readBody(res, url).then((text) => resolve({
            url, status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text,
          }), reject);
        });
        req.on('error', reject);
        req.end(payload);
      });
    } catch (err) {
      // The deadline's own reason (timeout, cancelled) says more than the socket's AbortError.
      if (signal.aborted) throw signal.reason ?? err;
      if (err instanceof ModuleError) throw err;
      const e = err as NodeJS.ErrnoException;
      const hint = e.code && TLS_TRUST_ERRORS.test(e.code) ? ' (if the module uses a private CA, put it in settings.ca)' : '';
      throw new ModuleError('unreachable', `POST ${url}: ${e.message}${hint}`);
    }
  }

  close(): void {
    this.agent.destroy();
  }
}
