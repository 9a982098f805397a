// Incidents as a part of response: the promotion rules API, promotion by hand, and the engine
// that opens incidents from stored events (woken by each commit).
import type { ResponsePart } from '../part.js';
import type { ResponseContext } from '../context.js';
import { IncidentEngine } from './engine.js';
import { ctiaIncidentSink } from '../store/ctia-sink.js';
import { incidentRuleRoutes } from '../api/incident-rules.js';
import { incidentPromoteRoutes } from '../api/incident-promote.js';

const engines = new WeakMap<ResponseContext, IncidentEngine>();

/** The engine of one server (tests wait on it with drained()). */
export function incidentEngineOf(rc: ResponseContext): IncidentEngine {
  let e = engines.get(rc);
  if (!e) engines.set(rc, (e = new IncidentEngine(rc, ctiaIncidentSink(rc.stores.ctia))));
  return e;
}

export const incidentsPart: ResponsePart = {
  name: 'incidents',
  async routes(app, rc) {
    await incidentRuleRoutes(app, rc, (orgId) => incidentEngineOf(rc).forgetRules(orgId));
    await incidentPromoteRoutes(app, rc, () => ctiaIncidentSink(rc.stores.ctia));
  },
  async start(rc) {
    incidentEngineOf(rc).start();
  },
  afterCommit(rc, _items, inserted) {
    if (inserted.some(Boolean)) incidentEngineOf(rc).wake();
  },
  async close(rc) {
    await engines.get(rc)?.stop();
  },
};
