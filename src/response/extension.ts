// Response as an exchange extension: its own store (response.db), the module manager, and the
// parts (parts.ts) wired to the exchange's routes and hooks.
import { join } from 'node:path';
import type { ExchangeExtension } from '../exchange/extension.js';
import type { ResponseContext } from './context.js';
import type { ResponseStores } from './store/types.js';
import { openSqliteResponseStores } from './store/sqlite/index.js';
import { ModuleManager } from './modules/manager.js';
import { MODULE_KINDS } from './modules/kinds.js';
import { RESPONSE_PARTS } from './parts.js';
import { FanOut } from './enrich/fanout.js';
import type { ResponsePart } from './part.js';

export interface ResponseOptions {
  stores?: ResponseStores;
  parts?: readonly ResponsePart[];
}

export interface ResponseExtension extends ExchangeExtension {
  /** Set once registered: for tests and the assembly. */
  context(): ResponseContext;
}

export function responseExtension(opts: ResponseOptions = {}): ResponseExtension {
  const parts = opts.parts ?? RESPONSE_PARTS;
  let rc: ResponseContext | null = null;
  const each = (f: (p: ResponsePart, rc: ResponseContext) => void) => {
    if (!rc) return;
    for (const p of parts) {
      try { f(p, rc); } catch (err) { rc.log.error({ err, part: p.name }, 'response hook failed'); }
    }
  };
  return {
    name: 'response',
    context() {
      if (!rc) throw new Error('response is not registered yet');
      return rc;
    },
    async register(app, ctx) {
      const stores = opts.stores ?? openSqliteResponseStores(join(ctx.config.dataDir, 'response.db'));
      const modules = new ModuleManager(MODULE_KINDS);
      rc = {
        exchange: ctx, stores, modules, fanout: new FanOut((m) => modules.typeId(m.instance), stores.enrichShare, (err) => ctx.log.warn({ err }, 'shared enrich cache or budget unreachable; this node\'s own used')), dataDir: ctx.config.dataDir, feedFilesDir: ctx.config.feedFilesDir, maxObservables: ctx.config.maxObservables, log: ctx.log.child({ part: 'response' }),
        baseUrl: () => ctx.config.endpoints.api.replace(/\/+$/, ''),
      };
      modules.bind(rc);
      for (const p of parts) await p.routes?.(app, rc);
      for (const p of parts) await p.start?.(rc);
    },
    beforeCommit: (items) => each((p, c) => p.beforeCommit?.(c, items)),
    afterCommit: (items, inserted) => each((p, c) => p.afterCommit?.(c, items, inserted)),
    deviceConnected: (d, o) => each((p, c) => p.deviceConnected?.(c, d, o)),
    controlAck: (d, o, a) => each((p, c) => p.controlAck?.(c, d, o, a)),
    deviceActionsWaiting: (d, o) => each((p, c) => p.deviceActionsWaiting?.(c, d, o)),
    async close() {
      if (!rc) return;
      for (const p of [...parts].reverse()) await p.close?.(rc);
      await rc.modules.close();
      await rc.stores.close();
    },
  };
}
