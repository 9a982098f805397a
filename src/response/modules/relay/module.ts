// A relay module instance as a Module: each verb is one POST to the module's Relay API.
import type { CtimObservable } from '../../../ctim/index.js';
import type { CallContext, Module, ModuleInstance, ObserveData, ReferLink, ResponseAction } from '../../module.js';
import { ModuleError } from '../../module.js';
import type { ResponseContext } from '../../context.js';
import { relayConfig } from './config.js';
import { RelayTransport } from './transport.js';
import { RelayTokens } from './tokens.js';
import { asHealth, asItems, asObjectData, asTrigger, unwrap } from './answer.js';

export function createRelayModule(instance: ModuleInstance, rc: ResponseContext): Module {
  const cfg = relayConfig(instance);
  const transport = new RelayTransport(cfg.base, cfg.ca);
  const tokens = new RelayTokens(instance, cfg.auth, cfg.base, rc);
  const who = `relay module ${JSON.stringify(instance.name)}`;

  /** POSTs and reads the answer as `check` wants it. Failures name the module: enrich shows many side by side. */
  async function call<T>(path: string, body: unknown, signal: AbortSignal, check: (url: string, data: unknown) => T, partial?: CallContext['partial']): Promise<T> {
    try {
      const a = await transport.post(path, body, await tokens.headers(), signal);
      const { data, errors } = unwrap(a);
      const out = check(a.url, data);
      if (errors.length > 0) {
        // Partial data is still worth showing, and so is what is missing from it: an analyst
        // must not read "no verdict" where the module said its lookup failed.
        rc.log.warn({ module: instance.name, instance: instance.id, url: a.url, errors }, 'relay module answered partly');
        partial?.(errors.map((e) => ({ type: e.type ?? 'fatal', code: e.code ?? 'module_error', message: `${who}: ${e.message ?? e.code ?? 'error'}` })));
      }
      return out;
    } catch (err) {
      // The deadline's timeout or cancel is the fan-out's to report, unchanged.
      if (signal.aborted && err === signal.reason) throw err;
      if (err instanceof ModuleError) throw new ModuleError(err.code, `${who}: ${err.message}`);
      throw new ModuleError('module_error', `${who}: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  const lists = (verb: string, o: CtimObservable[], c: CallContext) =>
    call(`/${verb}/observables`, o, c.signal, asObjectData, c.partial) as Promise<ObserveData>;

  const can = cfg.capabilities;
  return {
    instance,
    ...(can.has('observe') ? { observe: (o, c) => lists('observe', o, c) } : {}),
    ...(can.has('deliberate') ? { deliberate: (o, c) => lists('deliberate', o, c) } : {}),
    ...(can.has('refer') ? { refer: (o, c) => call('/refer/observables', o, c.signal, asItems, c.partial) as Promise<unknown> as Promise<ReferLink[]> } : {}),
    ...(can.has('respond') ? { respond: (o, c) => call('/respond/observables', o, c.signal, asItems, c.partial) as Promise<unknown> as Promise<ResponseAction[]> } : {}),
    // action-id last: a query parameter cannot redirect the call to another action.
    trigger: (actionId, params, c) => call('/respond/trigger', { ...params, 'action-id': actionId }, c.signal, asTrigger),
    health: (c) => call('/health', undefined, c.signal, asHealth),
    async close() {
      transport.close();
    },
  };
}
