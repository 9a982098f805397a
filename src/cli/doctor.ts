// `threatlink doctor`: every step of the troubleshooting note, run on the sensor host, with a
// verdict that names the fault and the fix. `--log FILE` reads a connector.log alone, offline.
import { UsageError } from './usage-error.js';
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CHECKS } from '../doctor/checks/index.js';
import { logResult } from '../doctor/checks/log.js';
import { runDoctor } from '../doctor/run.js';
import { exitCode, humanReport, jsonReport } from '../doctor/report.js';
import type { CheckResult } from '../doctor/check.js';
import { registerBundle } from './doctor-bundle.js';
import { DEFAULT_CONNECTOR_CONFIG } from '../doctor/remedies.js';

interface DoctorCliOptions {
  config: string;
  log?: string;
  json?: boolean;
  timeout: string;
  clientId?: string;
  clientSecret?: string;
}


function parseTimeout(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 100 || n > 60_000) throw new UsageError(`--timeout: "${v}" must be a whole number of milliseconds, 100–60000`);
  return n;
}

function apiClient(o: DoctorCliOptions): { clientId: string; clientSecret: string } | null {
  const clientId = o.clientId ?? process.env.THREATLINK_CLIENT_ID;
  const clientSecret = o.clientSecret ?? process.env.THREATLINK_CLIENT_SECRET;
  if (!clientId && !clientSecret) return null;
  if (!clientId || !clientSecret) throw new Error('--client-id and --client-secret go together (or THREATLINK_CLIENT_ID and THREATLINK_CLIENT_SECRET)');
  return { clientId, clientSecret };
}

/** One rewritten status line on a terminal; nothing when stderr is a file or pipe. */
function progressLine(done: number, total: number, pending: string[]): void {
  const text = done < total ? `checking… ${done}/${total} done, waiting for ${pending.join(', ')}` : '';
  // A line longer than the terminal would wrap, and \r could no longer rewrite it.
  process.stderr.write(`\r\x1b[K${text.slice(0, (process.stderr.columns || 80) - 1)}`);
}

export function register(program: Command): void {
  const doctor = program
    .command('doctor')
    .description('check this sensor host end to end (config, registration, connectivity, sockets, event flow, log) and name the fault and its fix')
    .option('--config <file>', `connector.properties (default: $THREATLINK_CONNECTOR_CONFIG or ${DEFAULT_CONNECTOR_CONFIG})`)
    .option('--log <file>', 'only analyse this connector.log, offline (recent = since the last start, at most 15 min before its last line)')
    .option('--json', 'print {"verdict","checks":[{"id","title","status","evidence","cause","remedy"}]}')
    .option('--timeout <ms>', 'bound for each network wait (connect, handshake, answer)', '3000')
    .option('--client-id <id>', 'an API client of the device\'s org, to read the exchange\'s view (or THREATLINK_CLIENT_ID)')
    .option('--client-secret <secret>', 'its secret (or THREATLINK_CLIENT_SECRET)')
    .addHelpText('after', [
      '',
      `Checks, in order: ${CHECKS.map((c) => c.id).join(', ')}`,
      '  (dns, tcp, tls, http: one result per endpoint role, e.g. tcp.eventing; ipc_socket: one per zmq ipc source, e.g. ipc_socket.fmc)',
      'Exit code: 0 all ok (skips count as ok), 1 warnings, 2 failures, 64 a command line it cannot run (nothing checked).',
      '',
    ].join('\n'))
    .action(async (raw: Omit<DoctorCliOptions, 'config'> & { config?: string }) => {
      const o: DoctorCliOptions = { ...raw, config: raw.config ?? process.env.THREATLINK_CONNECTOR_CONFIG ?? DEFAULT_CONNECTOR_CONFIG };
      const timeoutMs = parseTimeout(o.timeout);
      let results: CheckResult[];
      if (o.log !== undefined) {
        const file = resolve(o.log);
        if (!existsSync(file)) throw new UsageError(`--log: ${o.log}: no such file`);
        results = [logResult([file], 'end', { endpoints: {} })];
      } else {
        const tty = process.stderr.isTTY === true;
        results = await runDoctor({
          configPath: resolve(o.config),
          timeoutMs,
          // Within 10 s even when the network black-holes: every wait is cut to what is left.
          deadline: Date.now() + Math.max(7000, 2 * timeoutMs + 1000),
          exchangeApi: apiClient(o),
        }, tty ? progressLine : undefined);
      }
      const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
      process.stdout.write(o.json ? `${JSON.stringify(jsonReport(results), null, 2)}\n` : humanReport(results, colour));
      // Exit now: a resolver thread stuck on a black-holed DNS server must not hold the process.
      process.exit(exitCode(results));
    });
  registerBundle(doctor);
}
