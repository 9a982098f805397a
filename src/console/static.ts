// Serves the web app that `npm run build` puts in dist/console-web (console/ is its source).
// The build is a handful of small files, read once into memory. Every /console/ path that is
// not a file or the API gets index.html, so the app's own paths survive a reload.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

// The same place whether this runs as src/console/static.ts (tests) or dist/console/static.js.
// THREATLINK_CONSOLE_DIR serves another build (a customised console, or a test's own build).
export const WEB_DIR = process.env.THREATLINK_CONSOLE_DIR || fileURLToPath(new URL('../../dist/console-web', import.meta.url));

export const PREFIX = '/console/';
/** Vite puts a content hash in these names, so a browser may keep them for good. */
const ASSETS = `${PREFIX}assets/`;

// No 'unsafe-inline' anywhere: the build has no inline script or style, so an injected one
// does not run.
export const CONSOLE_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2',
};

interface File {
  body: Buffer;
  type: string;
}

function load(dir: string): Map<string, File> {
  const files = new Map<string, File>();
  if (!existsSync(dir)) return files;
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(PREFIX + relative(dir, p).split(sep).join('/'), { body: readFileSync(p), type: TYPES[extname(p)] ?? 'application/octet-stream' });
    }
  };
  walk(dir);
  return files;
}

export function isCacheableAsset(url: string): boolean {
  return url.startsWith(ASSETS);
}

export async function staticRoutes(app: FastifyInstance, dir = WEB_DIR): Promise<void> {
  const files = load(dir);
  const index = files.get(`${PREFIX}index.html`);
  const send = (reply: FastifyReply, f: File) => reply.header('content-security-policy', CONSOLE_CSP).type(f.type).send(f.body);

  app.get('/console', (_req, reply) => reply.redirect(PREFIX));
  app.get('/console/*', async (req, reply) => {
    const path = decodeURIComponent(req.url.split('?')[0] as string);
    const file = files.get(path);
    if (file) {
      if (isCacheableAsset(path)) reply.header('cache-control', 'public, max-age=31536000, immutable');
      return send(reply, file);
    }
    // A missing asset or API path is a 404, not the app: a script tag given HTML fails obscurely.
    if (isCacheableAsset(path) || path.startsWith(`${PREFIX}api/`)) {
      return reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${path}` });
    }
    if (!index) return reply.code(503).send({ error: 'internal', message: `the console is not built: run npm run build (looked in ${dir})` });
    return send(reply, index);
  });
}
