// A TCP load balancer in front of exchange nodes, as a deployment has: TLS passes through, so
// devices keep their client certificates end to end. New connections go to `prefer` when set,
// otherwise round robin; a node that refuses is skipped for the next one.
import net from 'node:net';

export interface Balancer {
  port: number;
  /** Where new connections go first (a backend port); null: round robin. */
  prefer: number | null;
  /** Open connections per backend port. */
  open: Map<number, number>;
  close(): Promise<void>;
}

export async function startBalancer(backends: number[]): Promise<Balancer> {
  let next = 0;
  const sockets = new Set<net.Socket>();
  const b: Balancer = { port: 0, prefer: null, open: new Map(backends.map((p) => [p, 0])), close: async () => {} };
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.pause();
    const order = b.prefer !== null ? [b.prefer, ...backends.filter((p) => p !== b.prefer)] : backends.map((_, i) => backends[(next + i) % backends.length]!);
    next++;
    const attempt = (i: number) => {
      if (i >= order.length) return client.destroy();
      const port = order[i]!;
      const up = net.connect(port, '127.0.0.1');
      let connected = false;
      up.once('connect', () => {
        connected = true;
        sockets.add(up);
        b.open.set(port, (b.open.get(port) ?? 0) + 1);
        up.once('close', () => { sockets.delete(up); b.open.set(port, b.open.get(port)! - 1); });
        client.pipe(up).pipe(client);
        client.resume();
        up.on('error', () => client.destroy());
        client.on('error', () => up.destroy());
        up.on('close', () => client.destroy());
        client.on('close', () => up.destroy());
      });
      up.once('error', () => { if (!connected) attempt(i + 1); });
    };
    attempt(0);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  b.port = (server.address() as net.AddressInfo).port;
  b.close = () => new Promise<void>((r) => {
    for (const s of sockets) s.destroy();
    server.close(() => r());
  });
  return b;
}
