// /proc/net/unix, read the way `netstat -anx` renders it:
//   Num       RefCount Protocol Flags    Type St Inode Path
//   0000…: 00000002 00000000 00010000 0001 01 382276 /ngfw/var/sf/run/EventHandler_SSEConnector.sock
// Flags 00010000 (__SO_ACCEPTCON) is a listening socket. An accepted connection carries the
// listener's path too, which is how netstat shows "STREAM CONNECTED … EventHandler …sock".
import { readFile } from 'node:fs/promises';

export type UnixType = 'stream' | 'dgram' | 'seqpacket' | 'other';
export type UnixState = 'listening' | 'unconnected' | 'connecting' | 'connected' | 'disconnecting' | 'unknown';

export interface UnixSocket {
  inode: number;
  type: UnixType;
  state: UnixState;
  /** Absent for unnamed sockets (the connecting side); abstract names start with `@`. */
  path?: string;
}

const ACCEPTCON = 0x10000;
const TYPES: Record<number, UnixType> = { 1: 'stream', 2: 'dgram', 5: 'seqpacket' };
const STATES: Record<number, UnixState> = { 1: 'unconnected', 2: 'connecting', 3: 'connected', 4: 'disconnecting' };
// The path is the rest of the line: a socket path may contain blanks.
const ROW = /^\s*[0-9a-fA-F]+:\s+[0-9a-fA-F]+\s+[0-9a-fA-F]+\s+([0-9a-fA-F]+)\s+([0-9a-fA-F]+)\s+([0-9a-fA-F]+)\s+(\d+)(?: (.*))?$/;

export function parseNetUnix(text: string): UnixSocket[] {
  const out: UnixSocket[] = [];
  for (const line of text.split('\n')) {
    const m = ROW.exec(line);
    if (!m) continue;
    const flags = parseInt(m[1] as string, 16);
    const st = parseInt(m[3] as string, 16);
    const path = m[5]?.trim();
    out.push({
      inode: Number(m[4]),
      type: TYPES[parseInt(m[2] as string, 16)] ?? 'other',
      state: flags & ACCEPTCON ? 'listening' : (STATES[st] ?? 'unknown'),
      ...(path ? { path } : {}),
    });
  }
  return out;
}

/** Unix sockets in the network namespace of `pid` (ours when absent). */
export async function readNetUnix(pid?: number, procRoot = '/proc'): Promise<UnixSocket[]> {
  return parseNetUnix(await readFile(`${procRoot}/${pid ?? 'self'}/net/unix`, 'utf8'));
}
