// TCP connects, direct or through an HTTP proxy (CONNECT), and what their failures mean: a
// timeout is dropped SYNs (egress blocked), a refusal is a closed port — different fixes.
import { connect, type Socket } from 'node:net';
import { within } from './within.js';

export type DialFailure = 'timeout' | 'refused' | 'unreachable' | 'reset' | 'other';

export function dialTcp(address: string, port: number, ms: number): Promise<Socket> {
  const socket = connect({ host: address, port });
  return within(
    new Promise<Socket>((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('error', reject);
    }),
    ms,
    () => socket.destroy(),
  ).catch((e: unknown) => {
    socket.destroy();
    throw e;
  });
}

export function dialFailure(e: NodeJS.ErrnoException): DialFailure {
  switch (e.code) {
    case 'ETIMEDOUT': return 'timeout';
    case 'ECONNREFUSED': return 'refused';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH': return 'unreachable';
    case 'ECONNRESET':
    case 'EPIPE': return 'reset';
    default: return 'other';
  }
}

export const DIAL_MEANING: Record<DialFailure, string> = {
  timeout: 'no answer to the SYN: egress is blocked (a firewall drops the packets)',
  refused: 'refused: nothing is listening on that port (port closed, service down, or a firewall rejecting)',
  unreachable: 'no route to the address: a routing problem or an ICMP-rejecting firewall',
  reset: 'the connection was reset: a middlebox cuts it',
  other: 'the connection failed',
};

/** Asks the proxy for a tunnel; resolves with the proxy's status line once it answers 2xx. */
export function proxyTunnel(socket: Socket, proxy: URL, host: string, port: number, ms: number): Promise<string> {
  const target = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const auth = proxy.username
    ? `Proxy-Authorization: Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}\r\n`
    : '';
  socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`);
  return within(
    new Promise<string>((resolve, reject) => {
      let head = '';
      const onData = (d: Buffer): void => {
        head += d.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        socket.off('error', reject);
        socket.pause();
        const statusLine = head.slice(0, head.indexOf('\r\n'));
        const status = Number(/^HTTP\/\d(?:\.\d)? (\d{3})/.exec(statusLine)?.[1] ?? 0);
        if (status >= 200 && status < 300) resolve(statusLine);
        else reject(Object.assign(new Error(`the proxy answered CONNECT ${target} with "${statusLine}"`), { code: 'EPROXY', statusLine }));
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.once('end', () => reject(Object.assign(new Error(`the proxy closed the connection on CONNECT ${target}`), { code: 'ECONNRESET' })));
    }),
    ms,
    () => socket.destroy(),
  );
}
