// Starts a service detached (its own session, stdio to a log file) so it outlives the
// `threatlink service` command that started it, and waits until it is ready.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, fstatSync } from 'node:fs';
import { dirname } from 'node:path';

export interface StartOptions {
  cwd: string;
  logFile: string;
  /** True once the started pid is the service and it serves. */
  ready: (pid: number) => Promise<boolean>;
  timeoutMs: number;
  /** The child's environment; ours when absent. */
  env?: NodeJS.ProcessEnv;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tail(file: string, from: number, max = 4000): string {
  let fd: number | null = null;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const start = Math.max(from, size - max);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    return buf.toString('utf8').trim();
  } catch {
    return '';
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** `argv[0]` is the executable; returns the pid once `ready` says so. */
export async function startDetached(argv: string[], o: StartOptions): Promise<number> {
  const [exe, ...args] = argv;
  if (!exe) throw new Error('nothing to start: empty command line');
  mkdirSync(dirname(o.logFile), { recursive: true });
  const out = openSync(o.logFile, 'a', 0o640);
  const from = fstatSync(out).size;
  const child = spawn(exe, args, { cwd: o.cwd, env: o.env ?? process.env, detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  let exit: { code: number | null; signal: string | null } | null = null;
  let spawnError: Error | null = null;
  child.on('exit', (code, signal) => (exit = { code, signal }));
  child.on('error', (e) => (spawnError = e));
  child.unref();
  const end = Date.now() + o.timeoutMs;
  const why = () => {
    const t = tail(o.logFile, from);
    return t ? `; its output (${o.logFile}):\n${t}` : `; nothing in ${o.logFile}`;
  };
  while (Date.now() < end) {
    if (spawnError) throw new Error(`cannot start ${exe}: ${(spawnError as Error).message}`);
    if (exit) {
      const e = exit as { code: number | null; signal: string | null };
      throw new Error(`${args.slice(0, 3).join(' ')} exited at once (${e.signal ?? `code ${e.code}`})${why()}`);
    }
    if (child.pid !== undefined && (await o.ready(child.pid))) return child.pid;
    await sleep(100);
  }
  throw new Error(`pid ${child.pid} did not become ready in ${o.timeoutMs} ms (it is left running)${why()}`);
}
