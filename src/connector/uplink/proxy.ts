// The connector's way out through an HTTP proxy (connector.properties `proxy`): every
// connection to the exchange (enrollment, EST renewal, the eventing WebSocket) is tunnelled
// with CONNECT, and TLS, including the device certificate, runs end to end inside the tunnel,
// so the proxy sees neither events nor keys.
import type { Agent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';

/** An agent for one connection through the proxy, or undefined to go direct. A fresh agent per
 * connection: the uplink opens one socket and keeps it. */
export function proxyAgent(proxy: string | undefined): Agent | undefined {
  return proxy ? (new HttpsProxyAgent(proxy) as unknown as Agent) : undefined;
}
