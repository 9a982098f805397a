// dns.<role>: every address the endpoint's name resolves to. The note's advice stands: allow
// by name, because the addresses behind the names change.
import { isIP } from 'node:net';
import type { Check } from '../check.js';
import { perRole } from './per-role.js';

export const dnsCheck: Check = {
  id: 'dns',
  title: 'endpoint names resolve',
  run: (ctx) => perRole(ctx, 'dns', (role, p) => `${p.host} (${role}) resolves`, (_role, p) => {
    if (p.dns.ok) {
      if (isIP(p.host)) return { status: 'ok', evidence: [`${p.host} is an address: no DNS lookup`] };
      return {
        status: 'ok',
        evidence: [
          `${p.host} → ${p.dns.addresses.join(', ')} (${p.dns.ms} ms)`,
          `allow ${p.host} by name in firewalls and proxies: the addresses behind it change`,
        ],
      };
    }
    if (p.proxy) {
      return { status: 'skip', evidence: [`${p.dns.error}`, `the proxy ${p.proxy.host} resolves ${p.host} for the connector (see tcp)`] };
    }
    return {
      status: 'fail',
      evidence: [`${p.host}: ${p.dns.code} after ${p.dns.ms} ms`],
      cause: p.dns.error,
      remedy: `make ${p.host} resolvable from this host: check /etc/resolv.conf and that its DNS servers answer (\`getent hosts ${p.host}\`)`,
    };
  }),
};
