// Stop as a service manager does: SIGTERM lets the connector drain its in-flight batches and
// the exchange close its store; SIGKILL only once the grace period is over.
import { isAlive } from './proc.js';

export interface StopResult {
  pid: number;
  signal: 'SIGTERM' | 'SIGKILL' | null;
  ms: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (e) {
    // Gone between the check and the signal: that is what we wanted.
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

export async function stopProcess(pid: number, graceMs: number): Promise<StopResult> {
  const t0 = Date.now();
  if (!isAlive(pid)) return { pid, signal: null, ms: 0 };
  signal(pid, 'SIGTERM');
  if (await waitGone(pid, graceMs)) return { pid, signal: 'SIGTERM', ms: Date.now() - t0 };
  signal(pid, 'SIGKILL');
  if (!(await waitGone(pid, 5000))) throw new Error(`pid ${pid} is still there 5 s after SIGKILL (stuck in the kernel?)`);
  return { pid, signal: 'SIGKILL', ms: Date.now() - t0 };
}
