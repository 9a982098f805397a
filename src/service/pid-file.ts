// A pid file names a process only while that process is alive and is the one the file is for:
// after a kill -9 the number may since belong to something else.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cmdline, isAlive } from './proc.js';

export function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The pid in `file` when it is alive and its argv passes `isOurs`; else null. */
export function livePid(file: string, isOurs: (argv: string[]) => boolean): number | null {
  const pid = readPid(file);
  if (pid === null || pid === process.pid || !isAlive(pid)) return null;
  return isOurs(cmdline(pid)) ? pid : null;
}

/** Why this user may not read `file` (it is there, but permission is denied), or null. */
export function pidFileUnreadable(file: string): string | null {
  try {
    readFileSync(file);
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' ? `cannot read ${file}: permission denied` : null;
  }
}

export function writePidFile(file: string, pid = process.pid): void {
  writeFileSync(file, `${pid}\n`);
}

/** Removes the file only if it still names this process: a successor may have written its own. */
export function removePidFileIfOurs(file: string, pid = process.pid): void {
  if (readPid(file) === pid) rmSync(file, { force: true });
}
