// A real exchange on an address the test chooses (a veth address, a fixed port to reuse, a public
// host name that does not resolve), in this process; the same face as startTestExchange.
import { buildConfig } from '../../src/exchange/config.js';
import { startThreatlink } from '../../src/threatlink.js';
import { https, accessToken, type HttpsOptions } from './https.js';
import { ADMIN_ID, ADMIN_SECRET, tmpDir, type TestExchange } from './exchange.js';

export const ADMIN_ENV = { THREATLINK_BOOTSTRAP_CLIENT_ID: ADMIN_ID, THREATLINK_BOOTSTRAP_CLIENT_SECRET: ADMIN_SECRET };

export async function startExchangeAt(o: { listen: string; publicHost?: string; dataDir?: string }): Promise<TestExchange> {
  const dataDir = o.dataDir ?? tmpDir('tl-exat-');
  const config = buildConfig({ dataDir, listen: o.listen, publicHost: o.publicHost }, {});
  const ex = await startThreatlink(config, { logLevel: process.env.TEST_LOG_LEVEL ?? 'silent', env: ADMIN_ENV });
  const ca = ex.ctx.ca.certPem;
  let token: string | null = null;
  const t: TestExchange = {
    ex, ca, dataDir,
    // By the listen address, not publicHost: that may be a name nobody resolves.
    url: ex.url,
    async token(id = ADMIN_ID, secret = ADMIN_SECRET) {
      token ??= await accessToken(t.url, ca, id, secret);
      return token;
    },
    async api(path, opts: HttpsOptions & { as?: string } = {}) {
      const tok = opts.token ?? (opts.as === 'none' ? undefined : await t.token());
      return https(`${t.url}${path}`, { ca, ...opts, token: tok });
    },
    close: () => ex.close(),
  };
  return t;
}
