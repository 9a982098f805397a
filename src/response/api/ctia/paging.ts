// Search and list parameters, and CTIA's paging headers: a list answers with a JSON array and
// says in X-Total-Hits how many match in all, in X-Next / X-Previous the query string of the
// neighbouring pages (as CTIA does, so its clients page the same way).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../../exchange/api/errors.js';
import { CtiaQueryError, DEFAULT_LIMIT, MAX_LIMIT, type CtiaPage, type CtiaPageRequest, type CtiaSearch, type CtiaSort } from '../../store/ctia-types.js';

/** Parameters that are not field filters. wait_for is CTIA's "wait until searchable": writes
 * here are searchable at once, so it is accepted and ignored. */
const RESERVED = new Set(['query', 'limit', 'offset', 'sort_by', 'sort_order', 'wait_for']);

type Params = Record<string, string>;

/** The query string as single values; a parameter given twice is refused rather than guessed. */
export function params(req: FastifyRequest): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(v)) throw new ApiError('bad_request', `${k}: give it once`);
    if (v !== undefined) out[k] = String(v);
  }
  return out;
}

/** The query string with every parameter as a list: a repeated parameter (ids=a&ids=b) is how
 * CTIA takes a list, and how the Python client's requests sends one. */
export function listParams(req: FastifyRequest): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    if (v !== undefined) out[k] = (Array.isArray(v) ? v : [v]).map(String);
  }
  return out;
}

function int(p: Params, name: string, dflt: number, max: number): number {
  const raw = p[name];
  if (raw === undefined || raw === '') return dflt;
  if (!/^\d+$/.test(raw) || Number(raw) > max) throw new ApiError('bad_request', `${name}: must be an integer 0–${max}, not "${raw}"`);
  return Number(raw);
}

export function pageOf(p: Params): Required<CtiaPageRequest> {
  return { limit: int(p, 'limit', DEFAULT_LIMIT, MAX_LIMIT), offset: int(p, 'offset', 0, Number.MAX_SAFE_INTEGER) };
}

/** sort_by: `field` or `field:asc|desc`, comma-separated; sort_order is the default direction. */
function sortOf(p: Params): CtiaSort[] | undefined {
  const dflt = p.sort_order ?? 'asc';
  if (dflt !== 'asc' && dflt !== 'desc') throw new ApiError('bad_request', `sort_order: must be "asc" or "desc", not "${dflt}"`);
  if (!p.sort_by) return undefined;
  return p.sort_by.split(',').map((item) => {
    const [field, order = dflt] = item.trim().split(':');
    if (order !== 'asc' && order !== 'desc') throw new ApiError('bad_request', `sort_by: "${item}": the direction must be asc or desc`);
    return { field: field!, order };
  });
}

export function searchOf(p: Params): CtiaSearch {
  const filters: Record<string, string> = {};
  for (const [k, v] of Object.entries(p)) if (!RESERVED.has(k)) filters[k] = v;
  return { query: p.query, filters, sort: sortOf(p), ...pageOf(p) };
}

/** Store query errors are the caller's: 400 naming what did not parse. */
export async function asBadRequest<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof CtiaQueryError) throw new ApiError('bad_request', err.message);
    throw err;
  }
}

export function sendPage<T>(reply: FastifyReply, p: Params, page: Required<CtiaPageRequest>, result: CtiaPage<T>): T[] {
  const link = (offset: number) => new URLSearchParams({ ...p, limit: String(page.limit), offset: String(offset) }).toString();
  reply.header('X-Total-Hits', String(result.total));
  if (page.limit > 0 && page.offset + page.limit < result.total) reply.header('X-Next', link(page.offset + page.limit));
  if (page.offset > 0) reply.header('X-Previous', link(Math.max(page.offset - page.limit, 0)));
  return result.data;
}
