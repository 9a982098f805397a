// The whole server as `threatlink up` runs it: the exchange with response and the console
// plugged in, on one HTTPS port. The only file that knows every layer.
import type { ExchangeConfig } from './exchange/config.js';
import { startExchange, type Exchange, type StartOptions } from './exchange/server.js';
import { responseExtension, type ResponseExtension } from './response/extension.js';
import { consoleExtension } from './console/extension.js';
import { openBackend } from './store-backend.js';

export interface Threatlink extends Exchange {
  response: ResponseExtension;
}

/** `store`: `sqlite` (default) or a `postgres://` URL; `bus`: `memory` (default) or a
 * `nats://` URL; see store-backend.ts. */
export async function startThreatlink(config: ExchangeConfig, opts: Omit<StartOptions, 'bus'> & { store?: string; bus?: string } = {}): Promise<Threatlink> {
  const backend = opts.stores ? {} : await openBackend(opts.store, opts.bus);
  const response = responseExtension({ stores: backend.responseStores });
  const ex = await startExchange(config, {
    ...opts, stores: opts.stores ?? backend.stores, bus: backend.bus, extensions: [response, consoleExtension(), ...(opts.extensions ?? [])],
  });
  return Object.assign(ex, { response });
}
