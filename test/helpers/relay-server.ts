// A Relay API module (interfaces.md §4) on loopback, written from the contract: each endpoint
// answers after a set delay, or fails, or hangs, and counts what it was asked.
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface RelayBehaviour {
  /** ms before answering. */
  delayMs?: number;
  /** Never answer observe/deliberate/refer. */
  hang?: boolean;
  /** Answer with a Relay error. */
  fail?: boolean;
  /** The disposition deliberate gives every observable. */
  disposition?: number;
  /** Check the bearer token; return an error message to refuse. */
  auth?: (header: string | undefined) => Promise<string | null>;
}

export interface RelayServer {
  url: string;
  calls: Record<string, number>;
  /** Observables per call, in order. */
  asked: Array<{ path: string; observables: Array<{ type: string; value: string }> }>;
  close(): Promise<void>;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => (s += c));
    req.on('end', () => resolve(s));
  });
}

export async function startRelay(name: string, b: RelayBehaviour = {}): Promise<RelayServer> {
  const calls: Record<string, number> = {};
  const asked: RelayServer['asked'] = [];
  const hanging = new Set<import('node:http').ServerResponse>();
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    calls[path] = (calls[path] ?? 0) + 1;
    const text = await body(req);
    const send = (o: unknown) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(o)); };
    if (b.auth) {
      const why = await b.auth(req.headers.authorization);
      if (why) return send({ errors: [{ type: 'fatal', code: 'permission denied', message: why }] });
    }
    let obs: Array<{ type: string; value: string }> = [];
    try { obs = text ? JSON.parse(text) : []; } catch { /* not JSON */ }
    if (Array.isArray(obs)) asked.push({ path, observables: obs });
    if (path === '/health') return send({ data: { status: 'ok' } });
    if (b.hang && path !== '/respond/trigger') { hanging.add(res); return; }
    await new Promise((r) => setTimeout(r, b.delayMs ?? 0));
    if (b.fail) return send({ errors: [{ type: 'fatal', code: 'upstream broke', message: `${name} cannot reach its backend` }] });
    const now = new Date().toISOString();
    switch (path) {
      case '/observe/observables':
        return send({ data: { sightings: { count: obs.length, docs: obs.map((o) => ({
          id: `transient:sighting-${name}-${o.value}`, type: 'sighting', schema_version: '1.3.9', count: 1, confidence: 'High',
          observed_time: { start_time: now }, observables: [o], source: name, title: `${name} saw ${o.value}`,
        })) } } });
      case '/deliberate/observables':
        return send({ data: { verdicts: { count: obs.length, docs: obs.map((o) => ({
          type: 'verdict', observable: o, disposition: b.disposition ?? 2, disposition_name: 'Malicious', valid_time: { start_time: now },
        })) } } });
      case '/refer/observables':
        return send({ data: obs.map((o) => ({ id: `ref-${name}-${o.value}`, title: `${name} on ${o.value}`, description: 'more', url: `https://${name}.example/${o.value}`, categories: [name] })) });
      case '/respond/observables':
        return send({ data: obs.map((o) => ({ id: `${name}-isolate`, title: `Isolate via ${name}`, description: 'x', categories: [name], 'query-params': { observable_type: o.type, observable_value: o.value } })) });
      case '/respond/trigger':
        return send({ data: { status: 'success' } });
      default:
        res.statusCode = 404;
        return send({ errors: [{ type: 'fatal', code: 'not found', message: path }] });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as import('node:net').AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`, calls, asked,
    async close() {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
