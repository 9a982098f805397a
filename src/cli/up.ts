// `threatlink up`: the exchange (and later response and console) in one process on one port.
import type { Command } from 'commander';
import { logLevelOption, numberOption } from './number-option.js';
import { buildConfig, parseListen, DEFAULT_MAX_OBSERVABLES, ENDPOINT_ROLES, type EndpointMap, type EndpointRole } from '../exchange/config.js';
import { startThreatlink } from '../threatlink.js';
import { redactUrl } from '../doctor/redact-url.js';
import { startDemo, type Demo } from './demo.js';
import { writePidFile, removePidFileIfOurs } from '../service/pid-file.js';
import { exchangePidFile, runningExchangePid } from '../service/targets.js';
import { serviceCommand } from '../command-hint.js';
import { listenError } from './listen-error.js';
import { isIP } from 'node:net';
import { statSync } from 'node:fs';

interface UpOptions { demo?: boolean; demoConnectorPort: string; demoRate: string; endpoint: string[]; retentionDays: string; retentionBytes: string; feedFilesDir?: string; maxObservables: string; dataDir: string; listen: string; tlsCert?: string; tlsKey?: string; region?: string; publicHost?: string; logLevel?: string; store: string; bus: string }

function collect(v: string, acc: string[]): string[] {
  return [...acc, v];
}

function parseEndpoints(list: string[]): Partial<EndpointMap> {
  const out: Partial<EndpointMap> = {};
  for (const item of list) {
    const i = item.indexOf('=');
    const role = item.slice(0, i) as EndpointRole;
    if (i < 0 || !ENDPOINT_ROLES.includes(role)) {
      throw new Error(`--endpoint: "${item}" must be ROLE=URL with ROLE one of ${ENDPOINT_ROLES.join(', ')}`);
    }
    out[role] = item.slice(i + 1);
  }
  return out;
}

