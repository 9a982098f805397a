// `threatlink token create|list|revoke`: registration tokens for new devices, made, listed and
// revoked straight in the data dir on the exchange host (file access is the credential there).
import type { Command } from 'commander';
import { openExchangeStores, STORE_OPTION } from './exchange-stores.js';
import { issueRegistrationToken, DEVICE_ID_PATTERN, MAX_TOKEN_USES } from '../exchange/api/registration-tokens.js';
import { parseDuration } from './duration.js';
import { caFingerprintOf } from './exchange-files.js';
import { orgOption } from './org-option.js';
import { registerList } from './token-list.js';
import { registerRevoke } from './token-revoke.js';

interface CreateOptions { dataDir: string; store: string; expiry: string; uses: string; device?: string; org?: string; json?: boolean }

export function register(program: Command): void {
  const token = program.command('token').description('registration tokens for enrolling devices');
  token
    .command('create')
    .description('create a registration token (single use unless --uses)')
    .option('--data-dir <dir>', 'the exchange data dir', process.env.THREATLINK_DATA_DIR ?? './data')
    .option(...STORE_OPTION)
    .option('--expiry <duration>', 'how long it stays valid: 3600, 90m, 36h, 7d', '36h')
    .option('--uses <n>', 'how many devices may enroll with it', '1')
    .option('--device <id>', 'the device id the token is for')
    .option('--org <id|name>', 'the org (default: the first org)')
    .option('--json', 'print the answer as JSON')
    .action(async (o: CreateOptions) => {
      const expiry = parseDuration(o.expiry, '--expiry');
      if (expiry < 60 || expiry > 365 * 86400) throw new Error(`--expiry: "${o.expiry}" must be between 60s and 365d`);
      const uses = Number(o.uses);
      if (!Number.isInteger(uses) || uses < 1 || uses > MAX_TOKEN_USES) throw new Error(`--uses: "${o.uses}" must be a whole number from 1 to ${MAX_TOKEN_USES}`);
      // The API refuses such an id; a token made here for one could never enroll that device.
      if (o.device !== undefined && !new RegExp(DEVICE_ID_PATTERN).test(o.device)) {
        throw new Error(`--device: "${o.device}" is not a device id (1–128 of A–Z a–z 0–9 . _ -)`);
      }
      const { stores, caFile } = await openExchangeStores(o.dataDir, o.store);
      try {
        const org = await orgOption(stores.orgs, o.org);
        const t = await issueRegistrationToken(stores.tokens, caFingerprintOf(caFile), org.id, {
          deviceId: o.device, expirySeconds: expiry, uses,
        });
        process.stdout.write(o.json ? `${JSON.stringify(t)}\n` : `${t.token}\n  expires ${t.expires_at}, ${t.uses} use(s)\n`);
      } finally {
        await stores.close();
      }
    });
  registerList(token);
  registerRevoke(token);
}
