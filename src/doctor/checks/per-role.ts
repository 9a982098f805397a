// The connectivity checks report one result per endpoint role (`tcp.eventing`), in the order
// interfaces.md lists the roles, all from the one probe each role's URL gets.
import { ENDPOINT_ROLES, type EndpointRole } from '../../protocol/endpoints.js';
import type { CheckResult, DoctorContext } from '../check.js';
import type { EndpointProbe } from '../net/endpoint-probe.js';

export type RoleVerdict = Omit<CheckResult, 'id' | 'title'>;

export async function perRole(
  ctx: DoctorContext,
  prefix: string,
  title: (role: EndpointRole, p: EndpointProbe) => string,
  judge: (role: EndpointRole, p: EndpointProbe) => RoleVerdict,
): Promise<CheckResult[]> {
  const roles = ENDPOINT_ROLES.filter((r) => ctx.endpoints[r]);
  if (roles.length === 0) {
    return [{ id: `${prefix}.api`, title: `${prefix} of the api endpoint`, status: 'skip', evidence: [`no endpoint known (${ctx.endpointsFrom})`] }];
  }
  return Promise.all(roles.map(async (role) => {
    const p = await ctx.probe(role);
    return { id: `${prefix}.${role}`, title: title(role, p), ...judge(role, p) };
  }));
}

export const via = (p: EndpointProbe): string => (p.proxy ? ` via proxy ${p.proxy.host}` : '');
