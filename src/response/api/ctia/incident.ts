// What incidents have beyond CRUD: the status workflow (which stamps incident_time as CTIA
// does), analysts' notes, and the sightings promoted into the incident.
import type { FastifyInstance } from 'fastify';
import type { ResponseContext } from '../../context.js';
import { requireRole, principal } from '../../../exchange/api/auth-hook.js';
import type { CtiaIncident } from '../../store/ctia-types.js';
import { INCIDENT_STATUSES } from './entities.js';
import { check } from './validate.js';
import { notFound, pathId } from './crud.js';
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