export function register(program: Command): void {
  program
    .command('up')
    .description('run the exchange, response and console on one HTTPS port (state in SQLite under the data dir, or --store postgres://… with --bus nats://… for several nodes)')
    .option('--data-dir <dir>', 'where the CA, certificates and database live', process.env.THREATLINK_DATA_DIR ?? './data')
    .option('--listen <host:port>', 'address to listen on', process.env.THREATLINK_LISTEN ?? '127.0.0.1:8443')
    .option('--public-host <name>', 'host name devices use to reach this exchange (default: the listen host)')
    .option('--region <name>', 'this exchange\'s region name')
    .option('--endpoint <role=url>', 'where devices reach a role (api, est, eventing, mx); repeatable', collect, [])
    .option('--retention-days <n>', 'delete events older than this', process.env.THREATLINK_RETENTION_DAYS ?? '30')
    .option('--retention-bytes <n>', 'keep the event store under this size (0: no limit)', process.env.THREATLINK_RETENTION_BYTES ?? '0')
    .option('--feed-files-dir <dir>', 'feed module instances may read local files only under this directory (default: <data-dir>/feeds)', process.env.THREATLINK_FEED_FILES_DIR)
    .option('--max-observables <n>', 'observables one inspect, enrich, respond or investigate request may carry; more is refused with 400', process.env.THREATLINK_MAX_OBSERVABLES ?? String(DEFAULT_MAX_OBSERVABLES))
    .option('--tls-cert <file>', 'use this server certificate (PEM) instead of one from the exchange CA')
    .option('--tls-key <file>', 'the key of --tls-cert (PEM)')
    .option('--demo', 'also run a local connector fed by a sensor simulator, enrolled automatically')
    .option('--demo-connector-port <port>', 'the demo connector\'s local API port', '8989')
    .option('--demo-rate <n>', 'simulated alerts per second', '5')
    .option('--log-level <level>', 'fatal, error, warn, info, debug', process.env.THREATLINK_LOG_LEVEL ?? 'info')
    .option('--store <sqlite|postgres://…>', 'where state lives: the SQLite files in the data dir, or a PostgreSQL database shared by exchange nodes (?schema=NAME picks a schema)', process.env.THREATLINK_STORE ?? 'sqlite')
    .option('--bus <memory|nats://…>', 'how exchange nodes share ingest and reach each other\'s devices: in-process, or NATS JetStream (nats://host:4222[,nats://host2:4222]?replicas=3&prefix=NAME; tls://… and &ca=FILE for TLS); needs --store postgres://…', process.env.THREATLINK_BUS ?? 'memory')
    .action(async (o: UpOptions) => {
      const retentionDays = numberOption('--retention-days', o.retentionDays, { min: 0.001 });
      const retentionBytes = numberOption('--retention-bytes', o.retentionBytes, { min: 0, integer: true });
      const maxObservables = numberOption('--max-observables', o.maxObservables, { min: 1, integer: true });
      const logLevel = o.logLevel === undefined ? undefined : logLevelOption(o.logLevel === process.env.THREATLINK_LOG_LEVEL ? 'THREATLINK_LOG_LEVEL' : '--log-level', o.logLevel);
      const demoPort = numberOption('--demo-connector-port', o.demoConnectorPort, { min: 1, max: 65535, integer: true });
      const demoRate = numberOption('--demo-rate', o.demoRate, { min: 0.1, max: 10_000 });
      // Checked here so the error names the option (or variable) as typed; buildConfig's own
      // words are the config's (`listen:`, `endpoints.api:`), which no one typed.
      const listenFlag = o.listen === process.env.THREATLINK_LISTEN ? 'THREATLINK_LISTEN' : '--listen';
      try { parseListen(o.listen); } catch (e) { throw new Error(`${listenFlag}: ${(e as Error).message.replace(/^listen: /, '')}`); }
      if (o.publicHost !== undefined && isIP(o.publicHost) === 0 && !/^[A-Za-z0-9._-]+$/.test(o.publicHost)) {
        throw new Error(`--public-host: "${o.publicHost}" is not a host name or address`);
      }
      regionOption(o.region);
      feedFilesDirOption(o.feedFilesDir);
      const config = buildConfig({
        dataDir: o.dataDir, listen: o.listen, tlsCert: o.tlsCert, tlsKey: o.tlsKey, region: o.region, publicHost: o.publicHost,
        endpoints: parseEndpoints(o.endpoint), retentionDays, retentionBytes,
        feedFilesDir: o.feedFilesDir, maxObservables,
      });
      // Two exchanges on one data dir would share its database and the second's pid file would
      // hide the first from `threatlink service`.
      const other = runningExchangePid(config.dataDir);
      if (other !== null) {
        throw new Error(`an exchange (pid ${other}) already runs on --data-dir ${config.dataDir}; stop it first ` +
          `(${serviceCommand('disable', 'exchange', ['--data-dir', config.dataDir])}) or give another --data-dir`);
      }
      const listenSetting = o.listen === process.env.THREATLINK_LISTEN ? `THREATLINK_LISTEN=${o.listen}` : `--listen ${o.listen}`;
      const ex = await startThreatlink(config, { logLevel, store: o.store, bus: o.bus }).catch((err: unknown) => {
        throw listenError(err, listenSetting) ?? err;
      });
      const b = ex.bootstrap;
      const out = process.stdout;
      // Written once listening: `threatlink service` and the doctor find the exchange by it.
      writePidFile(exchangePidFile(config.dataDir));
      out.write(`threatlink exchange listening on ${ex.url}\n`);
      out.write(`  data dir        ${config.dataDir}\n`);
      out.write(`  feed files      ${config.feedFilesDir} (the only files feeds may read)\n`);
      out.write(`  store           ${o.store === 'sqlite' ? 'SQLite (data dir)' : redactUrl(o.store)}\n`);
      out.write(`  bus             ${o.bus === 'memory' ? 'in-process' : `NATS JetStream ${o.bus.split(',').map(redactUrl).join(',')}`}\n`);
      out.write(`  CA fingerprint  ${ex.ctx.ca.fingerprint}\n`);
      if (b.origin === 'generated') {
        out.write(`  admin API client created (generated; shown once, store it now):\n`);
        out.write(`    client id      ${b.clientId}\n    client secret  ${b.generatedSecret}\n`);
      } else if (b.origin === 'environment') {
        out.write(`  admin API client ${b.clientId} created from THREATLINK_BOOTSTRAP_CLIENT_ID/SECRET\n`);
      } else {
        out.write(`  admin API client: created at first start (its secret was shown then, or came from THREATLINK_BOOTSTRAP_CLIENT_*)\n`);
      }
      const u = b.user;
      if (u.origin === 'generated') {
        out.write(`  console admin user created (generated; shown once, store it now):\n`);
        out.write(`    user           ${u.username}\n    password       ${u.generatedPassword}\n`);
      } else if (u.origin === 'environment') {
        out.write(`  console admin user ${u.username} created from THREATLINK_BOOTSTRAP_USER/PASSWORD\n`);
      }
      out.write(`  console         ${ex.url}/console/\n`);
      out.write(`  health          ${ex.url}/healthz\n`);
      let demo: Demo | null = null;
      if (o.demo) {
        demo = await startDemo(ex, { connectorPort: demoPort, eventsPerSecond: demoRate }).catch(async (err: NodeJS.ErrnoException) => {
          await ex.close();
          removePidFileIfOurs(exchangePidFile(config.dataDir));
          if (err.code === 'EADDRINUSE') throw new Error(`--demo-connector-port ${demoPort}: the port is taken (another connector?); give another with --demo-connector-port`);
          throw err;
        });
        out.write(`  demo connector  ${demo.connector.registrationState()}, device ${demo.connector.snapshot().registration.device_id}; local API http://127.0.0.1:${o.demoConnectorPort}/v1/contexts/default\n`);
        out.write(`  demo sensor     ${o.demoRate} alerts/s into ${demo.eveFile}\n`);
      }
      let stopping = false;
      const stop = (sig: string) => {
        if (stopping) return;
        stopping = true;
        ex.app.log.info({ sig }, 'shutting down');
        (demo ? demo.stop() : Promise.resolve()).then(() => ex.close()).finally(() => removePidFileIfOurs(exchangePidFile(config.dataDir))).then(() => process.exit(0), () => process.exit(1));
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
}

/** A region is a name devices and the console show and endpoint maps carry: one short label. */
function regionOption(flag: string | undefined): void {
  const fromEnv = flag === undefined;
  const value = flag ?? process.env.THREATLINK_REGION;
  if (value === undefined || /^[A-Za-z0-9._-]{1,64}$/.test(value)) return;
  throw new Error(`${fromEnv ? 'THREATLINK_REGION' : '--region'}: "${value}" is not a region name (1 to 64 letters, digits, '.', '_' or '-', e.g. eu-1)`);
}

/** Feeds read files only under this directory; a file there would make every local feed fail later, each with a puzzling error. */
function feedFilesDirOption(dir: string | undefined): void {
  if (dir === undefined) return;
  const flag = dir === process.env.THREATLINK_FEED_FILES_DIR ? 'THREATLINK_FEED_FILES_DIR' : '--feed-files-dir';
  if (dir.trim() === '') throw new Error(`${flag}: empty; give the directory feeds may read files from`);
  let isDir = true;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    return; // not there yet: feeds read from it once it is made
  }
  if (!isDir) throw new Error(`${flag}: ${dir} is a file, not a directory; give the directory feeds may read files from`);
}
