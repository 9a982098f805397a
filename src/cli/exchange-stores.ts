// The exchange's stores for a command run on the exchange host (token create, org create,
// org list): the SQLite files in the data dir, or the PostgreSQL database `up --store` names.
// The CA stays in the data dir either way.
import { join, resolve } from 'node:path';
import { paths } from '../exchange/config.js';
import type { Stores } from '../exchange/store/types.js';
import { openSqliteStores } from '../exchange/store/sqlite/index.js';
import { openPg } from '../exchange/store/postgres/db.js';
import { openPostgresStores } from '../exchange/store/postgres/index.js';
import { checkBackend } from '../store-backend.js';
import { shellArg } from '../command-hint.js';
import { present } from './exchange-files.js';

export const STORE_OPTION: [string, string, string] = [
  '--store <sqlite|postgres://…>',
  'where the exchange keeps its state, as given to `threatlink up --store`',
  process.env.THREATLINK_STORE ?? 'sqlite',
];

export async function openExchangeStores(dataDir: string, store: string): Promise<{ stores: Stores; caFile: string }> {
  checkBackend(store, undefined);
  const p = paths(resolve(dataDir));
  const caFile = join(p.caDir, 'ca.crt');
  const sqlite = store === 'sqlite';
  if (!present(caFile) || (sqlite && !present(p.db))) {
    throw new Error(`no exchange in ${dataDir}: run "threatlink up --data-dir ${shellArg(dataDir)}${sqlite ? '' : ' --store …'}" once first`);
  }
  if (sqlite) {
    try {
      return { stores: openSqliteStores(p.db), caFile };
    } catch (e) {
      // SQLite's "file is not a database" names no file.
      throw new Error(`${p.db}: ${(e as Error).message}; is ${dataDir} an exchange's data dir?`);
    }
  }
  const db = await openPg(store);
  try {
    return { stores: await openPostgresStores(db), caFile };
  } catch (err) {
    await db.close();
    throw err;
  }
}
