// Callers of each role in the test exchange's org, and an admin of a second org: what a test
// of roles and org isolation needs before its first request.
import assert from 'node:assert/strict';
import type { TestExchange } from './exchange.js';
import { createOrgWithAdmin } from '../../src/exchange/orgs.js';

export interface RoleTokens { analyst: string; reader: string; otherOrgAdmin: string }

export async function roleTokens(t: TestExchange, prefix: string): Promise<RoleTokens> {
  const mk = async (role: string) => {
    const r = await t.api('/api/v1/clients', { method: 'POST', body: { name: `${prefix}-${role}`, role } });
    assert.equal(r.status, 201, r.text);
    return t.token(r.body.client_id, r.body.client_secret);
  };
  const analyst = await mk('analyst');
  const reader = await mk('read-only');
  const b = await createOrgWithAdmin(t.ex.ctx.stores, `${prefix}-org-b`);
  return { analyst, reader, otherOrgAdmin: await t.token(b.clientId, b.clientSecret) };
}
