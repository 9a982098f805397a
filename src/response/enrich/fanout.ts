// Enrich: asks every module of the org in parallel, each under its own deadline, concurrency
// limit, rate limit and answer cache, and returns what came back beside what failed. One
// module's hang or error never holds up or spoils another's answer.
//
// Answers and calls-a-minute budgets live in an EnrichShare, shared by the nodes on one
// PostgreSQL database; the concurrency limit stays this node's own (a slot is held for the
// length of a call, which a lost node could never give back to a shared count), so N nodes
// may have N times an instance's concurrency in flight.
import type { CtimObservable } from '../../ctim/index.js';
import type { CallContext, Module, ModuleInstance, ObserveData, PartialError } from '../module.js';
import { ModuleError } from '../module.js';
import { AnswerCache } from './cache.js';
import { Semaphore } from './limits.js';
import type { EnrichShare } from './share.js';
import { MemoryEnrichShare } from './memory-share.js';

export type Verb = 'observe' | 'deliberate' | 'refer' | 'respond';

export interface ModuleRef {
  module: string;
  module_instance_id: string;
  module_type_id: string;
}

export interface ModuleFailure extends ModuleRef {
  /** 'fatal' for a module that failed; a partial answer's errors keep the module's own type. */
  type: string;
  code: string;
  message: string;
}

export interface FanOutResult<T> {
  /** Per module that answered (observe, deliberate), or per item (refer, respond). */
  answers: Array<{ ref: ModuleRef; data: T }>;
  errors: ModuleFailure[];
}

/** An instance's concurrency limit, rebuilt when the instance changes (its updated_at). */
interface Guards { sem: Semaphore; updatedAt: string }

/** Instance ids are unique per org only. */
const instanceKey = (i: ModuleInstance) => `${i.org_id}\u0000${i.id}`;

/** Deadline-bound call of one module; a module that ignores the signal is still cut off. The
 * cut-off is rejected directly rather than by a listener on the call's own signal: a listener on
 * a new AbortSignal costs ~6 µs (measured), and enrich makes one call a module a request. */
export async function withDeadline<T>(ms: number, parent: AbortSignal | undefined, f: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  let cutOff!: (reason: unknown) => void;
  const cut = new Promise<never>((_, reject) => {
    cutOff = reject;
  });
  const abort = (reason: ModuleError) => {
    if (ac.signal.aborted) return;
    ac.abort(reason);
    cutOff(reason);
  };
  const timer = setTimeout(() => abort(new ModuleError('timeout', `no answer within ${ms} ms`)), ms);
  const onParent = () => abort(new ModuleError('cancelled', 'the request was cancelled'));
  parent?.addEventListener('abort', onParent, { once: true });
  try {
    return await Promise.race([f(ac.signal), cut]);
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParent);
  }
}

