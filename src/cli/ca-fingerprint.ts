import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { paths } from '../exchange/config.js';
import { shellArg } from '../command-hint.js';
import { caFingerprintOf, present } from './exchange-files.js';

export function register(program: Command): void {
  program
    .command('ca-fingerprint')
    .description('print sha256:<hex> of the exchange CA certificate')
    .option('--data-dir <dir>', 'the exchange data dir', process.env.THREATLINK_DATA_DIR ?? './data')
    .option('--json', 'print {"fingerprint": …}')
    .action((o: { dataDir: string; json?: boolean }) => {
      const file = join(paths(resolve(o.dataDir)).caDir, 'ca.crt');
      if (!present(file)) throw new Error(`no CA certificate at ${file}: run "threatlink up --data-dir ${shellArg(o.dataDir)}" once first`);
      const fp = caFingerprintOf(file);
      process.stdout.write(o.json ? `${JSON.stringify({ fingerprint: fp })}\n` : `${fp}\n`);
    });
}
