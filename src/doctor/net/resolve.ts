// Every address a name resolves to, through the system resolver (getaddrinfo: /etc/hosts, then
// DNS), which is what the connector's own connections use.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { within } from './within.js';

export async function resolveAll(host: string, ms: number): Promise<string[]> {
  if (isIP(host)) return [host];
  const found = await within(lookup(host, { all: true, verbatim: true }), ms);
  return [...new Set(found.map((a) => a.address))];
}

/** What a failed lookup means, in the words an operator acts on. */
export function describeLookupError(e: NodeJS.ErrnoException, host: string): string {
  switch (e.code) {
    case 'ENOTFOUND':
    case 'EAI_NONAME':
      return `no such host: the DNS answer for ${host} is NXDOMAIN or empty`;
    case 'EAI_AGAIN':
      return `the DNS server did not answer for ${host} (temporary failure; no DNS server reachable?)`;
    case 'ETIMEDOUT':
      return `no DNS answer for ${host} (${e.message}): the DNS server is unreachable or slow`;
    default:
      return `lookup ${host}: ${e.code ?? ''} ${e.message}`.trim();
  }
}
