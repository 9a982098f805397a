// What incidents have beyond CRUD: the status workflow (which stamps incident_time as CTIA
// does), analysts' notes, the sightings promoted into the incident, and links to casebooks.
import type { FastifyInstance } from 'fastify';
import type { ResponseContext } from '../../context.js';
import { requireRole, principal } from '../../../exchange/api/auth-hook.js';
import { ApiError } from '../../../exchange/api/errors.js';
import type { CtiaIncident } from '../../store/ctia-types.js';
import { ENTITY_SPECS, INCIDENT_STATUSES } from './entities.js';
import { check } from './validate.js';
import { notFound, pathId, writerOf } from './crud.js';
import { realizeNew, shortIdOf } from './realize.js';
import { pageOf, params, sendPage } from './paging.js';
import * as s from './schemas.js';

type IncidentTimeField = keyof CtiaIncident['incident_time'];

/** The incident_time field a status stamps. "Open" stamps nothing: opened is set at creation
 * and keeps the first opening (as newer CTIA does). */
function timeFieldOf(status: string): IncidentTimeField | null {
  if (status === 'Rejected') return 'rejected';
  if (status.startsWith('Closed')) return 'closed';
  if (status === 'Containment Achieved' || status === 'Restoration Achieved' || status === 'Open: Contained' || status === 'Open: Recovered') return 'remediated';
  if (status === 'Incident Reported' || status === 'Open: Reported') return 'reported';
  return null;
}

const statusSchema = { type: 'object', required: ['status'], additionalProperties: false, properties: { status: { enum: [...INCIDENT_STATUSES] } } };
const noteSchema = { type: 'object', required: ['text'], additionalProperties: false, properties: { text: s.nonEmpty(64 * 1024) } };
const linkSchema = {
  type: 'object', additionalProperties: false,
  properties: { casebook_id: s.nonEmpty(1024), investigation_id: s.nonEmpty(1024), tlp: s.baseProperties.tlp },
};
const relationshipSpec = ENTITY_SPECS.find((x) => x.type === 'relationship')!;

export async function incidentRoutes(app: FastifyInstance, rc: ResponseContext): Promise<void> {
  const reader = requireRole(rc.exchange, 'read-only');
  const analyst = requireRole(rc.exchange, 'analyst');

  app.post('/ctia/incident/:id/status', { preValidation: analyst }, async (req) => {
    const id = pathId('incident', req);
    check(statusSchema, req.body, 'incident status');
    const { status } = req.body as { status: string };
    const doc = await rc.stores.ctia.edit(principal(req).org_id, 'incident', id, (cur) => {
      if (cur.status === status) return cur;
      const field = timeFieldOf(status);
      const incident_time = field ? { ...cur.incident_time, [field]: new Date().toISOString() } : cur.incident_time;
      return { ...cur, status, incident_time, owner: principal(req).client_id };
    });
    if (!doc) throw notFound('incident', id);
    return doc;
  });

  app.post('/ctia/incident/:id/notes', { preValidation: analyst }, async (req) => {
    const id = pathId('incident', req);
    check(noteSchema, req.body, 'incident note');
    const note = { text: (req.body as { text: string }).text, author: principal(req).client_id, time: new Date().toISOString() };
    const doc = await rc.stores.ctia.edit(principal(req).org_id, 'incident', id, (cur) => ({ ...cur, notes: [...(cur.notes ?? []), note] }));
    if (!doc) throw notFound('incident', id);
    return doc;
  });

  // CTIA's incident link: a related-to relationship from the casebook to the incident, amber
  // unless told. Its source_ref is the casebook's stored id whichever form was given, so the
  // relationship reads the same as those the store writes. Investigations are CTIA's too, not
  // kept here.
  app.post('/ctia/incident/:id/link', { preValidation: analyst }, async (req, reply) => {
    const id = pathId('incident', req);
    check(linkSchema, req.body, 'incident link');
    const b = (req.body ?? {}) as { casebook_id?: string; investigation_id?: string; tlp?: string };
    const given = (['casebook_id', 'investigation_id'] as const).filter((k) => b[k] !== undefined);
    if (given.length !== 1) {
      throw new ApiError('bad_request', `incident link: give exactly one of casebook_id, investigation_id (${given.length ? `given: ${given.join(', ')}` : 'none given'})`);
    }
    const orgId = principal(req).org_id;
    const incident = await rc.stores.ctia.get(orgId, 'incident', id);
    if (!incident) throw notFound('incident', id);
    if (b.investigation_id !== undefined) throw new ApiError('bad_request', 'investigation_id: investigations are not served here; link a casebook (casebook_id)');
    const cbId = shortIdOf('casebook', b.casebook_id!);
    const casebook = cbId ? await rc.stores.ctia.get(orgId, 'casebook', cbId) : null;
    if (!casebook) throw new ApiError('bad_request', `casebook_id: no casebook ${b.casebook_id} in this org`);
    const rel = realizeNew(relationshipSpec, { relationship_type: 'related-to', source_ref: casebook.id, target_ref: incident.id, tlp: b.tlp ?? 'amber' }, writerOf(rc, req));
    const saved = await rc.stores.ctia.create(orgId, 'relationship', rel as never);
    return reply.code(201).header('location', saved.id).send(saved);
  });

  // The sightings the incident holds (member-of relationships; see ctia-types.ts).
  app.get('/ctia/incident/:id/sightings', { preValidation: reader }, async (req, reply) => {
    const id = pathId('incident', req);
    const orgId = principal(req).org_id;
    if (!(await rc.stores.ctia.get(orgId, 'incident', id))) throw notFound('incident', id);
    const p = params(req);
    const page = pageOf(p);
    return sendPage(reply, p, page, await rc.stores.ctia.incidentSightings(orgId, id, page));
  });
}
