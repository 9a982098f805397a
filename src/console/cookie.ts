// The session cookie. The __Host- prefix makes the browser insist on Secure, Path=/ and no
// Domain, so no sibling host or plain-HTTP page can set or shadow it.
import type { FastifyRequest } from 'fastify';

export const SESSION_COOKIE = '__Host-threatlink-session';

export function sessionCookie(value: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${value}; Secure; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}`;
}

export function clearedSessionCookie(): string {
  return sessionCookie('', 0);
}

export function sessionIdOf(req: FastifyRequest): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === SESSION_COOKIE) return part.slice(i + 1).trim() || null;
  }
  return null;
}
