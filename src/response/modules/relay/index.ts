// The relay kind: a remote module speaking CTR's Relay API over HTTP(S), configured per
// instance with its URL, its auth and optionally the CA it is signed by.
import type { ModuleKind } from '../kind.js';
import { ModuleConfigError } from '../kind.js';
import type { Module, ModuleInstance } from '../../module.js';
import { ModuleError } from '../../module.js';
import type { ResponseContext } from '../../context.js';
import { relayConfig } from './config.js';
import { createRelayModule } from './module.js';

/**
 * An instance stored before a rule got stricter: it fails on its own, with the reason, instead
 * of throwing out of the manager and taking the org's whole enrich down with it.
 */
function misconfigured(instance: ModuleInstance, err: ModuleConfigError): Module {
  const fail = async (): Promise<never> => {
    throw new ModuleError('misconfigured', `relay module ${JSON.stringify(instance.name)}: ${err.message}`);
  };
  return { instance, observe: fail, deliberate: fail, refer: fail, respond: fail, trigger: fail, health: fail };
}

export const relayKind: ModuleKind = {
  kind: 'relay',
  typeId: 'threatlink.relay',
  description: 'Relay module (remote, CTR Relay API)',
  validate(m) {
    relayConfig(m);
  },
  create(m: ModuleInstance, rc: ResponseContext): Module {
    try {
      return createRelayModule(m, rc);
    } catch (err) {
      if (err instanceof ModuleConfigError) return misconfigured(m, err);
      throw err;
    }
  },
};
