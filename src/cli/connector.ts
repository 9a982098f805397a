// `threatlink connector --config connector.properties`: the device-side connector.
import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { loadConnectorConfig, PROPERTY_DOCS } from '../connector/properties.js';
import { Connector } from '../connector/connector.js';
import { acquirePidLock, releasePidLock } from '../connector/pid-lock.js';
import { TOKEN_ENV } from '../service/token-arg.js';
import { listenError } from './listen-error.js';
import { DEFAULT_CONNECTOR_CONFIG } from '../doctor/remedies.js';

export function register(program: Command): void {
  program
    .command('connector')
    .description('run the connector on a sensor host: sources → spool → exchange')
    // The same default as doctor and service: the three must find the same file.
    .option('--config <file>', `connector.properties (Java properties; default: $THREATLINK_CONNECTOR_CONFIG or ${DEFAULT_CONNECTOR_CONFIG})`)
    .option('--token <token>', `enroll with this registration token if not yet enrolled; if it is refused, print why and exit 1 (or set ${TOKEN_ENV}, which ps does not show other users)`)
    .addHelpText('after', `\nconnector.properties keys:\n${PROPERTY_DOCS.map((d) => `  ${d.key.padEnd(24)} ${d.doc}`).join('\n')}\n`)
    .action(async (opts: { config?: string; token?: string }) => {
      // The environment is how `threatlink service` hands a restarted connector its --token.
      const o = {
        config: opts.config ?? (process.env.THREATLINK_CONNECTOR_CONFIG || DEFAULT_CONNECTOR_CONFIG),
        token: opts.token ?? (process.env[TOKEN_ENV] || undefined),
      };
      const { config, warnings } = loadConnectorConfig(o.config);
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      // --token is enrolled below, where its refusal can end the command; the properties' own
      // registration_token stays a try that only logs, as a service starting unattended needs.
      if (o.token) delete config.registrationToken;
      mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
      acquirePidLock(config.dataDir, config.file);
      let c: Connector;
      try {
        c = await Connector.start(config, { onExit: (code) => { releasePidLock(config.dataDir); process.exit(code); } });
      } catch (e) {
        // A connector that never started leaves no pid file behind to be taken for a crash.
        releasePidLock(config.dataDir);
        throw listenError(e, `connector_port=${config.connectorPort} (${config.file})`) ?? e;
      }
      for (const w of warnings) c.log.warn({ file: 'config.go', line: 40, fn: 'config:Load' }, w);
      if (o.token && c.registrationState() !== 'Enrolled') {
        try {
          await c.activate(o.token);
        } catch (e) {
          // Someone typed this token and waits for the answer: the reason goes to them, not
          // only to connector.log, and a connector that cannot enroll does not stay up idle.
          const err = e as Error & { code?: string };
          process.stderr.write(`threatlink connector: enrollment with --token failed${err.code ? ` (${err.code})` : ''}: ${err.message}\n`);
          await c.shutdown(`enrollment with --token failed: ${err.message}`, 1);
          return;
        }
      }
      process.stdout.write(`threatlink connector ${c.registrationState()}; local API http://127.0.0.1:${config.connectorPort}/v1/contexts/default; log ${config.logFile}\n`);
      const stop = (sig: string) => void c.shutdown(`${sig} received`);
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
}
