// An org's promotion rules: its own once it has changed any, the defaults until then.
import type { ResponseContext } from '../context.js';
import { defaultRules, type PromotionRule } from './rules.js';

export async function rulesOf(rc: ResponseContext, orgId: string): Promise<PromotionRule[]> {
  const have = await rc.stores.incidents.list(orgId);
  if (have !== null) return have;
  await rc.stores.incidents.seed(orgId, defaultRules(orgId));
  return (await rc.stores.incidents.list(orgId)) ?? [];
}
