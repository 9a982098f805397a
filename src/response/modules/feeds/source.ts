// Reading one file of a feed, from disk or over http(s), with a size cap so a wrong URL (a
// disk image, an endless stream) cannot take the server's memory, as text (decode.ts).
import { readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve, isAbsolute } from 'node:path';
import { decodeFeed } from './decode.js';

export const MAX_FEED_BYTES = 256 * 1024 * 1024;

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** A file next to the feed base: MISP's manifest and event files. */
export function sourceChild(base: string, name: string): string {
  if (isUrl(base)) return new URL(encodeURIComponent(name), base.endsWith('/') ? base : `${base}/`).href;
  return join(base, name);
}

async function readUrl(url: string, signal: AbortSignal): Promise<string> {
  const res = await fetch(url, { signal, headers: { accept: 'application/json, text/csv, text/plain, */*' }, redirect: 'follow' });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`GET ${url}: HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > MAX_FEED_BYTES) {
    await res.body?.cancel();
    throw new Error(`GET ${url}: ${declared} bytes is more than the ${MAX_FEED_BYTES} a feed may have`);
  }
  const chunks: Uint8Array[] = [];
  let n = 0;
  if (res.body) {
    for await (const chunk of res.body) {
      n += chunk.byteLength;
      if (n > MAX_FEED_BYTES) {
        await res.body.cancel().catch(() => undefined);
        throw new Error(`GET ${url}: more than the ${MAX_FEED_BYTES} bytes a feed may have`);
      }
      chunks.push(chunk);
    }
  }
  return decodeFeed(Buffer.concat(chunks), `GET ${url}`, MAX_FEED_BYTES);
}

/** Whether `path` names something under `dir` (by name: `..` cannot climb out). */
export function insideDir(path: string, dir: string): boolean {
  const r = relative(resolve(dir), resolve(path));
  return r !== '' && !r.startsWith('..') && !isAbsolute(r);
}

async function readPath(path: string, signal: AbortSignal, filesDir: string): Promise<string> {
  // Checked again as read, through links: one placed in the directory cannot lead out of it.
  const [real, realDir] = await Promise.all([realpath(path), realpath(filesDir).catch(() => resolve(filesDir))]);
  if (!insideDir(real, realDir)) throw new Error(`${path} is outside ${filesDir}, the only directory feeds may read files from on this server`);
  const st = await stat(real);
  if (!st.isFile()) throw new Error(`${path} is not a file`);
  if (st.size > MAX_FEED_BYTES) throw new Error(`${path}: ${st.size} bytes is more than the ${MAX_FEED_BYTES} a feed may have`);
  return decodeFeed(await readFile(real, { signal }), path, MAX_FEED_BYTES);
}

/** `filesDir`: the only directory a local file may be read from. */
export function readSource(location: string, signal: AbortSignal, filesDir: string): Promise<string> {
  return isUrl(location) ? readUrl(location, signal) : readPath(location, signal, filesDir);
}
