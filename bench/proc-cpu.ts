// The CPU time another process has used, for benchmarks that put a figure on what each part of
// a run costs. Linux only (/proc), as the benchmarks' machine is.
import { readFileSync } from 'node:fs';

// USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every Linux port Node runs on.
const CLOCK_TICKS = 100;

/** CPU milliseconds (user + system, all threads) `pid` has used so far; NaN if unreadable. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from its closing one.
    // What follows starts at field 3, so utime (14) and stime (15) are at 11 and 12.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** CPU milliseconds this process (all its threads) has used so far. */
export function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
