// Built-in module: the org's own intelligence in CTIA. Observe gives the judgements analysts
// recorded (and the verdict they add up to) and the sightings they stored; deliberate gives the
// verdict. Sightings the incident engine copied from events are left out: the exchange
// sightings module already answers with those.
import type { CtimObservable, Judgement, Sighting, Verdict } from '../../ctim/index.js';
import { verdictOf } from '../../ctim/index.js';
import type { ModuleKind } from './kind.js';
import type { Module, ModuleInstance, ObserveData } from '../module.js';
import type { ResponseContext } from '../context.js';
import { SOURCE as EXCHANGE_SOURCE } from './exchange-sightings/sightings.js';

/** Judgements read per observable for its verdict. */
const MAX_JUDGEMENTS = 1000;

async function judgementsOf(rc: ResponseContext, orgId: string, o: CtimObservable): Promise<Judgement[]> {
  return (await rc.stores.ctia.byObservable(orgId, 'judgement', o, { limit: MAX_JUDGEMENTS })).data as Judgement[];
}

async function answer(rc: ResponseContext, orgId: string, observables: CtimObservable[], withLists: boolean): Promise<ObserveData> {
  const judgements: Judgement[] = [];
  const verdicts: Verdict[] = [];
  const sightings: Sighting[] = [];
  await Promise.all(observables.map(async (o) => {
    const js = await judgementsOf(rc, orgId, o);
    const v = verdictOf(js);
    if (v) verdicts.push(v);
    if (!withLists) return;
    judgements.push(...js);
    const ss = (await rc.stores.ctia.byObservable(orgId, 'sighting', o, { limit: 100 })).data as Sighting[];
    sightings.push(...ss.filter((s) => s.source !== EXCHANGE_SOURCE));
  }));
  const out: ObserveData = {};
  if (verdicts.length > 0) out.verdicts = { count: verdicts.length, docs: verdicts };
  if (judgements.length > 0) out.judgements = { count: judgements.length, docs: judgements };
  if (sightings.length > 0) out.sightings = { count: sightings.length, docs: sightings };
  return out;
}

function create(instance: ModuleInstance, rc: ResponseContext): Module {
  return {
    instance,
    observe: (obs, c) => answer(rc, c.orgId, obs, true),
    deliberate: (obs, c) => answer(rc, c.orgId, obs, false),
  };
}

export const privateIntelKind: ModuleKind = {
  kind: 'private-intel',
  typeId: 'threatlink.private-intel',
  description: 'Private intelligence',
  builtin: true,
  create,
};
