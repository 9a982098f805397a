// Remedies more than one check gives, worded once. Commands are the `threatlink service`
// equivalents of the note's pmtool steps.
import { serviceCommand, type ServiceVerb } from '../command-hint.js';

/** Where a connector.properties is looked for when no --config is given. */
export const DEFAULT_CONNECTOR_CONFIG = '/etc/threatlink/connector.properties';

/** `threatlink service VERB connector`, naming the config unless it is the one the command
 * would find by itself: a remedy run as printed must act on the connector that was diagnosed. */
function service(verb: ServiceVerb, configPath?: string): string {
  const own = process.env.THREATLINK_CONNECTOR_CONFIG ?? DEFAULT_CONNECTOR_CONFIG;
  return serviceCommand(verb, 'connector', configPath && configPath !== own ? ['--config', configPath] : []);
}

/** Which connector a remedy acts on: its config, and the command it runs inside when it has no
 * process of its own (the local API's `embedded_in`). */
export type RemedyTarget = string | undefined | { configPath?: string; embeddedIn?: string | null };

function embedded(t: RemedyTarget): string | null {
  return typeof t === 'object' && t.embeddedIn ? t.embeddedIn : null;
}

function configOf(t: RemedyTarget): string | undefined {
  return typeof t === 'object' ? t.configPath : t;
}

/** `threatlink service` manages connectors with a process of their own only. */
function restartHost(host: string): string {
  return `restart \`${host}\` (stop it, then start it again): the connector runs inside it, so \`threatlink service\` does not manage it`;
}

/** The note's post-upgrade fix (pmtool disablebyid / enablebyid SSEConnector, then restart). */
export function restartSequence(t?: RemedyTarget): string {
  const host = embedded(t);
  if (host) return restartHost(host);
  return (['disable', 'enable', 'restart'] as const).map((v) => service(v, configOf(t))).join(' && ');
}

export function restartConnector(t?: RemedyTarget): string {
  const host = embedded(t);
  return host ? restartHost(host) : service('restart', configOf(t));
}

/** A revoked identity stays on disk until deleted, so the DELETE comes first. */
export function enrollAgain(port = 8989): string {
  return 'enroll again with a new token: `threatlink token create` on the exchange, then on the sensor ' +
    `\`curl -XDELETE localhost:${port}/v1/contexts/default\` and ` +
    `\`curl -XPOST localhost:${port}/v1/contexts/default/activations -d '{"token":"<token>"}'\``;
}

export const SYNC_CLOCK = 'set the clock right and keep it synced: `timedatectl set-ntp true` (or chronyc makestep), then restart the connector';

export function allowByName(host: string, port: number): string {
  return `allow outbound TCP ${port} from this host to ${host} by name in the firewall or proxy (its addresses change; do not allow by IP)`;
}
