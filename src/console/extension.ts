// The console as an exchange extension: sign-in and sessions, console users, and the web app,
// on the exchange's HTTPS server. Users and sessions live in the exchange's store, beside the
// API clients; sign-in failure counts live in memory.
import type { ExchangeExtension } from '../exchange/extension.js';
import { ConsoleSessions, DEFAULT_TIMES, type SessionTimes } from './sessions.js';
import { SignInLimiter } from './sign-in-limiter.js';
import { sessionRoutes } from './api/session.js';
import { userRoutes } from './api/users.js';
import { isCacheableAsset, staticRoutes } from './static.js';

export interface ConsoleOptions {
  times?: SessionTimes;
  /** Where the built web app is (tests); default dist/console-web. */
  webDir?: string;
}

export function consoleExtension(opts: ConsoleOptions = {}): ExchangeExtension {
  let sessions: ConsoleSessions | null = null;
  return {
    name: 'console',
    async register(app, ctx) {
      sessions = new ConsoleSessions(ctx.stores.sessions, opts.times ?? DEFAULT_TIMES);
      await sessionRoutes(app, ctx, sessions, new SignInLimiter());
      await userRoutes(app, ctx);
      await staticRoutes(app, opts.webDir);
    },
    principalOf: async (req) => (sessions ? sessions.principalOf(req) : null),
    cacheable: isCacheableAsset,
  };
}
