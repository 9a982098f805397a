// local_api: the note's `curl localhost:8989/v1/contexts/default` answers on connector_port.
import { skipped, type Check, type CheckResult, type DoctorContext } from '../check.js';
import { readNetTcp } from '../proc/net-tcp.js';
import { ownerText } from '../proc/fds.js';
import { restartConnector } from '../remedies.js';
import { shellArg } from '../../command-hint.js';

const id = 'local_api';
const title = 'the local API answers on connector_port';

/** Who listens on the port, as `netstat -ltnp` would say, when something other than us answers. */
async function listenerOf(ctx: DoctorContext, port: number): Promise<string> {
  const listening = (await readNetTcp()).filter((s) => s.state === 'LISTEN' && s.local.port === port);
  if (listening.length === 0) return 'nothing';
  const owners = await ctx.socketOwners();
  return listening.map((s) => `${s.local.address}:${port} ${ownerText(owners.byInode.get(s.inode))}`).join(', ');
}

export const localApiCheck: Check = {
  id,
  title,
  async run(ctx): Promise<CheckResult[]> {
    const c = ctx.config;
    if (!c) return [skipped(id, title, 'connector_port is unknown: connector.properties could not be read (see properties)')];
    const url = `http://127.0.0.1:${c.connectorPort}/v1/contexts/default`;
    const s = ctx.snapshot;
    if (s) {
      return [{ id, title, status: 'ok', evidence: [`GET ${url} → ${s.status}, connector ${s.version}, pid ${s.pid}, hostname ${s.hostname}`] }];
    }
    const error = ctx.snapshotError ?? 'no answer';
    const evidence = [`GET ${url}: ${error}`, `listening on ${c.connectorPort}: ${await listenerOf(ctx, c.connectorPort)}`];
    if (/refused/.test(error)) {
      return [{ id, title, status: 'fail', evidence, cause: `nothing answers on 127.0.0.1:${c.connectorPort}: the connector is not running`, remedy: `${restartConnector(ctx.remedyTarget)} (or \`threatlink connector --config ${shellArg(ctx.configPath)}\`), then read connector.log if it stops again` }];
    }
    if (/did not answer|timed out/.test(error)) {
      return [{ id, title, status: 'fail', evidence, cause: `the connector accepts on ${c.connectorPort} but does not answer: it is hung or stopped (SIGSTOP?)`, remedy: restartConnector(ctx.remedyTarget) }];
    }
    return [{ id, title, status: 'fail', evidence, cause: `something other than the connector answers on ${c.connectorPort}: ${error}`, remedy: `stop that program or set another connector_port in ${c.file}, then ${restartConnector(ctx.remedyTarget)}` }];
  },
};
