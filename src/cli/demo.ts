// `threatlink up --demo`: beside the exchange, a local connector enrolled automatically and fed
// by the sensor simulator through the real EVE source, TLS uplink and acknowledged ingest.
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Exchange } from '../exchange/server.js';
import { issueRegistrationToken } from '../exchange/api/registration-tokens.js';
import { connectorConfigFromText } from '../connector/properties.js';
import { Connector } from '../connector/connector.js';
import { startSimulator } from '../connector/demo/simulator.js';

export interface Demo {
  connector: Connector;
  eveFile: string;
  stop(): Promise<void>;
}

export async function startDemo(ex: Exchange, opts: { connectorPort: number; eventsPerSecond: number }): Promise<Demo> {
  const dir = join(ex.ctx.config.dataDir, 'demo');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const eveFile = join(dir, 'eve.json');
  const propsFile = join(dir, 'connector.properties');
  const port = new URL(ex.url).port;
  const host = new URL(ex.url).hostname.replace(/^\[|\]$/g, '');
  const text = [
    '# written by threatlink up --demo',
    'registration_interval=30',
    `connector_port=${opts.connectorPort}`,
    `connector_fqdn=${host.includes(':') ? `[${host}]` : host}:${port}`,
    `data_dir=${join(dir, 'data')}`,
    'hostname=demo-sensor',
    'source.suricata.type=eve',
    `source.suricata.path=${eveFile}`,
    '',
  ].join('\n');
  writeFileSync(propsFile, text);
  const { config } = connectorConfigFromText(text, propsFile);
  if (!existsSync(join(config.dataDir, 'registration.json'))) {
    const org = (await ex.ctx.stores.orgs.list())[0];
    if (!org) throw new Error('demo: the exchange has no org');
    const t = await issueRegistrationToken(ex.ctx.stores.tokens, ex.ctx.ca.fingerprint, org.id, { expirySeconds: 600, serviceType: 'demo' });
    config.registrationToken = t.token;
  }
  const connector = await Connector.start(config, { embeddedIn: 'threatlink up --demo' });
  // So the console's Doctor page names this connector's config and restart, not a service's.
  const forget = ex.ctx.localConnectors.add(connector);
  const stopSim = startSimulator(eveFile, opts.eventsPerSecond);
  return {
    connector, eveFile,
    async stop() {
      forget();
      stopSim();
      await connector.shutdown('demo stopping');
    },
  };
}
