// Where the whole server keeps its state and how its nodes talk: the embedded SQLite files in
// the data dir with an in-process bus (the default), or one PostgreSQL database shared by
// every exchange node (`--store postgres://…`), with NATS JetStream between them
// (`--bus nats://…`). The one place that knows both the exchange's and response's stores.
import type { Stores } from './exchange/store/types.js';
import type { ResponseStores } from './response/store/types.js';
import type { Bus } from './exchange/bus/types.js';
import { openPg } from './exchange/store/postgres/db.js';
import { openPostgresStores } from './exchange/store/postgres/index.js';
import { openPgResponseStores } from './response/store/postgres/index.js';
import { natsBus } from './exchange/bus/nats.js';

export interface Backend {
  /** Absent: the SQLite files under the data dir, opened by the exchange and response. */
  stores?: Stores;
  responseStores?: ResponseStores;
  /** Absent: in-process. */
  bus?: Bus;
}

/** Refuses a combination that would lose or split data, before anything is opened. */
export function checkBackend(store: string | undefined, bus: string | undefined): void {
  const sqlite = !store || store === 'sqlite';
  if (!sqlite && !/^postgres(ql)?:\/\//.test(store)) {
    throw new Error(`store: "${store}" is neither sqlite nor a postgres://user@host:5432/db URL`);
  }
  const memory = !bus || bus === 'memory';
  if (!memory && !/^(nats|tls):\/\//.test(bus)) {
    throw new Error(`bus: "${bus}" is neither memory nor a nats://host:4222 URL`);
  }
  if (sqlite && !memory) {
    throw new Error('bus: NATS joins exchange nodes that share one database; give --store postgres://… too (SQLite is one node\'s own)');
  }
}

/** `sqlite`/`memory` (or nothing) → the embedded default. */
export async function openBackend(store: string | undefined, bus?: string): Promise<Backend> {
  checkBackend(store, bus);
  if (!store || store === 'sqlite') return {};
  const db = await openPg(store);
  try {
    const out: Backend = { stores: await openPostgresStores(db), responseStores: await openPgResponseStores(db) };
    if (bus && bus !== 'memory') out.bus = await natsBus(bus);
    return out;
  } catch (err) {
    await db.close();
    throw err;
  }
}
