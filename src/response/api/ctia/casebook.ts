// Casebook edits (interfaces.md §3): POST /ctia/casebook/{id}/{observables,texts,bundle} with
// {"operation": "add"|"remove"|"replace", <field>: …}. add skips what is already there, remove
// takes out equal items, replace sets the field. For the bundle, add and remove work per list
// inside it (sightings, judgements, …; items with an id compare by id) and other keys are set
// by add; replace sets the whole bundle.
import type { FastifyInstance } from 'fastify';
import type { SchemaObject } from 'ajv';
import type { ResponseContext } from '../../context.js';
import { requireRole, principal } from '../../../exchange/api/auth-hook.js';
import { check } from './validate.js';
import { notFound, pathId } from './crud.js';
import * as s from './schemas.js';

type Op = 'add' | 'remove' | 'replace';

/** JSON with object keys sorted, so {"value","type"} equals {"type","value"}. */
function canonical(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonical).join(',')}]`;
  if (x && typeof x === 'object') {
    return `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${canonical((x as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(x) ?? 'null';
}

/** Equal items: the same id when both have one, else the same content. */
function keyOf(x: unknown): string {
  const id = (x as { id?: unknown })?.id;
  return typeof id === 'string' ? `id:${id}` : `json:${canonical(x)}`;
}

function applyList(op: Op, cur: unknown[] | undefined, given: unknown[]): unknown[] {
  if (op === 'replace') return given;
  const have = cur ?? [];
  if (op === 'remove') {
    const drop = new Set(given.map(keyOf));
    return have.filter((x) => !drop.has(keyOf(x)));
  }
  const seen = new Set(have.map(keyOf));
  const out = [...have];
  for (const x of given) {
    const k = keyOf(x);
    if (!seen.has(k)) { seen.add(k); out.push(x); }
  }
  return out;
}

function applyBundle(op: Op, cur: Record<string, unknown> | undefined, given: Record<string, unknown>): Record<string, unknown> {
  if (op === 'replace') return given;
  const out: Record<string, unknown> = { ...(cur ?? {}) };
  for (const [k, v] of Object.entries(given)) {
    if (Array.isArray(v)) out[k] = applyList(op, Array.isArray(out[k]) ? (out[k] as unknown[]) : undefined, v);
    else if (op === 'add') out[k] = v;
  }
  return out;
}

const FIELDS: Record<'observables' | 'texts' | 'bundle', SchemaObject> = {
  observables: s.observables(),
  texts: { type: 'array', maxItems: 10_000, items: s.text },
  bundle: s.anyObject,
};

export async function casebookRoutes(app: FastifyInstance, rc: ResponseContext): Promise<void> {
  const analyst = requireRole(rc.exchange, 'analyst');
  for (const [field, schema] of Object.entries(FIELDS)) {
    const body = {
      type: 'object', required: ['operation', field], additionalProperties: false,
      properties: { operation: { enum: ['add', 'remove', 'replace'] }, [field]: schema },
    };
    app.post(`/ctia/casebook/:id/${field}`, { preValidation: analyst }, async (req) => {
      const id = pathId('casebook', req);
      check(body, req.body, `casebook ${field}`);
      const b = req.body as Record<string, unknown> & { operation: Op };
      const doc = await rc.stores.ctia.edit(principal(req).org_id, 'casebook', id, (cur) => {
        const next = field === 'bundle'
          ? applyBundle(b.operation, cur.bundle, b.bundle as Record<string, unknown>)
          : applyList(b.operation, cur[field as 'observables' | 'texts'], b[field] as unknown[]);
        return { ...cur, [field]: next, owner: principal(req).client_id };
      });
      if (!doc) throw notFound('casebook', id);
      return doc;
    });
  }
}
