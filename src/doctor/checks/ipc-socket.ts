// ipc_socket.<source>: the sensor's ZeroMQ ipc socket, as the note checks it with
// `netstat -anlp | grep EventHandler_SSEConnector.sock`: the file exists, the sensor listens on
// it (LISTENING, with its pid/program), and the connector is attached (a CONNECTED entry).
// /proc/net/unix names only the accepting side of a connection, so "the connector is attached"
// comes from the connector's own source state, backed by that CONNECTED entry.
import { lstat } from 'node:fs/promises';
import type { SourceConfig } from '../../connector/sources/types.js';
import type { Check, CheckResult, DoctorContext } from '../check.js';
import { readNetUnix, type UnixSocket } from '../proc/net-unix.js';
import { ownerText, socketInodes } from '../proc/fds.js';
import { restartConnector, restartSequence } from '../remedies.js';

/** Why the path cannot be the sensor's socket: 'missing', another problem, or null when it is a socket. */
async function fileProblem(path: string): Promise<string | null> {
  try {
    const st = await lstat(path);
    return st.isSocket() ? null : `${path} exists but is not a socket`;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'missing' : `${path}: ${code ?? (e as Error).message}`;
  }
}

/** Unnamed connected stream sockets the connector holds: its side of ipc connections. */
async function connectorIpcSockets(pid: number | null, unix: UnixSocket[]): Promise<number | null> {
  if (pid === null) return null;
  const mine = await socketInodes(pid).catch(() => null);
  if (!mine) return null;
  return unix.filter((u) => mine.has(u.inode) && u.type === 'stream' && u.state === 'connected' && !u.path).length;
}

async function checkSource(ctx: DoctorContext, s: SourceConfig, path: string): Promise<CheckResult> {
  const id = `ipc_socket.${s.name}`;
  const title = `sensor socket ${path} (source ${s.name}) has the connector attached`;
  // An abstract name (ipc://@name) has no file: /proc/net/unix is all there is.
  const bad = path.startsWith('@') ? null : await fileProblem(path);
  if (bad === 'missing') {
    return {
      id, title, status: 'fail',
      evidence: [`${path}: no such file or directory`],
      cause: `the sensor's socket ${path} does not exist: its event handler has not created it (the post-upgrade case; connector.log shows "Could not connect to ZeroMQ PUSH endpoint … no such file or directory")`,
      remedy: restartSequence(ctx.remedyTarget),
    };
  }
  if (bad) return { id, title, status: 'fail', evidence: [bad], cause: bad, remedy: `remove ${path} and restart the sensor's event handler, then ${restartSequence(ctx.remedyTarget)}` };

  const pid = ctx.connectorPid;
  // The connector's network namespace is the one whose sockets matter.
  const unix = await readNetUnix(pid ?? undefined).catch(() => readNetUnix());
  const named = unix.filter((u) => u.path === path);
  const listening = named.filter((u) => u.state === 'listening');
  const accepted = named.filter((u) => u.state === 'connected');
  const owners = await ctx.socketOwners();
  const evidence = [
    ...listening.map((u) => `unix ${u.type.toUpperCase()} LISTENING ${u.inode} ${ownerText(owners.byInode.get(u.inode))} ${path}`),
    ...accepted.map((u) => `unix ${u.type.toUpperCase()} CONNECTED ${u.inode} ${ownerText(owners.byInode.get(u.inode))} ${path}`),
  ];
  if (owners.unreadable > 0) evidence.push(`${owners.unreadable} processes' fds could not be read (run as root to see every owner)`);
  if (listening.length === 0) {
    evidence.unshift(`${path} exists, but no socket listens on it`);
    return {
      id, title, status: 'fail', evidence,
      cause: `${path} is a stale socket file: the sensor's event handler that made it is gone`,
      remedy: `restart the sensor's event handler, then ${restartSequence(ctx.remedyTarget)}`,
    };
  }
  const state = ctx.snapshot?.sources.find((x) => x.name === s.name);
  const mine = await connectorIpcSockets(pid, unix);
  if (state) evidence.push(`the connector says source ${s.name} is ${state.state}${state.detail ? ` (${state.detail})` : ''}, ${state.events_read} events read`);
  if (mine !== null) evidence.push(`the connector (pid ${pid}) holds ${mine} connected unix stream socket(s)`);
  // Paused (cloud events off, spool full) keeps the connection; only the kernel's view tells then.
  const attached = state && state.state !== 'paused' ? state.state === 'attached' : (mine ?? 0) > 0;
  if (attached && accepted.length > 0) return { id, title, status: 'ok', evidence };
  const listener = ownerText(owners.byInode.get(listening[0]!.inode));
  if (accepted.length > 0) {
    return {
      id, title, status: 'warn', evidence,
      cause: `${listener} has ${accepted.length} connection(s) on ${path}, but not from this connector: another reader takes the events round-robin`,
      remedy: `stop the other reader (see the CONNECTED lines), then ${restartConnector(ctx.remedyTarget)}`,
    };
  }
  return {
    id, title, status: 'fail', evidence,
    cause: `${listener} listens on ${path} but the connector is not attached: events stay with the sensor`,
    remedy: restartConnector(ctx.remedyTarget),
  };
}

export const ipcSocketCheck: Check = {
  id: 'ipc_socket',
  title: 'sensor ipc sockets have the connector attached',
  async run(ctx): Promise<CheckResult[]> {
    const sources = (ctx.config?.sources ?? []).filter((s) => s.type === 'zmq' && s.endpoint?.startsWith('ipc://'));
    return Promise.all(sources.map((s) => checkSource(ctx, s, (s.endpoint as string).slice('ipc://'.length))));
  },
};
