// Everything response's routes and modules need, built once by extension.ts.
import type { FastifyBaseLogger } from 'fastify';
import type { ExchangeContext } from '../exchange/context.js';
import type { ResponseStores } from './store/types.js';
import type { ModuleManager } from './modules/manager.js';
import type { FanOut } from './enrich/fanout.js';

export interface ResponseContext {
  exchange: ExchangeContext;
  stores: ResponseStores;
  modules: ModuleManager;
  /** Calls modules under their limits; holds the answer cache. */
  fanout: FanOut;
  /** Base of stored CTIA ids and of links into the console: this server's public API URL. */
  baseUrl(): string;
  dataDir: string;
  /** Where feed instances may read local files (ExchangeConfig.feedFilesDir). */
  feedFilesDir: string;
  /** Observables a request may carry or its text hold (ExchangeConfig.maxObservables). */
  maxObservables: number;
  log: FastifyBaseLogger;
}
