// `threatlink service {status,enable,disable,restart} {connector,exchange}`: the pmtool-style
// control the doctor's remedies name (the note's "disablebyid, enablebyid, restart").
import { Argument, Option, type Command } from 'commander';
import { SERVICE_NAMES, connectorTarget, exchangeTarget, type ServiceName } from '../service/targets.js';
import { managerFor, type ManagerChoice } from '../service/manager.js';
import type { ActionResult, ServiceStatus } from '../service/types.js';
import { DEFAULT_CONNECTOR_CONFIG } from '../doctor/remedies.js';

interface Options {
  config: string;
  dataDir: string;
  manager: ManagerChoice;
  json?: boolean;
  log?: string;
  stopTimeout: string;
  startTimeout: string;
}


function ms(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag}: "${v}" is not a number of milliseconds`);
  return n;
}

function statusLine(s: ServiceStatus): string {
  const where = s.manager === 'systemd' ? `unit ${s.unit}` : `pid file ${s.pid_file}`;
  const pid = s.pid ? `pid ${s.pid}${s.since ? ` since ${s.since}` : ''}; ` : '';
  return `${s.service}: ${s.state}, ${s.enabled ? 'enabled' : 'disabled'} (${pid}${s.manager}: ${where})${s.detail ? `\n  ${s.detail}` : ''}\n`;
}

function common(cmd: Command): Command {
  return cmd
    .addArgument(new Argument('<service>', 'which service').choices(SERVICE_NAMES))
    .option('--config <file>', 'connector: its connector.properties (data_dir holds connector.pid)', process.env.THREATLINK_CONNECTOR_CONFIG ?? DEFAULT_CONNECTOR_CONFIG)
    .option('--data-dir <dir>', 'exchange: its data dir (holds exchange.pid)', process.env.THREATLINK_DATA_DIR ?? './data')
    .addOption(new Option('--manager <name>', 'systemd when it is init, else the pid file').choices(['auto', 'systemd', 'pidfile']).default('auto'))
    .option('--json', 'print the answer as JSON');
}

function manager(service: ServiceName, o: Options) {
  return managerFor(service, () => (service === 'connector' ? connectorTarget(o.config, o.log) : exchangeTarget(o.dataDir, o.log)), o.manager);
}

export function register(program: Command): void {
  const service = program
    .command('service')
    .description('status, enable, disable, restart the connector or the exchange (systemd, or the pid file without it)')
    .addHelpText('after', `
Without systemd as init, the pid file decides: disable stops the process (SIGTERM, then SIGKILL
after --stop-timeout) and leaves <dir>/<service>.disabled so nothing starts it; enable removes
it and starts the service again; restart stops and starts it, detached, output to --log.
The ZeroMQ-endpoint fix from the troubleshooting note:
  threatlink service disable connector --config FILE
  threatlink service enable connector --config FILE
  threatlink service restart connector --config FILE
`);

  common(service.command('status').description('is it running, and is it enabled (exit 0 running, 3 not, 4 cannot tell)'))
    .action(async (name: ServiceName, o: Options) => {
      const s = await manager(name, o).status();
      process.stdout.write(o.json ? `${JSON.stringify(s)}\n` : statusLine(s));
      // The LSB's status codes, as systemctl and init scripts answer.
      process.exitCode = s.state === 'running' ? 0 : s.state === 'unknown' ? 4 : 3;
    });

  for (const [action, what] of [
    ['enable', 'allow it to run again and start it'],
    ['disable', 'stop it and keep it stopped until enable'],
    ['restart', 'stop it if it runs, then start it'],
  ] as const) {
    common(service.command(action).description(what))
      .option('--log <file>', 'where a start sends its output (default <dir>/connector.out.log, <dir>/exchange.log)')
      .option('--stop-timeout <ms>', 'grace after SIGTERM before SIGKILL', '20000')
      .option('--start-timeout <ms>', 'how long a start may take to be ready', '60000')
      .action(async (name: ServiceName, o: Options) => {
        const m = manager(name, o);
        const opts = { stopTimeoutMs: ms(o.stopTimeout, '--stop-timeout'), startTimeoutMs: ms(o.startTimeout, '--start-timeout') };
        const r: ActionResult = await m[action](opts);
        process.stdout.write(o.json ? `${JSON.stringify(r)}\n` : `${r.steps.join('\n')}\n${statusLine(r.status)}`);
      });
  }
}
