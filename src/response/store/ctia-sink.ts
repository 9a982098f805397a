// The incident engine's IncidentSink over the CTIA store: incidents are CTIA incidents, and a
// promoted sighting joins its incident by a `member-of` relationship (see ctia-types.ts), so the
// console and GET /ctia/incident/{id}/sightings see what the engine wrote.
import type { IncidentSink } from '../incidents/sink.js';
import type { CtiaStore } from './ctia-types.js';

export function ctiaIncidentSink(ctia: CtiaStore): IncidentSink {
  return {
    open: (orgId, incident) => ctia.create(orgId, 'incident', incident),
    get: (orgId, id) => ctia.get(orgId, 'incident', id),
    async putSighting(orgId, incidentId, sighting) {
      if (!(await ctia.putIncidentSighting(orgId, incidentId, sighting))) throw new Error(`no incident ${incidentId} in org ${orgId}`);
    },
    sighting: (orgId, id) => ctia.get(orgId, 'sighting', id),
  };
}
