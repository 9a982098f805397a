// The one interface every response module implements, built in or remote. A module answers
// for one module instance of one org; the enrich fan-out (enrich/fanout.ts) calls it with a
// deadline and never lets one module's failure reach another's answer.
import type { CtimObservable, Indicator, Judgement, Relationship, Sighting, Verdict } from '../ctim/index.js';

/** A CTR list: `{count, docs}`. */
export interface Docs<T> { count: number; docs: T[] }

/** What observe answers: any of the CTIM lists, each optional (`{}` when nothing). */
export interface ObserveData {
  sightings?: Docs<Sighting>;
  judgements?: Docs<Judgement>;
  verdicts?: Docs<Verdict>;
  indicators?: Docs<Indicator>;
  relationships?: Docs<Relationship>;
}

/** A refer link (interfaces.md §3–§4). */
export interface ReferLink {
  id: string;
  title: string;
  description: string;
  url: string;
  categories: string[];
}

/** A respond action offered for an observable; `query-params` come back on trigger. */
export interface ResponseAction {
  id: string;
  title: string;
  description: string;
  categories: string[];
  'query-params': { observable_type: string; observable_value: string; [k: string]: string };
}

export interface TriggerResult {
  status: 'success' | 'failure';
  detail?: string;
  /** The device action made (GET /api/v1/response-actions/{id} follows it), when one was. */
  action_id?: string;
}

/** Per call: whose request it is and when to give up. */
export interface CallContext {
  orgId: string;
  /** Aborted at the module's timeout or when the caller goes away. */
  signal: AbortSignal;
  /** The API client asking (for an audit trail); never sent to remote modules. */
  clientId?: string;
  /** Hears errors a module reports beside the data it still returns (a relay module's
   * `{"data", "errors"}`), so the caller shows them beside that data. */
  partial?: (errors: PartialError[]) => void;
}

/** An error a module answered with beside partial data, in CTR's shape. */
export interface PartialError { type: string; code: string; message: string }

export type ModuleAuth =
  | { type: 'none' }
  | { type: 'hs256'; key: string }
  | { type: 'configuration-token' };

/** A module instance as stored and as the API shows it (secrets omitted there). */
export interface ModuleInstance {
  id: string;
  org_id: string;
  /** Which implementation: 'exchange-sightings', 'feed', 'relay', 'devices', … */
  kind: string;
  name: string;
  enabled: boolean;
  /** Relay modules: the module's base URL. */
  url?: string;
  auth?: ModuleAuth;
  /** Per-kind settings (a feed's source and format, …). */
  settings: Record<string, unknown>;
  /** Deadline for one call, ms (default 15,000). */
  timeout_ms: number;
  /** Calls to this instance in flight at once (default 32). */
  concurrency: number;
  /** Calls a minute (0: no limit). */
  rate_limit_per_minute: number;
  /** How long an answer is reused, s (0: never). */
  cache_ttl_seconds: number;
  created_at: string;
  updated_at: string;
  /** Built-in instances exist for every org and cannot be deleted. */
  builtin?: boolean;
}

export interface Module {
  readonly instance: ModuleInstance;
  observe?(observables: CtimObservable[], c: CallContext): Promise<ObserveData>;
  deliberate?(observables: CtimObservable[], c: CallContext): Promise<ObserveData>;
  refer?(observables: CtimObservable[], c: CallContext): Promise<ReferLink[]>;
  respond?(observables: CtimObservable[], c: CallContext): Promise<ResponseAction[]>;
  trigger?(actionId: string, params: Record<string, string>, c: CallContext): Promise<TriggerResult>;
  health?(c: CallContext): Promise<{ status: 'ok' } & Record<string, unknown>>;
  /** Reads its source again now rather than at the next scheduled time (feeds). */
  refresh?(): Promise<void>;
  /** Stops timers (feed refresh); called when the instance is changed, deleted or on shutdown. */
  close?(): Promise<void>;
}

/** A module failure with a CTR error code (relay answers carry their own). */
export class ModuleError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
