// Orgs are created by the operator on the exchange host (file access is the credential), each
// with its first admin API client.
import type { Stores } from './store/types.js';
import { hashSecret, randomToken } from './auth/secrets.js';

export async function createOrgWithAdmin(stores: Stores, name: string, client?: { id: string; secret: string }) {
  const org = await stores.orgs.create(name);
  const clientId = client?.id ?? `client-${randomToken(12)}`;
  const clientSecret = client?.secret ?? randomToken(32);
  await stores.clients.create({ id: clientId, org_id: org.id, name: `${name} admin`, role: 'admin', secretHash: await hashSecret(clientSecret) });
  return { org, clientId, clientSecret };
}
