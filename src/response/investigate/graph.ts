// The investigation graph: observables, the targets they touched, what each module saw and
// judged, joined by edges (relations, sighting-of, targets, judgement-of). Pure data, shaped
// for cytoscape: the console draws it as it is.
import type { CtimObservable, Judgement, Sighting, Verdict } from '../../ctim/index.js';
import { verdictOf } from '../../ctim/index.js';
import type { ObserveData } from '../module.js';
import type { ModuleRef } from '../enrich/fanout.js';

export type NodeKind = 'observable' | 'target' | 'sighting' | 'judgement' | 'verdict';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
  observable?: CtimObservable;
  module?: string;
  module_instance_id?: string;
  disposition_name?: string;
  severity?: string;
  count?: number;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  kind: 'relation' | 'sighting-of' | 'targets' | 'judgement-of' | 'verdict-of';
  label: string;
}

export interface ObservableRow {
  type: string;
  value: string;
  /** The verdict over every module's judgements (CTIM rule), else the most telling module verdict. */
  verdict: Verdict | null;
  sightings: number;
  modules: string[];
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export const observableNodeId = (o: CtimObservable) => `observable:${o.type}:${o.value}`;

export class GraphBuilder {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly edges = new Map<string, GraphEdge>();
  readonly sightings: Array<Sighting & { module: string }> = [];
  readonly judgements: Array<Judgement & { module: string }> = [];
  readonly verdicts: Array<Verdict & { module: string }> = [];

  constructor(private readonly asked: CtimObservable[]) {
    for (const o of asked) this.observable(o);
  }

  private observable(o: CtimObservable): string {
    const id = observableNodeId(o);
    if (!this.nodes.has(id)) this.nodes.set(id, { id, kind: 'observable', label: o.value, observable: { type: o.type, value: o.value } });
    return id;
  }

  private edge(source: string, target: string, kind: GraphEdge['kind'], label: string): void {
    const id = `${kind}:${source}->${target}:${label}`;
    if (!this.edges.has(id)) this.edges.set(id, { id, source, target, kind, label });
  }

  add(ref: ModuleRef, data: ObserveData): void {
    for (const s of data.sightings?.docs ?? []) {
      this.sightings.push({ ...s, module: ref.module });
      const sid = `sighting:${ref.module_instance_id}:${s.id}`;
      this.nodes.set(sid, { id: sid, kind: 'sighting', label: s.title ?? 'sighting', module: ref.module, module_instance_id: ref.module_instance_id, severity: s.severity, count: s.count });
      for (const o of s.observables ?? []) this.edge(sid, this.observable(o), 'sighting-of', 'sighting of');
      for (const t of s.targets ?? []) {
        const tid = `target:${t.type}:${t.observables.map((o) => `${o.type}=${o.value}`).join(',')}`;
        if (!this.nodes.has(tid)) this.nodes.set(tid, { id: tid, kind: 'target', label: t.observables.map((o) => o.value).join(', ') || t.type });
        this.edge(sid, tid, 'targets', t.type);
      }
      for (const r of s.relations ?? []) this.edge(this.observable(r.source), this.observable(r.related), 'relation', r.relation);
    }
    for (const j of data.judgements?.docs ?? []) {
      this.judgements.push({ ...j, module: ref.module });
      const jid = `judgement:${ref.module_instance_id}:${j.id}`;
      this.nodes.set(jid, { id: jid, kind: 'judgement', label: `${j.disposition_name} (${ref.module})`, module: ref.module, module_instance_id: ref.module_instance_id, disposition_name: j.disposition_name, severity: j.severity });
      this.edge(jid, this.observable(j.observable), 'judgement-of', 'judgement of');
    }
    for (const v of data.verdicts?.docs ?? []) {
      this.verdicts.push({ ...v, module: ref.module });
      const vid = `verdict:${ref.module_instance_id}:${v.observable.type}:${v.observable.value}`;
      this.nodes.set(vid, { id: vid, kind: 'verdict', label: `${v.disposition_name ?? v.disposition} (${ref.module})`, module: ref.module, module_instance_id: ref.module_instance_id, disposition_name: v.disposition_name });
      this.edge(vid, this.observable(v.observable), 'verdict-of', 'verdict');
    }
  }

  graph(): Graph {
    return { nodes: [...this.nodes.values()], edges: [...this.edges.values()] };
  }

  rows(): ObservableRow[] {
    return this.asked.map((o) => {
      const same = (x: CtimObservable) => x.type === o.type && x.value === o.value;
      const js = this.judgements.filter((j) => same(j.observable));
      const vs = this.verdicts.filter((v) => same(v.observable));
      let verdict = verdictOf(js);
      if (!verdict && vs.length > 0) verdict = [...vs].sort((a, b) => a.disposition - b.disposition)[0]!;
      if (verdict && 'module' in verdict) { const { module: _m, ...v } = verdict as Verdict & { module: string }; verdict = v; }
      const sightings = this.sightings.filter((s) => (s.observables ?? []).some(same));
      const modules = new Set([...sightings, ...js, ...vs].map((x) => x.module));
      return { type: o.type, value: o.value, verdict, sightings: sightings.reduce((n, s) => n + (s.count ?? 1), 0), modules: [...modules] };
    });
  }
}
