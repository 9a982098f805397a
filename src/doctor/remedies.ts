// Remedies more than one check gives, worded once. Commands are the `threatlink service`
// equivalents of the note's pmtool steps.

/** Where a connector.properties is looked for when no --config is given. */
export const DEFAULT_CONNECTOR_CONFIG = '/etc/threatlink/connector.properties';

/** `threatlink service VERB connector`, naming the config unless it is the one the command
 * would find by itself: a remedy run as printed must act on the connector that was diagnosed. */
function service(verb: string, configPath?: string): string {
  const own = process.env.THREATLINK_CONNECTOR_CONFIG ?? DEFAULT_CONNECTOR_CONFIG;
  const arg = configPath && configPath !== own ? ` --config ${/^[\w./-]+$/.test(configPath) ? configPath : `'${configPath.replace(/'/g, `'\\''`)}'`}` : '';
  return `threatlink service ${verb} connector${arg}`;
}

/** The note's post-upgrade fix (pmtool disablebyid / enablebyid SSEConnector, then restart). */
export function restartSequence(configPath?: string): string {
  return ['disable', 'enable', 'restart'].map((v) => service(v, configPath)).join(' && ');
}

export function restartConnector(configPath?: string): string {
  return service('restart', configPath);
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
