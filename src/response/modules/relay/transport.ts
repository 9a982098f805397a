// POSTs to one relay module with undici: one keep-alive pool per instance (enrich calls a module
// in bursts), and an https module behind a private CA trusted through settings.ca without
// touching the rest of the process. undici rather than node:http: a call costs about a third less
// CPU (no stream and event-emitter objects per request), and every enrich pays it once a module.
import { rootCertificates } from 'node:tls';
import { Pool, type Dispatcher } from 'undici';
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

async function readBody(res: Dispatcher.ResponseData, url: string): Promise<string> {
  const body = res.body;
  const tooLarge = () => new ModuleError('bad_answer', `POST ${url}: answer larger than ${MAX_ANSWER_BYTES} bytes`);
  const length = Number(res.headers['content-length']);
  // A declared length within bounds is read whole, which costs less than iterating (a call's
  // body is read once a module an enrich); undici stops at the declared length.
  if (Number.isInteger(length) && length >= 0) {
    if (length > MAX_ANSWER_BYTES) {
      body.destroy();
      throw tooLarge();
    }
    return body.text();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_ANSWER_BYTES) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(c);
  }
  return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

/** The network error's own code and message: undici wraps some (connect errors) in a cause. */
function networkError(err: unknown): { code?: string; message: string } {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const inner = e.cause && typeof e.cause === 'object' ? e.cause : null;
  const code = inner?.code ?? e.code;
  const message = inner?.message && !(e.message ?? '').includes(inner.message) ? `${e.message}: ${inner.message}` : (e.message ?? String(err));
  return { code, message };
}

export class RelayTransport {
  private readonly pool: Pool;
  /** The base URL's path (a module may live under a prefix), without its trailing slash. */
  private readonly prefix: string;

  constructor(private readonly base: string, ca?: string) {
    const u = new URL(base);
    this.prefix = u.pathname.replace(/\/+$/, '');
    // Given roots replace Node's, so the public ones are kept beside the private CA.
    this.pool = new Pool(u.origin, { connect: ca ? { ca: [...rootCertificates, ca] } : {}, keepAliveTimeout: 30_000 });
  }

  async post(path: string, body: unknown, headers: Record<string, string>, signal: AbortSignal): Promise<HttpAnswer> {
    const url = `${this.base}${path}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const h: Record<string, string> = { ...headers, accept: 'application/json' };
    if (payload !== undefined) h['content-type'] = 'application/json';
    try {
      const res = await this.pool.request({ path: `${this.prefix}${path}`, method: 'POST', headers: h, body: payload ?? '', signal });
      const text = await readBody(res, url);
      const ct = res.headers['content-type'];
      return { url, status: res.statusCode, contentType: String((Array.isArray(ct) ? ct[0] : ct) ?? ''), text };
    } catch (err) {
      // The deadline's own reason (timeout, cancelled) says more than the socket's AbortError.
      if (signal.aborted) throw signal.reason ?? err;
      if (err instanceof ModuleError) throw err;
      const e = networkError(err);
      const hint = e.code && TLS_TRUST_ERRORS.test(e.code) ? ' (if the module uses a private CA, put it in settings.ca)' : '';
      const code = e.code && !e.message.includes(e.code) ? ` (${e.code})` : '';
      throw new ModuleError('unreachable', `POST ${url}: ${e.message}${code}${hint}`);
    }
  }

  close(): void {
    void this.pool.destroy().catch(() => {});
  }
}
