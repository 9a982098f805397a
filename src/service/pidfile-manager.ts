// Service control without systemd, from the pid file: what pmtool does on a sensor. Disable
// stops the process and leaves a marker (with its command line, so enable can start the same
// thing again); restart refuses while the marker is there.
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { livePid, pidFileUnreadable } from './pid-file.js';
import { cmdline, cwdOf, environVar, exePath, startedAt } from './proc.js';
import { stopProcess } from './stop.js';
import { startDetached } from './start.js';
import { cliArgv } from './cli-entry.js';
import { TOKEN_ENV, splitToken, tokenEnv } from './token-arg.js';
import { serviceCommand } from '../command-hint.js';
import type { Target } from './targets.js';
import type { ActionOptions, ActionResult, Manager, ServiceStatus } from './types.js';

/** `token`: the registration token it was started with, kept out of `argv` (token-arg.ts). */
interface Marker { disabled_at: string; argv: string[] | null; cwd: string | null; token?: string | null }

interface Launch { argv: string[]; cwd: string; token: string | null }

function readMarker(t: Target): Marker | null {
  if (!existsSync(t.marker)) return null;
  try {
    return JSON.parse(readFileSync(t.marker, 'utf8')) as Marker;
  } catch {
    // A marker an operator made with `touch` still means disabled.
    return { disabled_at: '', argv: null, cwd: null, token: null };
  }
}

/** The running process's own command line: a restart must not drop its flags (--listen …),
 * nor the token it was given on it or in its environment. */
function launchOf(pid: number): Launch | null {
  const { argv, token } = splitToken(cmdline(pid));
  const exe = exePath(pid);
  const cwd = cwdOf(pid);
  if (argv.length === 0 || !exe || !cwd) return null;
  return { argv: [exe, ...argv.slice(1)], cwd, token: token ?? environVar(pid, TOKEN_ENV) };
}

export function pidfileManager(t: Target): Manager {
  const pid = () => livePid(t.pidFile, t.isOurs);

  /** No service here (a start would make a new one), or one running inside another command
   * (a second beside it would fight it for the data dir and the port). */
  async function refuseUnactionable(): Promise<void> {
    const missing = t.missing?.();
    if (missing) throw new Error(missing);
    if (pid()) return;
    const e = await t.embedded?.();
    if (e) throw new Error(`the ${t.name} of ${t.dir} runs inside \`${e.host}\` (pid ${e.pid}), which starts and stops it: restart that command instead`);
  }

  function missingDetail(): { detail?: string } {
    const why = t.missing?.();
    return why ? { detail: why } : {};
  }

  async function status(): Promise<ServiceStatus> {
    const p = pid();
    const marker = readMarker(t);
    const e = p ? null : await t.embedded?.();
    if (e) {
      return {
        service: t.name, manager: 'pidfile', state: 'running', enabled: marker === null, pid: e.pid, since: startedAt(e.pid)?.toISOString() ?? null,
        pid_file: t.pidFile, marker: t.marker, log: t.logFile, detail: `runs inside \`${e.host}\`, which starts and stops it`,
      };
    }
    const unreadable = p ? null : pidFileUnreadable(t.pidFile);
    if (unreadable) {
      return {
        service: t.name, manager: 'pidfile', state: 'unknown', enabled: marker === null, pid: null, since: null,
        pid_file: t.pidFile, marker: t.marker, log: t.logFile,
        detail: `${unreadable}, so whether the ${t.name} runs cannot be told as this user: ask as the user it runs as, or as root`,
      };
    }
    return {
      service: t.name,
      manager: 'pidfile',
      state: p ? 'running' : 'stopped',
      enabled: marker === null,
      pid: p,
      since: p ? (startedAt(p)?.toISOString() ?? null) : null,
      pid_file: t.pidFile,
      marker: t.marker,
      log: t.logFile,
      ...(marker?.disabled_at ? { detail: `disabled at ${marker.disabled_at}` } : p ? {} : missingDetail()),
    };
  }

  async function stop(o: ActionOptions, steps: string[]): Promise<Launch | null> {
    const p = pid();
    if (!p) {
      steps.push(`${t.name} was not running`);
      return null;
    }
    const launch = launchOf(p);
    const r = await stopProcess(p, o.stopTimeoutMs);
    steps.push(`stopped ${t.name} (pid ${p}) with ${r.signal ?? 'nothing: it had exited'} in ${r.ms} ms`);
    return launch;
  }

  async function start(launch: Launch | null, o: ActionOptions, steps: string[]): Promise<void> {
    const l = launch ?? { argv: [...cliArgv(), ...t.args], cwd: t.dir, token: null };
    // A marker written before tokens were kept apart may still hold one in its argv.
    const split = splitToken(l.argv);
    const started = await startDetached(split.argv, {
      cwd: l.cwd,
      env: tokenEnv(split.token ?? l.token),
      logFile: t.logFile,
      timeoutMs: o.startTimeoutMs,
      ready: async (child) => pid() === child && (await t.ready()),
    });
    steps.push(`started ${t.name} (pid ${started}); output in ${t.logFile}`);
  }

  return {
    name: 'pidfile',
    status,
    async disable(o) {
      await refuseUnactionable();
      const steps: string[] = [];
      const launch = await stop(o, steps);
      const old = readMarker(t);
      // Keep the command line an earlier disable saved: this stop found nothing running.
      const m: Marker = launch
        ? { disabled_at: new Date().toISOString(), argv: launch.argv, cwd: launch.cwd, token: launch.token }
        : { disabled_at: new Date().toISOString(), argv: old?.argv ?? null, cwd: old?.cwd ?? null, token: old?.token ?? null };
      // It may hold the token: for the owner's eyes only, as the process's environment is.
      writeFileSync(t.marker, `${JSON.stringify(m, null, 2)}\n`, { mode: 0o600 });
      chmodSync(t.marker, 0o600);
      steps.push(`disabled ${t.name}: ${t.marker} keeps it from being started until "${serviceCommand('enable', t.name, t.selector)}"`);
      return { service: t.name, manager: 'pidfile', action: 'disable', steps, status: await status() } satisfies ActionResult;
    },
    async enable(o) {
      await refuseUnactionable();
      const steps: string[] = [];
      const m = readMarker(t);
      rmSync(t.marker, { force: true });
      steps.push(m ? `enabled ${t.name}: removed ${t.marker}` : `${t.name} was already enabled`);
      if (pid()) steps.push(`${t.name} is running (pid ${pid()})`);
      else await start(m?.argv && m.cwd ? { argv: m.argv, cwd: m.cwd, token: m.token ?? null } : null, o, steps);
      return { service: t.name, manager: 'pidfile', action: 'enable', steps, status: await status() };
    },
    async restart(o) {
      await refuseUnactionable();
      if (readMarker(t)) throw new Error(`${t.name} is disabled (${t.marker}): run "${serviceCommand('enable', t.name, t.selector)}" first`);
      const steps: string[] = [];
      const launch = await stop(o, steps);
      await start(launch, o, steps);
      return { service: t.name, manager: 'pidfile', action: 'restart', steps, status: await status() };
    },
  };
}
