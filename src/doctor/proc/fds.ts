// Which process holds which socket, from /proc/<pid>/fd links (`socket:[382276]`): the PID/Program
// column of `netstat -anlp` and the process side of `lsof -i`.
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface SocketOwner {
  pid: number;
  comm: string;
}

export interface SocketOwners {
  byInode: Map<number, SocketOwner[]>;
  /** Processes whose fds could not be read (another user's, without root). */
  unreadable: number;
}

/** `socket:[382276]` → 382276; anything else (files, pipes, anon inodes) → null. */
export function parseSocketLink(target: string): number | null {
  const m = /^socket:\[(\d+)\]$/.exec(target);
  return m ? Number(m[1]) : null;
}

/** Socket inodes among the open fds of `pid`; throws (EACCES, ENOENT) when they cannot be read. */
export async function socketInodes(pid: number, procRoot = '/proc'): Promise<Set<number>> {
  const dir = `${procRoot}/${pid}/fd`;
  const fds = await readdir(dir);
  const links = await Promise.all(fds.map((fd) => readlink(`${dir}/${fd}`).catch(() => '')));
  const out = new Set<number>();
  for (const l of links) {
    const inode = parseSocketLink(l);
    if (inode !== null) out.add(inode);
  }
  return out;
}

export async function processName(pid: number, procRoot = '/proc'): Promise<string> {
  return (await readFile(`${procRoot}/${pid}/comm`, 'utf8').catch(() => '?')).trim();
}

/** The command line, NULs as blanks; null when the process is gone. */
export async function processCmdline(pid: number, procRoot = '/proc'): Promise<string | null> {
  try {
    return (await readFile(`${procRoot}/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean).join(' ');
  } catch {
    return null;
  }
}

export async function socketOwners(procRoot = '/proc'): Promise<SocketOwners> {
  const pids = (await readdir(procRoot)).filter((n) => /^\d+$/.test(n)).map(Number);
  const byInode = new Map<number, SocketOwner[]>();
  let unreadable = 0;
  await Promise.all(pids.map(async (pid) => {
    let inodes: Set<number>;
    try {
      inodes = await socketInodes(pid, procRoot);
    } catch (e) {
      // A process that exited while we looked is not "unreadable".
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') unreadable++;
      return;
    }
    if (inodes.size === 0) return;
    const owner = { pid, comm: await processName(pid, procRoot) };
    for (const i of inodes) byInode.set(i, [...(byInode.get(i) ?? []), owner]);
  }));
  // Completion order is arbitrary; a report that reorders between runs reads as a change.
  for (const owners of byInode.values()) owners.sort((a, b) => a.pid - b.pid);
  return { byInode, unreadable };
}

/** `11204/EventHandler`, as netstat -p prints it. */
export function ownerText(owners: SocketOwner[] | undefined): string {
  return owners?.length ? owners.map((o) => `${o.pid}/${o.comm}`).join(', ') : 'unknown process';
}
