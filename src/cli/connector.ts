// `threatlink connector --config connector.properties`: the device-side connector.
import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { loadConnectorConfig, PROPERTY_DOCS } from '../connector/properties.js';
import { Connector } from '../connector/connector.js';
import { acquirePidLock, releasePidLock } from '../connector/pid-lock.js';

export function register(program: Command): void {
  program
    .command('connector')
    .description('run the connector on a sensor host: sources → spool → exchange')
    .requiredOption('--config <file>', 'connector.properties (Java properties)')
    .option('--token <token>', 'enroll with this registration token if not yet enrolled')
    .addHelpText('after', `\nconnector.properties keys:\n${PROPERTY_DOCS.map((d) => `  ${d.key.padEnd(24)} ${d.doc}`).join('\n')}\n`)
    .action(async (o: { config: string; token?: string }) => {
      const { config, warnings } = loadConnectorConfig(o.config);
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      if (o.token) config.registrationToken = o.token;
      mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
      acquirePidLock(config.dataDir);
      const c = await Connector.start(config, { onExit: (code) => { releasePidLock(config.dataDir); process.exit(code); } });
      for (const w of warnings) c.log.warn({ file: 'config.go', line: 40, fn: 'config:Load' }, w);
      process.stdout.write(`threatlink connector ${c.registrationState()}; local API http://127.0.0.1:${config.connectorPort}/v1/contexts/default; log ${config.logFile}\n`);
      const stop = (sig: string) => void c.shutdown(`${sig} received`);
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
}
