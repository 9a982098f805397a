// Every response carries the headers SSE sends (interfaces.md §2), errors and 404s included,
// so scanners and the doctor see the same hardening whatever path they probe.
import type { FastifyInstance } from 'fastify';

const COMMON: Record<string, string> = {
  'content-security-policy': "default-src 'self'",
  'x-content-type-options': 'nosniff',
  'x-xss-protection': '1; mode=block',
  'strict-transport-security': 'max-age=31536000; includeSubdomains',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Paths whose answers may be cached by the browser (the console's hashed static assets). */
export type CacheablePredicate = (url: string) => boolean;

export function registerSecurityHeaders(app: FastifyInstance, cacheable: CacheablePredicate = () => false): void {
  app.addHook('onRequest', async (req, reply) => {
    reply.headers(COMMON);
    if (!cacheable(req.url)) reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  });
}

export const SECURITY_HEADERS = COMMON;
