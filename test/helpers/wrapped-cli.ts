// The real `threatlink` CLI under a wrapper command — `ip netns exec NS`, `faketime -f +10m` —
// in its own process group, because some wrappers fork (faketime waits on its child) and a
// signal to the wrapper alone would leave the CLI running.
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './process.js';

export interface Wrapped {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Signals the whole group and waits for the wrapper to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const cliArgv = (args: string[]) => [process.execPath, '--import', 'tsx', CLI, ...args];

export function startWrapped(wrapper: string[], args: string[], env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs = 30_000): Promise<Wrapped> {
  const [cmd, ...rest] = [...wrapper, ...cliArgv(args)] as [string, ...string[]];
  const child = spawn(cmd, rest, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const stop = async (signal: NodeJS.Signals = 'SIGKILL') => {
    try { process.kill(-(child.pid as number), signal); } catch { /* the group is gone */ }
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { void stop(); reject(new Error(`${cmd} ${args[0]} not ready in ${timeoutMs} ms:\n${out}`)); }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve({ child, output: () => out, exited, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => { clearTimeout(timer); if (!ready.test(out)) reject(new Error(`${cmd} ${args[0]} exited ${code} before ready:\n${out}`)); });
  });
}

/** Runs the CLI (under `wrapper`, which may be empty) to its end; `ms` is the wall time of the run. */
export function runWrappedToEnd(wrapper: string[], args: string[], env: NodeJS.ProcessEnv = {}, killAfterMs = 60_000):
  Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const [cmd, ...rest] = [...wrapper, ...cliArgv(args)] as [string, ...string[]];
  const t0 = performance.now();
  const child = spawn(cmd, rest, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const killer = setTimeout(() => { try { process.kill(-(child.pid as number), 'SIGKILL'); } catch { /* gone */ } }, killAfterMs);
  return new Promise((resolve) => child.on('close', (code) => {
    clearTimeout(killer);
    resolve({ code, stdout, stderr, ms: performance.now() - t0 });
  }));
}
