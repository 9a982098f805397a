// Where the incident engine writes: open an incident, put a sighting in it, read its status.
// Kept narrow so the engine does not depend on how CTIA stores entities.
import type { Incident, Sighting } from '../../ctim/index.js';

export interface IncidentSink {
  /** Stores a new incident (id given) and returns it. */
  open(orgId: string, incident: Incident): Promise<Incident>;
  get(orgId: string, id: string): Promise<Incident | null>;
  /** Creates the sighting, or replaces the one with the same id, and makes it a member of the
   * incident. */
  putSighting(orgId: string, incidentId: string, sighting: Sighting): Promise<void>;
  sighting(orgId: string, id: string): Promise<Sighting | null>;
}
