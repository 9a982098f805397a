// One investigation: observe, deliberate and refer across the org's modules at once, then the
// graph and the tables. Both the JSON answer and the streamed one (stream.ts) come from here.
import type { CtimObservable } from '../../ctim/index.js';
import type { ResponseContext } from '../context.js';
import type { Module, ObserveData } from '../module.js';
import type { FanOutResult, ModuleRef, Verb } from '../enrich/fanout.js';
import { GraphBuilder } from './graph.js';

export const INVESTIGATE_VERBS = ['observe', 'deliberate', 'refer'] as const satisfies readonly Verb[];
export type InvestigateVerb = (typeof INVESTIGATE_VERBS)[number];

export type OnModule = (verb: InvestigateVerb, ref: ModuleRef, share: FanOutResult<unknown>) => void;

export async function investigate(rc: ResponseContext, mods: Module[], obs: CtimObservable[], orgId: string, signal: AbortSignal, onModule?: OnModule) {
  const [observe, deliberate, refer] = await Promise.all(INVESTIGATE_VERBS.map((verb) =>
    rc.fanout.run(verb, mods, obs, orgId, signal, onModule && ((ref, share) => onModule(verb, ref, share)))));
  const g = new GraphBuilder(obs);
  for (const a of [...observe!.answers, ...deliberate!.answers]) g.add(a.ref, a.data as ObserveData);
  return {
    observables: obs,
    graph: g.graph(),
    tables: {
      observables: g.rows(),
      sightings: g.sightings,
      judgements: g.judgements,
      verdicts: g.verdicts,
      refer: refer!.answers.map((a) => ({ ...(a.data as object), ...a.ref })),
    },
    errors: [...observe!.errors.map((e) => ({ ...e, verb: 'observe' })), ...deliberate!.errors.map((e) => ({ ...e, verb: 'deliberate' })), ...refer!.errors.map((e) => ({ ...e, verb: 'refer' }))],
  };
}
