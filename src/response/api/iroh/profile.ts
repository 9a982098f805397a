// Who the caller is, the caller's org, and the enrich settings (the Python client checks a
// token with the latter; the console's feed form reads where feeds' local files must be).
import type { FastifyInstance } from 'fastify';
import type { ResponseContext } from '../../context.js';
import { requireRole, principal } from '../../../exchange/api/auth-hook.js';
import { presentInstance } from './module-instances.js';

const SCOPES = { 'read-only': ['enrich:read', 'inspect:read', 'private-intel:read', 'response:read'], analyst: ['enrich:read', 'inspect:read', 'private-intel', 'response', 'casebook'], admin: ['admin', 'enrich', 'inspect', 'private-intel', 'response', 'casebook', 'integration'] };

/** CTR's Org model, of the fields that mean something here: an org that can sign in is
 * enabled. whoami's `org` and GET /iroh/profile/org are this same object. */
async function orgProfile(rc: ResponseContext, orgId: string): Promise<Record<string, unknown>> {
  const org = await rc.exchange.stores.orgs.get(orgId);
  return { id: orgId, name: org?.name ?? orgId, 'enabled?': true };
}

export async function profileRoutes(app: FastifyInstance, rc: ResponseContext): Promise<void> {
  const reader = requireRole(rc.exchange, 'read-only');
  app.get('/iroh/profile/whoami', { preValidation: reader }, async (req) => {
    const p = principal(req);
    return {
      user: { 'user-id': p.client_id, 'user-name': p.client_id, 'org-id': p.org_id, role: p.role, scopes: SCOPES[p.role] },
      org: await orgProfile(rc, p.org_id),
    };
  });
  app.get('/iroh/profile/org', { preValidation: reader }, async (req) => orgProfile(rc, principal(req).org_id));
  app.get('/iroh/iroh-enrich/settings', { preValidation: reader }, async (req) => {
    const p = principal(req);
    const instances = await rc.modules.instances(p.org_id);
    return {
      'org-id': p.org_id,
      'module-instances': instances.map((m) => presentInstance(rc, m)),
      // A path on the server: for those who add feeds, who are told it when a feed is refused anyway.
      ...(p.role === 'admin' ? { feed_files_dir: rc.feedFilesDir } : {}),
    };
  });
}
