// GET /ctia/bundle/export?ids=…&ids=… and POST /ctia/bundle/export {"ids": […]}: the org's
// entities with those ids as a CTIM bundle, with (unless include_related_entities=false) the
// relationships touching each one and the entities at their other ends, as CTIA exports.
// related_to=source_ref|target_ref picks the end the entity is at; source_type / target_type
// keep relationships whose other end is of those types. An id the org does not have adds
// nothing: the bundle of another org's ids is empty.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ResponseContext } from '../../context.js';
import { requireRole, principal } from '../../../exchange/api/auth-hook.js';
import { ApiError } from '../../../exchange/api/errors.js';
import { shortId } from '../../../ctim/index.js';
import { CTIA_ENTITY_TYPES, type CtiaEntityType, type CtiaRelationshipsOf } from '../../store/ctia-types.js';
import { BULK_KEY, MAX_BULK } from './bulk-create.js';
import { listParams } from './paging.js';
import { shortIdOf } from './realize.js';
import { check } from './validate.js';

type Doc = Record<string, unknown> & { id: string; type: string };

/** CTIA's bundle.export.max-relationships: per exported entity. */
const MAX_RELATIONSHIPS = 1000;
const NODE_TYPES = CTIA_ENTITY_TYPES.filter((t) => t !== 'relationship');
const OPTIONS = ['related_to', 'source_type', 'target_type', 'include_related_entities'];

interface ExportOptions {
  related: boolean;
  rel: Omit<CtiaRelationshipsOf, 'limit'>;
}

function typeOfId(id: string): CtiaEntityType | undefined {
  return CTIA_ENTITY_TYPES.find((t) => shortIdOf(t, id) !== null);
}

function optionsOf(q: Record<string, string[]>, allowed: string[]): ExportOptions {
  for (const k of Object.keys(q)) {
    if (!allowed.includes(k)) throw new ApiError('bad_request', `${k}: not a parameter of bundle export (${allowed.join(', ')})`);
  }
  for (const v of q.related_to ?? []) {
    if (v !== 'source_ref' && v !== 'target_ref') throw new ApiError('bad_request', `related_to: must be source_ref or target_ref, not "${v}"`);
  }
  for (const k of ['source_type', 'target_type']) {
    for (const v of q[k] ?? []) {
      if (!(NODE_TYPES as string[]).includes(v)) throw new ApiError('bad_request', `${k}: must be one of ${NODE_TYPES.map((t) => `"${t}"`).join(', ')}, not "${v}"`);
    }
  }
  const inc = q.include_related_entities;
  if (inc && (inc.length !== 1 || (inc[0] !== 'true' && inc[0] !== 'false'))) {
    throw new ApiError('bad_request', `include_related_entities: must be true or false, not "${inc.join(',')}"`);
  }
  return {
    related: inc?.[0] !== 'false',
    rel: { ends: q.related_to as CtiaRelationshipsOf['ends'], source_types: q.source_type, target_types: q.target_type },
  };
}

export async function bundleExportRoutes(app: FastifyInstance, rc: ResponseContext): Promise<void> {
  const reader = requireRole(rc.exchange, 'read-only');

  /** A relationship's end is ours to fetch when it names an entity here: a short id, or a full
   * id on this server (CTIA fetches only its own). */
  const local = (ref: string) => shortId(ref) === ref || ref.startsWith(`${rc.baseUrl().replace(/\/+$/, '')}/ctia/`);

  async function exportBundle(req: FastifyRequest, ids: string[], o: ExportOptions) {
    if (ids.length > MAX_BULK) throw new ApiError('bad_request', `bundle export: ${ids.length} ids; at most ${MAX_BULK} in one request`);
    const orgId = principal(req).org_id;
    const lists = new Map<string, Map<string, Doc>>();
    const add = (d: Doc) => {
      const key = BULK_KEY[d.type as CtiaEntityType];
      if (!lists.has(key)) lists.set(key, new Map());
      lists.get(key)!.set(d.id, d);
    };
    // An entity at the end of many relationships (an incident's sightings) is read once.
    const read = new Map<string, Doc | null>();
    const entity = async (id: string): Promise<Doc | null> => {
      const type = typeOfId(id);
      if (!type) return null;
      const key = shortIdOf(type, id)!;
      if (!read.has(key)) read.set(key, (await rc.stores.ctia.get(orgId, type, key)) as Doc | null);
      return read.get(key)!;
    };
    for (const id of ids) {
      const doc = await entity(id);
      if (!doc) continue;
      add(doc);
      if (!o.related) continue;
      for (const rel of await rc.stores.ctia.relationshipsOf(orgId, doc.id, { ...o.rel, limit: MAX_RELATIONSHIPS })) {
        add(rel as unknown as Doc);
        for (const end of [rel.source_ref, rel.target_ref]) {
          const other = local(end) ? await entity(end) : null;
          if (other) add(other);
        }
      }
    }
    const out: Record<string, unknown> = { type: 'bundle', source: 'threatlink' };
    for (const [key, docs] of lists) out[key] = [...docs.values()];
    return out;
  }

  app.get('/ctia/bundle/export', { preValidation: reader }, async (req) => {
    const q = listParams(req);
    const o = optionsOf(q, ['ids', ...OPTIONS]);
    return exportBundle(req, q.ids ?? [], o);
  });

  const idsBody = {
    type: 'object', required: ['ids'], additionalProperties: false,
    properties: { ids: { type: 'array', items: { type: 'string', maxLength: 2048 } } },
  };
  app.post('/ctia/bundle/export', { preValidation: reader }, async (req) => {
    const o = optionsOf(listParams(req), OPTIONS);
    check(idsBody, req.body, 'bundle export');
    return exportBundle(req, (req.body as { ids: string[] }).ids, o);
  });
}
