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

/** Judgements read per observable for its verdict; sightings per observable. */
const MAX_JUDGEMENTS = 1000;
const MAX_SIGHTINGS = 100;

async function answer(rc: ResponseContext, orgId: string, observables: CtimObservable[], withLists: boolean): Promise<ObserveData> {
  const ctia = rc.stores.ctia;
  const [js, ss] = await Promise.all([
    ctia.byObservables(orgId, 'judgement', observables, MAX_JUDGEMENTS),
    withLists ? ctia.byObservables(orgId, 'sighting', observables, MAX_SIGHTINGS) : Promise.resolve([]),
  ]);
  const verdicts = (js as Judgement[][]).map((list) => verdictOf(list)).filter((v): v is Verdict => v !== null);
  const judgements = withLists ? (js as Judgement[][]).flat() : [];
  // A sighting naming two of the observables comes back once.
  const sightings = [...new Map((ss as Sighting[][]).flat().filter((s) => s.source !== EXCHANGE_SOURCE).map((s) => [s.id, s])).values()];
  const out: ObserveData = {};
  if (verdicts.length > 0) out.verdicts = { count: verdicts.length, docs: verdicts };
  if (judgements.length > 0) out.judgements = { count: judgements.length, docs: [...new Map(judgements.map((j) => [j.id, j])).values()] };
  if (sightings.length > 0) out.sightings = { count: sightings.length, docs: sightings };
  if (out.judgements) out.judgements.count = out.judgements.docs.length;
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
