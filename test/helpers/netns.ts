// A network namespace for one test: a veth pair with a private /30 between the host side and
// the namespace, and nft rules that live only inside the namespace. Nothing else on the host is
// touched: the host end gets one address on its own /30, and deleting the pair removes it.
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';

export interface Netns {
  name: string;
  hostIf: string;
  nsIf: string;
  /** The host end of the veth: what the namespace reaches the outside by. */
  hostAddr: string;
  nsAddr: string;
  /** Prefix a command line with this to run it inside the namespace. */
  exec: string[];
  /** nft inside the namespace: drop outgoing TCP SYNs to `port` (egress blocked, as a firewall does). */
  dropSyn(addr: string, port: number): void;
  close(): void;
}

const sh = (cmd: string, args: string[], input?: string) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], input });

/** Null when namespaces can be made here; else why not (no ip/nft, not root, no CAP_NET_ADMIN). */
export function netnsUnavailable(): string | null {
  for (const tool of ['ip', 'nft']) {
    try {
      sh(tool, ['-V']);
    } catch {
      return `${tool} is not installed (apt-get install iproute2 nftables)`;
    }
  }
  const probe = `tlprobe${randomBytes(3).toString('hex')}`;
  try {
    sh('ip', ['netns', 'add', probe]);
    sh('ip', ['netns', 'exec', probe, 'nft', 'list', 'ruleset']);
  } catch (e) {
    return `cannot make a network namespace here: ${((e as { stderr?: string }).stderr ?? (e as Error).message).trim()}`;
  } finally {
    try { sh('ip', ['netns', 'del', probe]); } catch { /* was never made */ }
  }
  return null;
}

/** A /30 in 10.200.0.0/13 that no interface here uses yet. */
function freeSubnet(): number {
  const used = sh('ip', ['-4', '-o', 'addr', 'show']);
  for (let i = 0; i < 50; i++) {
    const base = ((10 << 24) | (200 << 16)) + randomInt(0, 1 << 17) * 4;
    const net = `${base >>> 24}.${(base >>> 16) & 255}.${(base >>> 8) & 255}.`;
    if (!used.includes(` ${net}`)) return base;
  }
  throw new Error('no free /30 found in 10.200.0.0/13');
}

const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

const live = new Set<Netns>();
// A test that throws before its cleanup must still not leave interfaces behind.
process.once('exit', () => { for (const n of live) n.close(); });

export function makeNetns(): Netns {
  const tag = randomBytes(3).toString('hex');
  const name = `tldoc-${tag}`;
  const hostIf = `tlh${tag}`;
  const nsIf = `tln${tag}`;
  const base = freeSubnet();
  const hostAddr = dotted(base + 1);
  const nsAddr = dotted(base + 2);
  let closed = false;
  const n: Netns = {
    name, hostIf, nsIf, hostAddr, nsAddr,
    exec: ['ip', 'netns', 'exec', name],
    dropSyn(addr, port) {
      sh('ip', ['netns', 'exec', name, 'nft', '-f', '-'], `table inet tl_doctor_fault {
  chain egress {
    type filter hook output priority 0; policy accept;
    ip daddr ${addr} tcp dport ${port} tcp flags & (syn | ack) == syn counter drop
  }
}
`);
    },
    close() {
      if (closed) return;
      closed = true;
      live.delete(n);
      // Deleting one end deletes the pair; the namespace goes with its rules.
      try { sh('ip', ['link', 'del', hostIf]); } catch { /* already gone */ }
      try { sh('ip', ['netns', 'del', name]); } catch { /* already gone */ }
    },
  };
  live.add(n);
  try {
    sh('ip', ['netns', 'add', name]);
    sh('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    sh('ip', ['link', 'set', nsIf, 'netns', name]);
    sh('ip', ['addr', 'add', `${hostAddr}/30`, 'dev', hostIf]);
    sh('ip', ['link', 'set', hostIf, 'up']);
    sh('ip', ['-n', name, 'addr', 'add', `${nsAddr}/30`, 'dev', nsIf]);
    sh('ip', ['-n', name, 'link', 'set', nsIf, 'up']);
    // The connector's local API and the doctor talk over the namespace's own loopback.
    sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  } catch (e) {
    n.close();
    throw e;
  }
  return n;
}

/** How many SYNs the namespace's rule has dropped: proof the fault is what the test says it is. */
export function droppedSyns(n: Netns): number {
  const out = sh('ip', ['netns', 'exec', n.name, 'nft', 'list', 'table', 'inet', 'tl_doctor_fault']);
  return Number(/counter packets (\d+)/.exec(out)?.[1] ?? 0);
}
