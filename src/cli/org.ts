// `threatlink org create`: a new tenant with its first admin API client, made in the data dir.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { paths } from '../exchange/config.js';
import { openSqliteStores } from '../exchange/store/sqlite/index.js';
import { createOrgWithAdmin } from '../exchange/orgs.js';

export function register(program: Command): void {
  const org = program.command('org').description('orgs (tenants) on this exchange');
  org
    .command('create <name>')
    .description('create an org and its first admin API client (the secret is shown once)')
    .option('--data-dir <dir>', 'the exchange data dir', process.env.THREATLINK_DATA_DIR ?? './data')
    .option('--json', 'print the answer as JSON')
    .action(async (name: string, o: { dataDir: string; json?: boolean }) => {
      const p = paths(resolve(o.dataDir));
      if (!existsSync(p.db)) throw new Error(`no exchange in ${o.dataDir}: run "threatlink up --data-dir ${o.dataDir}" once first`);
      const stores = openSqliteStores(p.db);
      try {
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
    .option('--json', 'print the answer as JSON')
    .action(async (o: { dataDir: string; json?: boolean }) => {
      const p = paths(resolve(o.dataDir));
      if (!existsSync(p.db)) throw new Error(`no exchange in ${o.dataDir}`);
      const stores = openSqliteStores(p.db);
      try {
        const orgs = await stores.orgs.list();
        process.stdout.write(o.json ? `${JSON.stringify(orgs)}\n` : orgs.map((x) => `${x.id}  ${x.name}\n`).join(''));
      } finally {
        await stores.close();
      }
    });
}
