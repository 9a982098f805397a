// The whole server as `threatlink up` runs it: the exchange with response and the console
// plugged in, on one HTTPS port. The only file that knows every layer.
import type { ExchangeConfig } from './exchange/config.js';
import { startExchange, type Exchange, type StartOptions } from './exchange/server.js';
import { responseExtension, type ResponseExtension } from './response/extension.js';
import { consoleExtension } from './console/extension.js';

export interface Threatlink extends Exchange {
  response: ResponseExtension;
}

export async function startThreatlink(config: ExchangeConfig, opts: StartOptions = {}): Promise<Threatlink> {
  const response = responseExtension();
  const ex = await startExchange(config, { ...opts, extensions: [response, consoleExtension(), ...(opts.extensions ?? [])] });
  return Object.assign(ex, { response });
}
