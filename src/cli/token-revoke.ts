// `threatlink token revoke ID`: a token handed out by mistake or leaked stops enrolling devices
// at once, on a running exchange too (it reads the token at each enrollment).
import type { Command } from 'commander';
import { parseRegistrationToken } from '../protocol/registration-token.js';
import { openExchangeStores, STORE_OPTION } from './exchange-stores.js';

export function registerRevoke(token: Command): void {
  token
    .command('revoke <id>')
    .description('revoke a registration token: its id (threatlink token list), or the whole token as create printed it')
    .option('--data-dir <dir>', 'the exchange data dir', process.env.THREATLINK_DATA_DIR ?? './data')
    .option(...STORE_OPTION)
    .option('--json', 'print {"id","org_id","revoked":true}')
    .action(async (raw: string, o: { dataDir: string; store: string; json?: boolean }) => {
      // The whole token is what an operator holds when it leaked; only its id is looked up.
      const id = parseRegistrationToken(raw)?.id ?? raw.trim();
      const { stores } = await openExchangeStores(o.dataDir, o.store);
      try {
        const t = await stores.tokens.get(id);
        if (!t || !(await stores.tokens.revoke(t.org_id, id))) throw new Error(`no registration token ${id} (threatlink token list shows them)`);
        const org = await stores.orgs.get(t.org_id);
        process.stdout.write(o.json ? `${JSON.stringify({ id, org_id: t.org_id, revoked: true })}\n`
          : `revoked registration token ${id} (org ${org?.name ?? t.org_id}); it enrolls no device from now on\n`);
      } finally {
        await stores.close();
      }
    });
}
