// Where the whole server keeps its state: the embedded SQLite files in the data dir (the
// default), or one PostgreSQL database shared by every exchange node (`--store postgres://…`).
// The one place that knows both the exchange's and response's stores.
import type { Stores } from './exchange/store/types.js';
import type { ResponseStores } from './response/store/types.js';
import { openPg } from './exchange/store/postgres/db.js';
import { openPostgresStores } from './exchange/store/postgres/index.js';
import { openPgResponseStores } from './response/store/postgres/index.js';

export interface Backend {
  /** Absent: the SQLite files under the data dir, opened by the exchange and response. */
  stores?: Stores;
  responseStores?: ResponseStores;
}

/** `sqlite` (or nothing) → the embedded default; `postgres://…` / `postgresql://…` → PostgreSQL. */
export async function openBackend(store: string | undefined): Promise<Backend> {
  if (!store || store === 'sqlite') return {};
  if (!/^postgres(ql)?:\/\//.test(store)) {
    throw new Error(`store: "${store}" is neither sqlite nor a postgres://user@host:5432/db URL`);
  }
  const db = await openPg(store);
  try {
    return { stores: await openPostgresStores(db), responseStores: await openPgResponseStores(db) };
  } catch (err) {
    await db.close();
    throw err;
  }
}
