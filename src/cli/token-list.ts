// `threatlink token list`: the registration tokens on this exchange and what each can still do.
// Only hashes of the secrets are stored, and none of them is shown.
import type { Command } from 'commander';
import type { RegistrationToken } from '../exchange/store/types.js';
import { openExchangeStores, STORE_OPTION } from './exchange-stores.js';
import { orgOption } from './org-option.js';

type TokenState = 'active' | 'revoked' | 'used' | 'expired';
type Row = RegistrationToken & { org_name: string; state: TokenState };

/** The one reason enrollment would refuse it, in the order the exchange checks them. */
function stateOf(t: RegistrationToken, now: number): TokenState {
  if (t.revoked) return 'revoked';
  if (Date.parse(t.expires_at) <= now) return 'expired';
  return t.uses >= t.uses_allowed ? 'used' : 'active';
}

export function registerList(token: Command): void {
  token
    .command('list')
    .description('list registration tokens (id, org, state: active, used, expired or revoked); the secrets are never shown')
    .option('--data-dir <dir>', 'the exchange data dir', process.env.THREATLINK_DATA_DIR ?? './data')
    .option(...STORE_OPTION)
    .option('--org <id|name>', 'only this org\'s (default: every org\'s)')
    .option('--json', 'print [{"id","org_id","org_name","device_id","state","uses","uses_allowed","expires_at",…}]')
    .action(async (o: { dataDir: string; store: string; org?: string; json?: boolean }) => {
      const { stores } = await openExchangeStores(o.dataDir, o.store);
      try {
        const orgs = o.org === undefined ? await stores.orgs.list() : [await orgOption(stores.orgs, o.org)];
        const now = Date.now();
        const rows: Row[] = [];
        for (const org of orgs) {
          for (const t of await stores.tokens.list(org.id)) rows.push({ ...t, org_name: org.name, state: stateOf(t, now) });
        }
        if (o.json) {
          process.stdout.write(`${JSON.stringify(rows)}\n`);
          return;
        }
        if (rows.length === 0) process.stderr.write('no registration tokens (threatlink token create makes one)\n');
        const w = (k: (r: Row) => string) => Math.max(0, ...rows.map((r) => k(r).length));
        const [wid, worg] = [w((r) => r.id), w((r) => r.org_name)];
        for (const r of rows) {
          const device = r.device_id ? `  device ${r.device_id}` : '';
          process.stdout.write(`${r.id.padEnd(wid)}  ${r.org_name.padEnd(worg)}  ${r.state.padEnd(7)}  ${r.uses}/${r.uses_allowed} used  expires ${r.expires_at}${device}\n`);
        }
      } finally {
        await stores.close();
      }
    });
}
