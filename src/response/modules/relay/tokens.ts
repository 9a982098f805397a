// The bearer token a relay module checks (interfaces.md §4). Older modules share an HS256
// secret and read their upstream credential from the `key` claim; newer ones take a
// configuration token: RS256 by our own key, which they check against our /.well-known/jwks,
// carrying the instance settings as claims the way CTR hands a module its configuration.
import { SignJWT } from 'jose';
import type { ModuleAuth, ModuleInstance } from '../../module.js';
import type { ResponseContext } from '../../context.js';
import { signingKey } from '../../jwks/signing-key.js';

export const TOKEN_SECONDS = 300;
/** A cached token is replaced this long before it expires, so none arrives stale. */
const RENEW_BEFORE_SECONDS = 60;
/** Our own transport settings: the module has no use for them. */
const NOT_CLAIMS = new Set(['ca']);

/** What the module reads as its credential: a configured upstream key, else the shared key. */
function keyClaim(m: ModuleInstance, secret: string): string {
  return typeof m.settings?.key === 'string' ? m.settings.key : secret;
}

async function hs256(m: ModuleInstance, secret: string, now: number): Promise<string> {
  return new SignJWT({ key: keyClaim(m, secret) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + TOKEN_SECONDS)
    .sign(new TextEncoder().encode(secret));
}

async function configurationToken(m: ModuleInstance, rc: ResponseContext, base: string, now: number): Promise<string> {
  const key = await signingKey(rc.dataDir);
  const settings = Object.fromEntries(Object.entries(m.settings ?? {}).filter(([k]) => !NOT_CLAIMS.has(k)));
  const self = rc.baseUrl();
  // The registered claims go last: a setting cannot pose as our audience or issuer.
  return new SignJWT({ ...settings, jwks_host: new URL(self).host })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
    .setIssuer(self)
    .setAudience(base)
    .setIssuedAt(now)
    .setExpirationTime(now + TOKEN_SECONDS)
    .sign(key.privateKey);
}

export class RelayTokens {
  private cached: { header: string; renewAt: number } | null = null;

  constructor(private readonly m: ModuleInstance, private readonly auth: ModuleAuth, private readonly base: string, private readonly rc: ResponseContext) {}

  /** The Authorization header, or none for modules that take no auth. */
  async headers(): Promise<Record<string, string>> {
    if (this.auth.type === 'none') return {};
    const now = Math.floor(Date.now() / 1000);
    if (!this.cached || now >= this.cached.renewAt) {
      const token = this.auth.type === 'hs256'
        ? await hs256(this.m, this.auth.key, now)
        : await configurationToken(this.m, this.rc, this.base, now);
      this.cached = { header: `Bearer ${token}`, renewAt: now + TOKEN_SECONDS - RENEW_BEFORE_SECONDS };
    }
    return { authorization: this.cached.header };
  }
}
