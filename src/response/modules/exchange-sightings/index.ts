// Built-in module: what this org's own sensors saw. Observe turns the stored events that name
// an observable into sightings; refer links to the event search.
import type { CtimObservable, Sighting } from '../../../ctim/index.js';
import type { StoredEvent } from '../../../events/event.js';
import type { UniqueEvent } from '../../../exchange/store/types.js';
import type { ModuleKind } from '../kind.js';
import type { Module, ModuleInstance, ReferLink } from '../../module.js';
import type { ResponseContext } from '../../context.js';
import { eventIdentity, identity, toSighting } from './sightings.js';

/** Events read per observable; beyond it, counts come from the unique-event table. */
const MAX_EVENTS = 2000;
const PAGE = 1000;

async function eventsNaming(rc: ResponseContext, orgId: string, value: string): Promise<{ events: StoredEvent[]; truncated: boolean }> {
  const events: StoredEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await rc.exchange.stores.events.query(orgId, { observable: value, limit: PAGE, ...(cursor ? { cursor } : {}) });
    events.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && events.length < MAX_EVENTS);
  return { events, truncated: cursor !== undefined };
}

async function uniquesNaming(rc: ResponseContext, orgId: string, value: string): Promise<Map<string, UniqueEvent>> {
  const page = await rc.exchange.stores.events.unique(orgId, { observable: value, limit: 1000 });
  return new Map(page.data.map((u) => [identity(u), u]));
}

export function consoleEventUrl(rc: ResponseContext, id: string): string {
  return `${rc.baseUrl()}/console/events/${encodeURIComponent(id)}`;
}

export function consoleSearchUrl(rc: ResponseContext, value: string): string {
  return `${rc.baseUrl()}/console/events?observable=${encodeURIComponent(value)}`;
}

async function sightingsFor(rc: ResponseContext, orgId: string, o: CtimObservable): Promise<Sighting[]> {
  const [{ events, truncated }, uniques] = await Promise.all([eventsNaming(rc, orgId, o.value), uniquesNaming(rc, orgId, o.value)]);
  const groups = new Map<string, StoredEvent[]>();
  for (const e of events) {
    const k = eventIdentity(e);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(e);
  }
  return [...groups].map(([k, evs]) => toSighting({
    orgId, events: evs, unique: uniques.get(k), truncated, eventUrl: (id) => consoleEventUrl(rc, id),
  }));
}

function create(instance: ModuleInstance, rc: ResponseContext): Module {
  return {
    instance,
    async observe(observables, c) {
      // Most observables of an investigation were never seen by the org's sensors: one lookup
      // for all of them, then the two queries each only for those that were.
      const named = await rc.exchange.stores.events.named(c.orgId, observables.map((o) => o.value));
      const seen = observables.filter((o) => named.has(o.value));
      const docs = (await Promise.all(seen.map((o) => sightingsFor(rc, c.orgId, o)))).flat();
      return docs.length === 0 ? {} : { sightings: { count: docs.length, docs } };
    },
    async refer(observables) {
      return observables.map((o): ReferLink => ({
        id: `ref-threatlink-events-${o.type}-${encodeURIComponent(o.value)}`,
        title: `Search events for this ${o.type}`,
        description: `Events your sensors reported that name ${o.value}`,
        url: consoleSearchUrl(rc, o.value),
        categories: ['Search', 'threatlink', 'Events'],
      }));
    },
    async health() {
      return { status: 'ok', events: await rc.exchange.stores.events.count(instance.org_id) };
    },
  };
}

export const exchangeSightingsKind: ModuleKind = {
  kind: 'exchange-sightings',
  typeId: 'threatlink.exchange-sightings',
  description: 'Exchange sightings',
  builtin: true,
  create,
};
