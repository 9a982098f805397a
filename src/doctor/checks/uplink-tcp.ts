// uplink_tcp: the connector's own TCP connection to the eventing endpoint, as the note reads it
// with `lsof -i | grep conn`: ESTABLISHED is healthy, SYN_SENT means the SYNs go unanswered
// (egress blocked). From /proc/<pid>/net/tcp{,6} rows whose inode is one of the pid's fds.
import { skipped, type Check, type CheckResult } from '../check.js';
import { readNetTcp, type TcpSocket } from '../proc/net-tcp.js';
import { socketInodes } from '../proc/fds.js';
import { allowByName, enrollAgain, restartConnector } from '../remedies.js';

const id = 'uplink_tcp';
const title = "the connector's TCP connection to the eventing endpoint";

const hostPort = (a: string, p: number): string => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);
const lsofLine = (s: TcpSocket): string =>
  `TCP ${hostPort(s.local.address, s.local.port)}${s.state === 'LISTEN' ? '' : `->${hostPort(s.remote.address, s.remote.port)}`} (${s.state})`;

/** `127.0.0.1:8443`, `::ffff:10.0.0.1:443` → the address part, v4-mapped written as IPv4. */
function addressOf(hostPortText: string): string {
  return hostPortText.slice(0, hostPortText.lastIndexOf(':')).replace(/^\[|\]$/g, '').replace(/^::ffff:/i, '');
}

export const uplinkTcpCheck: Check = {
  id,
  title,
  async run(ctx): Promise<CheckResult[]> {
    const url = ctx.endpoints.eventing;
    if (!url) return [skipped(id, title, 'no eventing endpoint: not enrolled (see registration)')];
    const pid = ctx.connectorPid;
    if (pid === null) return [skipped(id, title, 'the connector is not running (see process)')];
    let inodes: Set<number>;
    try {
      inodes = await socketInodes(pid);
    } catch (e) {
      return [skipped(id, title, `/proc/${pid}/fd: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (run the doctor as root or as the connector's user)`)];
    }
    const mine = (await readNetTcp(pid)).filter((s) => inodes.has(s.inode));
    const probe = await ctx.probe('eventing');
    const proxy = probe.proxy;
    // Direct, or to the proxy when one is configured: either way the uplink's own socket.
    const targets = new Set(probe.dns.ok ? probe.dns.addresses.map((a) => hostPort(a, probe.port)) : []);
    const up = ctx.snapshot?.uplink;
    if (up && 'remote_address' in up && up.remote_address) targets.add(hostPort(addressOf(up.remote_address), probe.port));
    if (proxy) for (const a of probe.tcp) targets.add(a.target);
    const toEventing = mine.filter((s) => s.state !== 'LISTEN' && targets.has(hostPort(s.remote.address, s.remote.port)));

    const evidence = [
      `connector pid ${pid}; eventing endpoint ${url.host}${proxy ? ` or proxy ${proxy.host}` : ''} (${[...targets].join(', ') || 'no address'})`,
      ...mine.filter((s) => s.state === 'LISTEN').map(lsofLine),
      ...toEventing.map(lsofLine),
    ];
    if (up) evidence.push(`uplink ${up.state} since ${'since' in up ? up.since : '?'}${'last_error' in up && up.last_error ? `; last error ${up.last_error.time}: ${up.last_error.message}` : ''}`);

    if (toEventing.some((s) => s.state === 'ESTABLISHED')) return [{ id, title, status: 'ok', evidence }];
    if (toEventing.some((s) => s.state === 'SYN_SENT')) {
      return [{
        id, title, status: 'fail', evidence,
        cause: `the connector's connection to ${url.host} hangs in SYN_SENT: nothing answers its SYNs — egress is blocked`,
        remedy: allowByName(url.hostname, probe.port),
      }];
    }
    if (up?.state === 'revoked') {
      return [{ id, title, status: 'fail', evidence, cause: 'the exchange refused this device, so the uplink stopped (see registration)', remedy: enrollAgain(ctx.config?.connectorPort) }];
    }
    // The fault is gone but the connector has not retried yet: it will, at the end of its backoff.
    if (up?.state === 'backoff' && probe.http?.ok) {
      const until = 'backoff_until' in up ? up.backoff_until : null;
      return [{
        id, title, status: 'warn', evidence,
        cause: `the connector waits to retry${until ? ` until ${until}` : ''} after its last failure; ${url.host} answers now, so it should reconnect then`,
        remedy: `wait for the retry, or ${restartConnector(ctx.remedyTarget)} to retry at once`,
      }];
    }
    if (toEventing.length > 0) {
      return [{ id, title, status: 'warn', evidence, cause: `the connection to ${url.host} is closing (${toEventing.map((s) => s.state).join(', ')}); the connector will reconnect`, remedy: 'run the doctor again in a minute; if it persists, read the log check' }];
    }
    return [{
      id, title, status: 'fail', evidence,
      cause: `the connector has no TCP connection to ${url.host}${up ? ` (uplink ${up.state})` : ''}: events are not leaving this host`,
      remedy: `see tcp.eventing, tls.eventing and the log check for why it cannot connect`,
    }];
  },
};
