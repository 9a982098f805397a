// `threatlink org create`: a new tenant with its first admin API client, made in the data dir.
import type { Command } from 'commander';
import { createOrgWithAdmin } from '../exchange/orgs.js';
import { openExchangeStores, STORE_OPTION } from './exchange-stores.js';

const MAX_NAME = 100;

export function register(program: Command): void {
  const org = program.command('org').description('orgs (tenants) on this exchange');
  org
    .command('create <name>')
    .description('create an org and its first admin API client (the secret is shown once)')
    .option('--data-dir <dir>', 'the exchange data dir', process.env.THREATLINK_DATA_DIR ?? './data')
    .option(...STORE_OPTION)
    .option('--json', 'print the answer as JSON')
    .action(async (raw: string, o: { dataDir: string; store: string; json?: boolean }) => {
      const name = raw.trim();
      if (name === '') throw new Error('org name: empty; give the org a name');
      if (name.length > MAX_NAME) throw new Error(`org name: ${name.length} characters; at most ${MAX_NAME}`);
      const { stores } = await openExchangeStores(o.dataDir, o.store);
      try {
        if ((await stores.orgs.list()).some((x) => x.name === name)) throw new Error(`org name: an org named ${name} exists already (threatlink org list)`);
        const made = await createOrgWithAdmin(stores, name);
        const out = { org_id: made.org.id, name, client_id: made.clientId, client_secret: made.clientSecret };
        process.stdout.write(o.json ? `${JSON.stringify(out)}\n`
          : `org ${name} (${made.org.id})\n  admin client id      ${made.clientId}\n  admin client secret  ${made.clientSecret}  (shown once)\n`);
      } finally {
        await stores.close();
      }
    });
  org
    .command('list')
    .description('list orgs')
    .option('--data-dir <dir>', 'the exchange data dir', process.env.THREATLINK_DATA_DIR ?? './data')
    .option(...STORE_OPTION)
    .option('--json', 'print the answer as JSON')
    .action(async (o: { dataDir: string; store: string; json?: boolean }) => {
      const { stores } = await openExchangeStores(o.dataDir, o.store);
      try {
        const orgs = await stores.orgs.list();
        process.stdout.write(o.json ? `${JSON.stringify(orgs)}\n` : orgs.map((x) => `${x.id}  ${x.name}\n`).join(''));
      } finally {
        await stores.close();
      }
    });
}
