// With systemd as init, the units in packaging/systemd are the service: `threatlink service`
// only words systemctl for the operator, so the two never disagree about what runs.
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startedAt } from './proc.js';
import type { Target } from './targets.js';
import type { ActionResult, Manager, ServiceStatus } from './types.js';

const run = promisify(execFile);

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => {
    try {
      accessSync(join(d || '.', cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** systemctl alone is not enough: containers ship it without systemd running as PID 1. */
export function systemdPresent(): boolean {
  let init = '';
  try {
    init = readFileSync('/proc/1/comm', 'utf8').trim();
  } catch {
    return false;
  }
  return init === 'systemd' && onPath('systemctl');
}

async function systemctl(args: string[]): Promise<string> {
  try {
    const r = await run('systemctl', args, { timeout: 60_000 });
    return r.stdout;
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`systemctl ${args.join(' ')} failed: ${(err.stderr ?? '').trim() || err.message}`);
  }
}

export function systemdManager(t: Pick<Target, 'name' | 'unit'>): Manager {
  async function status(): Promise<ServiceStatus> {
    const out = await systemctl(['show', t.unit, '--property=LoadState,ActiveState,SubState,MainPID,UnitFileState']);
    const p = Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    if (p.LoadState === 'not-found') {
      throw new Error(`${t.unit} is not installed: copy packaging/systemd/${t.unit} to /etc/systemd/system/ and run systemctl daemon-reload`);
    }
    const pid = Number(p.MainPID) > 0 ? Number(p.MainPID) : null;
    return {
      service: t.name,
      manager: 'systemd',
      state: p.ActiveState === 'active' ? 'running' : 'stopped',
      enabled: p.UnitFileState === 'enabled' || p.UnitFileState === 'enabled-runtime' || p.UnitFileState === 'static',
      pid,
      since: pid ? (startedAt(pid)?.toISOString() ?? null) : null,
      unit: t.unit,
      detail: `${p.ActiveState ?? '?'} (${p.SubState ?? '?'}), unit file ${p.UnitFileState ?? '?'}`,
    };
  }
  const act = (action: ActionResult['action'], args: string[]) => async (): Promise<ActionResult> => {
    await systemctl([...args, t.unit]);
    return { service: t.name, manager: 'systemd', action, steps: [`systemctl ${args.join(' ')} ${t.unit}`], status: await status() };
  };
  return {
    name: 'systemd',
    status,
    // --now: pmtool's enable starts the process and its disable stops it; so do these.
    enable: act('enable', ['enable', '--now']),
    disable: act('disable', ['disable', '--now']),
    restart: act('restart', ['restart']),
  };
}
