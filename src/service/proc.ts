// What /proc says about a pid: `ps` without the dependency. A zombie counts as gone: its pid
// still exists until someone reaps it, but nothing runs there any more.
import { readFileSync, readlinkSync } from 'node:fs';

export function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  const s = procState(pid);
  return s !== null && s !== 'Z' && s !== 'X';
}

export function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
  } catch {
    return [];
  }
}

/** One variable of the environment the process started with; readable by its owner and root only. */
export function environVar(pid: number, name: string): string | null {
  try {
    const entry = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((e) => e.startsWith(`${name}=`));
    return entry === undefined ? null : entry.slice(name.length + 1);
  } catch {
    return null;
  }
}

export function exePath(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}

export function cwdOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
}

/** When the process started: its start tick (stat field 22) after the boot time in /proc/stat. */
export function startedAt(pid: number): Date | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Field 22 overall is index 19 after the state (field 3).
    const ticks = Number(fields[19]);
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    // USER_HZ is 100 on every Linux ABI Node runs on.
    if (!Number.isFinite(ticks) || !Number.isFinite(btime)) return null;
    return new Date((btime + ticks / 100) * 1000);
  } catch {
    return null;
  }
}
