// One connector per data_dir: two would append to the same spool and move the same checkpoints.
// The pid file also tells the doctor and `threatlink service` which process is the connector.
import { readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { connectorServiceCommand } from '../command-hint.js';

export function pidFile(dataDir: string): string {
  return join(dataDir, 'connector.pid');
}

/** The pid in the file when that process is alive and is a threatlink connector; else null. */
export function runningConnectorPid(dataDir: string): number | null {
  const f = pidFile(dataDir);
  if (!existsSync(f)) return null;
  const pid = Number(readFileSync(f, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    // A pid left by a killed connector may since belong to something else.
    return cmd.includes('connector') ? pid : null;
  } catch {
    return null;
  }
}

/** `configFile`: the config this connector was started with; the one running on the same
 * data_dir is the one `threatlink service` finds through it. */
export function acquirePidLock(dataDir: string, configFile: string): void {
  const other = runningConnectorPid(dataDir);
  if (other) {
    throw new Error(`another connector (pid ${other}) is running with data_dir ${dataDir}; stop it first: ` +
      `${connectorServiceCommand('disable', configFile)} (its enable starts it again), or kill ${other}`);
  }
  writeFileSync(pidFile(dataDir), `${process.pid}\n`);
}

export function releasePidLock(dataDir: string): void {
  if (runningConnectorPid(dataDir) === null) rmSync(pidFile(dataDir), { force: true });
}
