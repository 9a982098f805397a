// The CTIM entities threatlink produces and stores, with the fields interfaces.md §5 requires.
// One shape per entity type; response modules and the CTIA store share them.
import type { Confidence, Disposition, DispositionName, Severity } from './dispositions.js';

export interface CtimObservable { type: string; value: string }
export interface ValidTime { start_time?: string; end_time?: string }
export interface ObservedTime { start_time: string; end_time?: string }

export interface Relation {
  origin: string;
  relation: string;
  source: CtimObservable;
  related: CtimObservable;
}

export interface Target {
  type: string;
  observables: CtimObservable[];
  observed_time: ObservedTime;
}

interface Base {
  id: string;
  schema_version: string;
  source?: string;
  source_uri?: string;
  title?: string;
  description?: string;
  tlp?: 'white' | 'green' | 'amber' | 'red';
}

export interface Sighting extends Base {
  type: 'sighting';
  count: number;
  confidence: Confidence;
  observed_time: ObservedTime;
  observables?: CtimObservable[];
  targets?: Target[];
  relations?: Relation[];
  severity?: Severity;
  internal?: boolean;
  sensor?: string;
}

export interface Judgement extends Base {
  type: 'judgement';
  source: string;
  observable: CtimObservable;
  disposition: Disposition;
  disposition_name: DispositionName;
  /** 0–100: which judgement wins when several are valid. */
  priority: number;
  confidence: Confidence;
  severity: Severity;
  valid_time: ValidTime;
  reason?: string;
}

export interface Verdict {
  type: 'verdict';
  disposition: Disposition;
  disposition_name?: DispositionName;
  observable: CtimObservable;
  valid_time: ValidTime;
  judgement_id?: string;
}

export interface Indicator extends Base {
  type: 'indicator';
  producer: string;
  valid_time: ValidTime;
}

export interface Relationship extends Base {
  type: 'relationship';
  relationship_type: 'sighting-of' | 'indicates' | 'member-of' | 'related-to' | string;
  source_ref: string;
  target_ref: string;
}

export interface Incident extends Base {
  type: 'incident';
  confidence: Confidence;
  status: string;
  incident_time: { opened: string; closed?: string; discovered?: string; reported?: string };
  assignees?: string[];
  severity?: Severity;
}

export interface Casebook extends Base {
  type: 'casebook';
  observables?: CtimObservable[];
  texts?: Array<{ type: string; text: string }>;
  bundle?: Record<string, unknown>;
}

export type CtimEntity = Sighting | Judgement | Verdict | Indicator | Relationship | Incident | Casebook;
