// tcp.<role>: a TCP connect to every address, bounded. A timeout (SYNs dropped: egress blocked)
// and a refusal (nothing listening: port closed) are different faults with different fixes.
import type { Check } from '../check.js';
import { DIAL_MEANING, type DialFailure } from '../net/connect.js';
import type { EndpointProbe } from '../net/endpoint-probe.js';
import { allowByName } from '../remedies.js';
import { perRole, via, type RoleVerdict } from './per-role.js';

function remedyFor(kind: DialFailure, p: EndpointProbe, target: string): string {
  switch (kind) {
    case 'timeout': return allowByName(p.host, p.port);
    case 'refused': return `check that the exchange runs and listens on ${p.host}:${p.port} (the port in connector_fqdn) and that no firewall rejects it`;
    case 'unreachable': return `fix the route to ${target} (\`ip route get ${target.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')}\`)`;
    default: return `look at the path between this host and ${target} (firewall, proxy, VPN)`;
  }
}

function judge(p: EndpointProbe): RoleVerdict {
  if (p.tcp.length === 0) return { status: 'skip', evidence: [`no address to connect to (see dns)`] };
  const evidence = p.tcp.map((a) => (a.ok ? `${a.target}: connected in ${a.ms} ms` : `${a.target}: ${a.error} (${a.ms} ms) — ${DIAL_MEANING[a.failure ?? 'other']}`));
  const failed = p.tcp.filter((a) => !a.ok);
  if (p.proxy) {
    if (failed.length === p.tcp.length) {
      return {
        status: 'fail', evidence,
        cause: `cannot reach the proxy ${p.proxy.host}: ${failed[0]?.failure === 'other' ? failed[0].error : DIAL_MEANING[failed[0]?.failure ?? 'other']}`,
        remedy: `check proxy= in connector.properties and that the proxy at ${p.proxy.host} runs and is reachable`,
      };
    }
    if (p.tunnel && !p.tunnel.ok) {
      evidence.push(p.tunnel.error);
      return {
        status: 'fail', evidence,
        cause: `the proxy ${p.proxy.host} would not tunnel to ${p.host}:${p.port}: ${p.tunnel.error}`,
        remedy: `allow CONNECT to ${p.host}:${p.port} on the proxy, by name`,
      };
    }
    if (p.tunnel?.ok) evidence.push(`CONNECT ${p.host}:${p.port} → ${p.tunnel.statusLine}`);
    return { status: 'ok', evidence };
  }
  if (failed.length === 0) return { status: 'ok', evidence };
  const first = failed[0]!;
  const kind = first.failure ?? 'other';
  const targets = failed.map((a) => a.target).join(', ');
  if (failed.length < p.tcp.length) {
    return {
      status: 'warn', evidence,
      cause: `${targets} of ${p.host} cannot be reached (${kind}); the connector fails whenever it picks ${failed.length > 1 ? 'one of them' : 'it'}`,
      remedy: remedyFor(kind, p, first.target),
    };
  }
  const what = kind === 'timeout' ? `TCP connect to ${targets} timed out: egress is blocked (SYNs dropped)`
    : kind === 'refused' ? `TCP connect to ${targets} was refused: nothing listens on port ${p.port} (port closed or service down)`
    : `TCP connect to ${targets} failed: ${DIAL_MEANING[kind]}`;
  return { status: 'fail', evidence, cause: what, remedy: remedyFor(kind, p, first.target) };
}

export const tcpCheck: Check = {
  id: 'tcp',
  title: 'endpoints accept TCP connections',
  run: (ctx) => perRole(ctx, 'tcp', (role, p) => `TCP to ${p.host}:${p.port} (${role})${via(p)}`, (_role, p) => judge(p)),
};
