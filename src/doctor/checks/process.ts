// process: the pid in data_dir/connector.pid is alive, is a connector, and is the process that
// answers the local API (two connectors, or a stale pid file, show here).
import { readFileSync } from 'node:fs';
import { pidFile } from '../../connector/pid-lock.js';
import { skipped, type Check, type CheckResult } from '../check.js';
import { processCmdline } from '../proc/fds.js';
import { restartConnector } from '../remedies.js';

const id = 'process';
const title = 'the connector process runs';

export const processCheck: Check = {
  id,
  title,
  async run(ctx): Promise<CheckResult[]> {
    const c = ctx.config;
    if (!c) return [skipped(id, title, 'data_dir is unknown: connector.properties could not be read (see properties)')];
    const file = pidFile(c.dataDir);
    const apiPid = ctx.snapshot?.pid ?? null;
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch (e) {
      const evidence = [`${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`];
      if (apiPid !== null) {
        evidence.push(`the local API answers from pid ${apiPid}`);
        const host = ctx.snapshot?.embedded_in;
        if (host) {
          evidence.push(`the connector runs inside \`${host}\` (pid ${apiPid}), which starts and stops it: it has no pid file of its own`);
          return [{ id, title, status: 'ok', evidence }];
        }
        return [{ id, title, status: 'warn', evidence, cause: `the connector (pid ${apiPid}) runs without its pid file: it was started another way (in-process, or the file was removed)`, remedy: `${restartConnector(ctx.remedyTarget)}, so the service tools find it` }];
      }
      return [{ id, title, status: 'fail', evidence, cause: 'the connector is not running (no pid file)', remedy: restartConnector(ctx.remedyTarget) }];
    }
    const pid = Number(text);
    const cmd = Number.isInteger(pid) && pid > 0 ? await processCmdline(pid) : null;
    // A --token on the command line is a credential: it goes nowhere the report goes.
    const shown = cmd?.replace(/(--token[= ])\S+/g, '$1<redacted>');
    const evidence = [`${file}: ${text}`, cmd === null ? `pid ${text}: no such process` : `pid ${pid}: ${shown}`];
    if (apiPid !== null) evidence.push(`the local API answers from pid ${apiPid}`);
    if (cmd === null) {
      return [{ id, title, status: 'fail', evidence, cause: `the connector is not running: ${file} names pid ${text}, which is gone (it crashed or was killed)`, remedy: `${restartConnector(ctx.remedyTarget)}, then look at the end of connector.log for why it stopped` }];
    }
    // A pid left by a killed connector may since belong to something else.
    if (!cmd.includes('connector')) {
      return [{ id, title, status: 'fail', evidence, cause: `pid ${pid} from ${file} is not a connector (the pid was reused after the connector died)`, remedy: restartConnector(ctx.remedyTarget) }];
    }
    if (apiPid !== null && apiPid !== pid) {
      return [{ id, title, status: 'fail', evidence, cause: `two connectors: pid ${pid} holds ${file}, but pid ${apiPid} answers on connector_port ${c.connectorPort}`, remedy: `stop the one that should not run (\`kill ${apiPid}\` or \`kill ${pid}\`), then ${restartConnector(ctx.remedyTarget)}` }];
    }
    return [{ id, title, status: 'ok', evidence }];
  },
};