function docKey(d: unknown): string {
  const id = (d as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? `id:${id}` : JSON.stringify(d);
}

/** Concatenates CTR `{count, docs}` lists key by key, without repeating a doc. */
export function mergeObserveData(parts: ObserveData[]): ObserveData {
  const out: Record<string, { count: number; docs: unknown[] }> = {};
  const seen: Record<string, Set<string>> = {};
  for (const p of parts) {
    for (const [k, v] of Object.entries(p ?? {})) {
      const docs = (v as { docs?: unknown[] } | undefined)?.docs;
      if (!Array.isArray(docs)) continue;
      const list = (out[k] ??= { count: 0, docs: [] });
      const s = (seen[k] ??= new Set());
      for (const d of docs) {
        const key = docKey(d);
        if (s.has(key)) continue;
        s.add(key);
        list.docs.push(d);
      }
      list.count = list.docs.length;
    }
  }
  return out as ObserveData;
}

/** Which of the asked observables a returned doc speaks of (for caching per observable). */
function owners(doc: unknown, asked: CtimObservable[]): CtimObservable[] {
  if (asked.length === 1) return asked;
  const text = JSON.stringify(doc);
  const hit = asked.filter((o) => text.includes(JSON.stringify(o.value)) || text.includes(encodeURIComponent(o.value)));
  return hit.length > 0 ? hit : asked;
}

function splitObserve(data: ObserveData, asked: CtimObservable[]): Map<CtimObservable, ObserveData> {
  const per = new Map<CtimObservable, Record<string, { count: number; docs: unknown[] }>>();
  for (const o of asked) per.set(o, {});
  for (const [k, v] of Object.entries(data ?? {})) {
    const docs = (v as { docs?: unknown[] } | undefined)?.docs;
    if (!Array.isArray(docs)) continue;
    for (const d of docs) {
      for (const o of owners(d, asked)) {
        const m = per.get(o)!;
        const l = (m[k] ??= { count: 0, docs: [] });
        l.docs.push(d);
        l.count++;
      }
    }
  }
  return per as Map<CtimObservable, ObserveData>;
}

function splitList<T>(items: T[], asked: CtimObservable[]): Map<CtimObservable, T[]> {
  const per = new Map<CtimObservable, T[]>();
  for (const o of asked) per.set(o, []);
  for (const it of items) for (const o of owners(it, asked)) per.get(o)!.push(it);
  return per;
}

function failureOf(ref: ModuleRef, err: unknown): ModuleFailure {
  if (err instanceof ModuleError) return { ...ref, type: 'fatal', code: err.code, message: err.message };
  const e = err as { name?: string; message?: string };
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') return { ...ref, type: 'fatal', code: 'timeout', message: e.message ?? 'timed out' };
  return { ...ref, type: 'fatal', code: 'module_error', message: e?.message ?? String(err) };
}

export class FanOut {
  private readonly guards = new Map<string, Guards>();
  /** This process's answers and budgets: the whole share on one node, else the level in
   * front of `far` (safe: a key carries its instance's updated_at) and its stand-in. */
  private readonly near: MemoryEnrichShare;
  private readonly far?: EnrichShare;

  /** `share`: the stores' (ResponseStores.enrichShare). A shared one that fails is skipped
   * and reported to `onShareError`: this node's own cache and budget answer instead. */
  constructor(
    private readonly typeId: (m: Module) => string,
    share: EnrichShare = new MemoryEnrichShare(),
    private readonly onShareError: (err: unknown) => void = () => {},
  ) {
    this.near = share instanceof MemoryEnrichShare ? share : new MemoryEnrichShare();
    if (share !== this.near) this.far = share;
  }

  private guardsOf(m: Module): Guards {
    const i = m.instance;
    let g = this.guards.get(instanceKey(i));
    if (!g || g.updatedAt !== i.updated_at) {
      g = { updatedAt: i.updated_at, sem: new Semaphore(Math.max(1, i.concurrency)) };
      this.guards.set(instanceKey(i), g);
    }
    return g;
  }

  ref(m: Module): ModuleRef {
    return { module: m.instance.name, module_instance_id: m.instance.id, module_type_id: this.typeId(m) };
  }

  /** One guarded call of one module: rate limit, concurrency, deadline. */
  async call<T>(m: Module, parent: AbortSignal | undefined, f: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const g = this.guardsOf(m);
    const perMinute = m.instance.rate_limit_per_minute;
    if (perMinute > 0 && !(await this.take(instanceKey(m.instance), perMinute))) {
      throw new ModuleError('rate_limited', `more than ${perMinute} calls a minute`);
    }
    // The deadline covers the wait for a slot too: the caller asked for an answer in time.
    return withDeadline(m.instance.timeout_ms, parent, (signal) => g.sem.run(() => f(signal), signal));
  }

  private async take(key: string, perMinute: number): Promise<boolean> {
    if (!this.far) return this.near.take(key, perMinute);
    return this.far.take(key, perMinute).catch((err: unknown) => {
      this.onShareError(err);
      return this.near.take(key, perMinute);
    });
  }

  /** Cached answers by key: this node's first, then what any node asked lately, in one round
   * trip for all of this node's misses. */
  private async cached(keys: string[]): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    for (const [k, hit] of await this.near.cacheGet(keys)) out.set(k, hit.docs);
    const misses = keys.filter((k) => !out.has(k));
    if (!this.far || misses.length === 0) return out;
    const shared = await this.far.cacheGet(misses).catch((err: unknown) => {
      this.onShareError(err);
      return new Map<string, { docs: unknown; expiresAt: number }>();
    });
    const now = Date.now();
    for (const [k, hit] of shared) {
      out.set(k, hit.docs);
      await this.near.cacheSet([{ key: k, docs: hit.docs }], hit.expiresAt - now);
    }
    return out;
  }

  /** `onModule` hears each asked module's share as soon as that module is done (investigate streams it). */
  async run(verb: Verb, modules: Module[], observables: CtimObservable[], orgId: string, parent?: AbortSignal,
    onModule?: (ref: ModuleRef, share: FanOutResult<unknown>) => void): Promise<FanOutResult<unknown>> {
    const all: FanOutResult<unknown> = { answers: [], errors: [] };
    await Promise.all(modules.map(async (m) => {
      if (!m[verb]) return;
      const share = await this.ask(verb, m, observables, orgId, parent);
      all.answers.push(...share.answers);
      all.errors.push(...share.errors);
      onModule?.(this.ref(m), share);
    }));
    return all;
  }

  /** One module's share: fresh answers, cached ones, or its failure. */
  private async ask(verb: Verb, m: Module, observables: CtimObservable[], orgId: string, parent?: AbortSignal): Promise<FanOutResult<unknown>> {
    const answers: Array<{ ref: ModuleRef; data: unknown }> = [];
    const errors: ModuleFailure[] = [];
    const fn = m[verb]!;
    const ref = this.ref(m);
    const i = m.instance;
    const ttl = i.cache_ttl_seconds * 1000;
    const keyOf = (o: CtimObservable) => AnswerCache.key(instanceKey(i), i.updated_at, verb, o.type, o.value);
    const cached: unknown[] = [];
    let ask: CtimObservable[] = observables;
    if (ttl > 0) {
      const keys = observables.map(keyOf);
      const hits = await this.cached(keys);
      ask = [];
      for (let k = 0; k < observables.length; k++) {
        const hit = hits.get(keys[k]!);
        if (hit === undefined) ask.push(observables[k]!);
        else cached.push(hit);
      }
    }
    let fresh: unknown;
    let partly = false;
    if (ask.length > 0) {
      const partial = (list: PartialError[]) => {
        partly = true;
        for (const e of list) errors.push({ ...ref, type: e.type, code: e.code, message: e.message });
      };
      try {
        fresh = await this.call(m, parent, (signal) => (fn as (o: CtimObservable[], c: CallContext) => Promise<unknown>).call(m, ask, { orgId, signal, partial }));
      } catch (err) {
        errors.push(failureOf(ref, err));
        if (cached.length === 0) return { answers, errors };
      }
      // A partial answer is not cached: what it lacks would be served as "nothing found".
      if (fresh !== undefined && ttl > 0 && !partly) {
        const per = verb === 'observe' || verb === 'deliberate'
          ? splitObserve(fresh as ObserveData, ask)
          : splitList((fresh as unknown[]) ?? [], ask);
        const entries = [...per].map(([o, docs]) => ({ key: keyOf(o), docs }));
        await this.near.cacheSet(entries, ttl);
        await this.far?.cacheSet(entries, ttl).catch(this.onShareError);
      }
    }
    if (verb === 'observe' || verb === 'deliberate') {
      const parts = [...(cached as ObserveData[]), ...(fresh !== undefined ? [fresh as ObserveData] : [])];
      // One part needs no merging: the module's own answer goes back as it came.
      answers.push({ ref, data: parts.length === 1 ? parts[0]! : mergeObserveData(parts) });
    } else if (cached.length === 0) {
      for (const item of (fresh as unknown[] | undefined) ?? []) answers.push({ ref, data: item });
    } else {
      const seen = new Set<string>();
      for (const list of [...(cached as unknown[][]), ...(fresh !== undefined ? [fresh as unknown[]] : [])]) {
        for (const item of list ?? []) {
          const k = docKey(item);
          if (seen.has(k)) continue;
          seen.add(k);
          answers.push({ ref, data: item });
        }
      }
    }
    return { answers, errors };
  }
}
