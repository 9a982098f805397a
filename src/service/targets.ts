// The two services `threatlink service` controls, and where each keeps the files the pid-file
// manager needs. The connector's live in its data_dir (beside connector.pid, which the connector
// writes itself); the exchange's in its --data-dir (exchange.pid, written by `threatlink up`).
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConnectorConfig } from '../connector/properties.js';
import { pidFile as connectorPidFile } from '../connector/pid-lock.js';
import { livePid } from './pid-file.js';
import { shellArg } from '../command-hint.js';

export const SERVICE_NAMES = ['connector', 'exchange'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const UNITS: Record<ServiceName, string> = {
  connector: 'threatlink-connector.service',
  exchange: 'threatlink-exchange.service',
};

export interface Target {
  name: ServiceName;
  /** The systemd unit in packaging/systemd. */
  unit: string;
  dir: string;
  pidFile: string;
  /** Present while the service is disabled: nothing may start it until `enable`. */
  marker: string;
  /** stdout and stderr of a start by `threatlink service`. */
  logFile: string;
  /** `threatlink …` arguments that start it when no earlier command line is known. */
  args: string[];
  /** The `threatlink service` options that pick this instance, for the commands hints print. */
  selector: string[];
  /** Whether a process's argv is this service (a pid file may outlive its process). */
  isOurs(argv: string[]): boolean;
  /** Beyond a live pid: ready to serve (the connector's local API answers). */
  ready(): Promise<boolean>;
  /** Without a pid file: a process that runs it inside another command (`threatlink up --demo`),
   * which that command starts and stops; null when there is none. */
  embedded?(): Promise<{ pid: number; host: string } | null>;
  /** Why there is no such service here to act on; null when there is. */
  missing?(): string | null;
}

export function connectorTarget(configFile: string, logFile?: string): Target {
  const file = resolve(configFile);
  const { config } = loadConnectorConfig(file);
  const dir = config.dataDir;
  return {
    name: 'connector',
    unit: UNITS.connector,
    dir,
    pidFile: connectorPidFile(dir),
    marker: join(dir, 'connector.disabled'),
    logFile: resolve(logFile ?? join(dir, 'connector.out.log')),
    args: ['connector', '--config', file],
    selector: ['--config', file],
    // The same test the connector's own pid lock applies.
    isOurs: (argv) => argv.some((a) => a.includes('connector')),
    async ready() {
      try {
        const r = await fetch(`http://127.0.0.1:${config.connectorPort}/v1/contexts`, { signal: AbortSignal.timeout(1000) });
        return r.ok;
      } catch {
        return false;
      }
    },
    async embedded() {
      try {
        const r = await fetch(`http://127.0.0.1:${config.connectorPort}/v1/contexts/default`, { signal: AbortSignal.timeout(1000) });
        const s = (await r.json()) as { pid?: unknown; embedded_in?: unknown };
        return typeof s.embedded_in === 'string' && typeof s.pid === 'number' ? { pid: s.pid, host: s.embedded_in } : null;
      } catch {
        return null;
      }
    },
  };
}

export function exchangeTarget(dataDir: string, logFile?: string): Target {
  const dir = resolve(dataDir);
  return {
    name: 'exchange',
    unit: UNITS.exchange,
    dir,
    pidFile: exchangePidFile(dir),
    marker: join(dir, 'exchange.disabled'),
    logFile: resolve(logFile ?? join(dir, 'exchange.log')),
    args: ['up', '--data-dir', dir],
    selector: ['--data-dir', dir],
    isOurs: isExchangeArgv,
    // `threatlink up` writes its pid file only once it listens.
    ready: async () => true,
    // Started from here, `up` would make a new exchange (a new CA) and bury its one showing of
    // the admin credentials in the log file.
    missing() {
      if (!absent(join(dir, 'ca', 'ca.crt'))) return null;
      return `--data-dir ${dir}: no exchange there (no ca/ca.crt); give the data dir of an existing exchange, ` +
        `or make one by running its first start in the foreground, where it prints the admin credentials: threatlink up --data-dir ${shellArg(dir)}`;
    },
  };
}

/** Only a file known not to be there: one this user may not look at is left to the action to report. */
function absent(file: string): boolean {
  try {
    statSync(file);
    return false;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR';
  }
}

export function exchangePidFile(dataDir: string): string {
  return join(resolve(dataDir), 'exchange.pid');
}

/** A pid left by a killed exchange may since belong to something else. */
function isExchangeArgv(argv: string[]): boolean {
  return argv.includes('up');
}

/** The exchange serving this data dir, from its pid file; null when none runs. */
export function runningExchangePid(dataDir: string): number | null {
  return livePid(exchangePidFile(dataDir), isExchangeArgv);
}
