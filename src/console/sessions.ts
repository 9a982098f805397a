// Console sessions: made at sign-in, found again from the cookie, ended at sign-out. The
// cookie holds a random id; the store keeps its SHA-256, the user's id, and the CSRF token
// the page must echo in x-csrf-token on every unsafe request.
import type { FastifyRequest } from 'fastify';
import type { Session, SessionStore } from '../exchange/store/types.js';
import type { Principal } from '../exchange/auth/principal.js';
import { randomToken, sha256Hex } from '../exchange/auth/secrets.js';
import { ApiError } from '../exchange/api/errors.js';
import { sessionIdOf } from './cookie.js';
import { timingSafeEqual } from 'node:crypto';

export interface SessionTimes {
  /** From sign-in to a forced new sign-in, however busy. */
  ttlMs: number;
  /** Unused for this long, a session ends. */
  idleMs: number;
}

export const DEFAULT_TIMES: SessionTimes = { ttlMs: 12 * 3600_000, idleMs: 30 * 60_000 };

// Writing last_seen_at on every request would put a write on every API read; a minute of
// slack on a 30-minute idle timeout costs nothing.
const TOUCH_EVERY_MS = 60_000;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Found {
  idHash: string;
  session: Session;
}

export class ConsoleSessions {
  constructor(private readonly store: SessionStore, readonly times: SessionTimes = DEFAULT_TIMES) {}

  /** Returns the cookie value and the CSRF token of a new session. */
  async create(userId: string, now = Date.now()): Promise<{ id: string; csrf: string; expiresAt: number }> {
    const id = randomToken(32);
    const csrf = randomToken(32);
    const expiresAt = now + this.times.ttlMs;
    await this.store.create(sha256Hex(id), { user_id: userId, csrf_token: csrf, created_at: now, expires_at: expiresAt });
    return { id, csrf, expiresAt };
  }

  /** The request's live session, or null when it has no session cookie or a dead one. */
  async find(req: FastifyRequest, now = Date.now()): Promise<Found | null> {
    const id = sessionIdOf(req);
    if (!id) return null;
    const idHash = sha256Hex(id);
    const session = await this.store.get(idHash, now, this.times.idleMs);
    if (!session) return null;
    if (now - session.last_seen_at >= TOUCH_EVERY_MS) await this.store.touch(idHash, now);
    return { idHash, session };
  }

  /** A session's principal for the API. Unsafe methods must carry the CSRF token: the cookie
   * alone would go along with a request another site's page makes. */
  async principalOf(req: FastifyRequest): Promise<Principal | null> {
    if (!sessionIdOf(req)) return null;
    const found = await this.find(req);
    if (!found) throw new ApiError('invalid_token', 'the console session is unknown or has expired: sign in again');
    requireCsrf(req, found.session);
    const s = found.session;
    return { org_id: s.org_id, client_id: `user:${s.username}`, role: s.role, user_id: s.user_id };
  }

  async end(idHash: string): Promise<void> {
    await this.store.delete(idHash);
  }
}

export function requireCsrf(req: FastifyRequest, s: Session): void {
  if (SAFE_METHODS.has(req.method)) return;
  const given = req.headers['x-csrf-token'];
  const a = Buffer.from(typeof given === 'string' ? given : '');
  const b = Buffer.from(s.csrf_token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new ApiError('forbidden', 'missing or wrong x-csrf-token header (GET /console/api/session gives the token)');
  }
}
