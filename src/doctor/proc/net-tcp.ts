// /proc/<pid>/net/tcp and tcp6, read the way `lsof -i` and `netstat -ant` show them:
//   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
//    0: 0100007F:1F90 0100007F:D2C4 01 00000000:00000000 00:00000000 00000000  1000        0 26077679 …
// Addresses are the kernel's 32-bit words printed in host byte order, ports in hex.
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';

export type TcpState =
  | 'ESTABLISHED' | 'SYN_SENT' | 'SYN_RECV' | 'FIN_WAIT1' | 'FIN_WAIT2' | 'TIME_WAIT' | 'CLOSE'
  | 'CLOSE_WAIT' | 'LAST_ACK' | 'LISTEN' | 'CLOSING' | 'NEW_SYN_RECV' | 'UNKNOWN';

const STATES: TcpState[] = [
  'UNKNOWN', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE',
  'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV',
];

export interface TcpEndpoint {
  address: string;
  port: number;
}

export interface TcpSocket {
  local: TcpEndpoint;
  remote: TcpEndpoint;
  state: TcpState;
  uid: number;
  inode: number;
}

const LITTLE = endianness() === 'LE';

/** Network-order bytes of one 32-bit word as the kernel printed it. */
function wordBytes(hex8: string): number[] {
  const n = parseInt(hex8, 16);
  const b = [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
  return LITTLE ? b : b.reverse();
}

/** `0100007F` → 127.0.0.1; 32 hex digits → IPv6, with v4-mapped addresses shown as plain IPv4. */
export function decodeAddress(hex: string): string {
  if (hex.length === 8) return wordBytes(hex).join('.');
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 8) bytes.push(...wordBytes(hex.slice(i, i + 8)));
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16));
  return compressIpv6(groups);
}

// RFC 5952: the longest run of two or more zero groups becomes "::".
function compressIpv6(groups: string[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < groups.length; ) {
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j > i ? j : i + 1;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

const ROW = /^\s*\d+:\s+([0-9A-Fa-f]+):([0-9A-Fa-f]{4})\s+([0-9A-Fa-f]+):([0-9A-Fa-f]{4})\s+([0-9A-Fa-f]{2})\s+\S+\s+\S+\s+\S+\s+(\d+)\s+\d+\s+(\d+)/;

export function parseNetTcp(text: string): TcpSocket[] {
  const out: TcpSocket[] = [];
  for (const line of text.split('\n')) {
    const m = ROW.exec(line);
    if (!m) continue;
    out.push({
      local: { address: decodeAddress(m[1] as string), port: parseInt(m[2] as string, 16) },
      remote: { address: decodeAddress(m[3] as string), port: parseInt(m[4] as string, 16) },
      state: STATES[parseInt(m[5] as string, 16)] ?? 'UNKNOWN',
      uid: Number(m[6]),
      inode: Number(m[7]),
    });
  }
  return out;
}

/** TCP sockets over IPv4 and IPv6 in the network namespace of `pid` (ours when absent). */
export async function readNetTcp(pid?: number, procRoot = '/proc'): Promise<TcpSocket[]> {
  const base = `${procRoot}/${pid ?? 'self'}/net`;
  const texts = await Promise.all(['tcp', 'tcp6'].map((f) => readFile(`${base}/${f}`, 'utf8').catch(() => '')));
  return texts.flatMap(parseNetTcp);
}
