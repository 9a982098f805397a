// The body every enrich and respond call takes: `[{"type","value"}]`. Values of known types are
// normalized as inspect would (lower-case domains, compressed IPv6) so that modules, the cache
// and the graph agree on one spelling.
import { isObservableType, normalizeObservable } from '../../../observables/index.js';
import type { CtimObservable } from '../../../ctim/index.js';
import { ApiError } from '../../../exchange/api/errors.js';

// How many it may hold is the server's setting, checked before this schema (observable-limit.ts).
export const observablesSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['type', 'value'],
    properties: { type: { type: 'string', minLength: 1, maxLength: 64 }, value: { type: 'string', minLength: 1, maxLength: 8192 } },
  },
} as const;

export function observablesOf(body: unknown): CtimObservable[] {
  if (!Array.isArray(body)) throw new ApiError('bad_request', 'body must be a JSON array of {"type","value"} observables');
  const out: CtimObservable[] = [];
  const seen = new Set<string>();
  for (const [i, o] of body.entries()) {
    const type = (o as { type?: unknown })?.type;
    const value = (o as { value?: unknown })?.value;
    if (typeof type !== 'string' || typeof value !== 'string' || value.trim() === '') {
      throw new ApiError('bad_request', `observable ${i}: needs string "type" and non-empty "value"`);
    }
    const v = value.trim();
    // CTIM's types are lower case: "IP" is the ip type, not another one no module knows.
    const t = type.trim().toLowerCase();
    const norm = isObservableType(t) ? normalizeObservable(t, v) : null;
    const ob = { type: t, value: norm ?? v };
    const k = `${ob.type}\u0000${ob.value}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(ob);
  }
  return out;
}
