// The module instances of each org, built into live modules on first use and rebuilt when an
// instance changes. Built-in kinds give every org one instance without anything stored.
import type { Module, ModuleInstance } from '../module.js';
import type { ResponseContext } from '../context.js';
import type { ModuleKind } from './kind.js';
import { ModuleConfigError } from './kind.js';

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_CONCURRENCY = 32;
const INSTANCES_TTL_MS = 5000;

/** The instance a built-in kind gives an org. Its id is the same in every org. */
export function builtinInstance(kind: ModuleKind, orgId: string): ModuleInstance {
  const at = new Date(0).toISOString();
  return {
    id: `builtin-${kind.kind}`, org_id: orgId, kind: kind.kind, name: kind.description, enabled: true, settings: {},
    timeout_ms: DEFAULT_TIMEOUT_MS, concurrency: DEFAULT_CONCURRENCY, rate_limit_per_minute: 0, cache_ttl_seconds: 0,
    created_at: at, updated_at: at, builtin: true,
  };
}

export class ModuleManager {
  private readonly kinds = new Map<string, ModuleKind>();
  /** Live modules by org, then instance id; rebuilt when updated_at changes. */
  private readonly live = new Map<string, Map<string, Module>>();
  private rc: ResponseContext | null = null;
  private readonly listeners: Array<(orgId: string) => Promise<void>> = [];
  /** The org's stored instances, read at most every INSTANCES_TTL_MS: every enrich needs them.
   * Changes through this server's API drop the entry at once; a change made on another node
   * is seen within the TTL. */
  private readonly stored = new Map<string, { at: number; list: Promise<ModuleInstance[]> }>();

  constructor(kinds: readonly ModuleKind[]) {
    for (const k of kinds) this.kinds.set(k.kind, k);
  }

  bind(rc: ResponseContext): void {
    this.rc = rc;
  }

  private get ctx(): ResponseContext {
    if (!this.rc) throw new Error('module manager used before bind()');
    return this.rc;
  }

  kind(name: string): ModuleKind | undefined {
    return this.kinds.get(name);
  }

  kindNames(): string[] {
    return [...this.kinds.keys()];
  }

  /** Throws ModuleConfigError when the kind is unknown or the settings are wrong. */
  validate(m: ModuleInstance): void {
    const k = this.kinds.get(m.kind);
    if (!k) throw new ModuleConfigError('kind', `unknown module kind ${JSON.stringify(m.kind)}; one of ${[...this.kinds.values()].filter((x) => !x.builtin).map((x) => x.kind).join(', ')}`);
    if (k.builtin) throw new ModuleConfigError('kind', `${m.kind} is built in: every org has it already`);
    k.validate?.(m, this.ctx);
  }

  /** Built-in instances first, then the org's own, in creation order. */
  async instances(orgId: string): Promise<ModuleInstance[]> {
    const builtins = [...this.kinds.values()].filter((k) => k.builtin).map((k) => builtinInstance(k, orgId));
    let c = this.stored.get(orgId);
    if (!c || Date.now() - c.at >= INSTANCES_TTL_MS) {
      c = { at: Date.now(), list: this.ctx.stores.modules.list(orgId) };
      this.stored.set(orgId, c);
      c.list.catch(() => this.stored.delete(orgId));
    }
    return [...builtins, ...(await c.list)];
  }

  async instance(orgId: string, id: string): Promise<ModuleInstance | null> {
    return (await this.instances(orgId)).find((m) => m.id === id) ?? null;
  }

  /** Live modules for the org's enabled instances (optionally only of one kind). */
  async modules(orgId: string, kind?: string): Promise<Module[]> {
    const instances = (await this.instances(orgId)).filter((m) => m.enabled && (kind === undefined || m.kind === kind));
    let byId = this.live.get(orgId);
    if (!byId) this.live.set(orgId, (byId = new Map()));
    const out: Module[] = [];
    for (const m of instances) {
      let mod = byId.get(m.id);
      if (mod && mod.instance.updated_at !== m.updated_at) {
        void mod.close?.();
        mod = undefined;
      }
      if (!mod) {
        const k = this.kinds.get(m.kind);
        if (!k) {
          this.ctx.log.warn({ instance: m.id, kind: m.kind }, 'module instance of an unknown kind skipped');
          continue;
        }
        mod = k.create(m, this.ctx);
        byId.set(m.id, mod);
      }
      out.push(mod);
    }
    return out;
  }

  async module(orgId: string, id: string): Promise<Module | null> {
    return (await this.modules(orgId)).find((m) => m.instance.id === id) ?? null;
  }

  /** Parts that keep modules running (feeds) hear of each instance created, changed or removed. */
  onChange(f: (orgId: string) => Promise<void>): void {
    this.listeners.push(f);
  }

  /** Tells them; the instance API calls this after each change. */
  async changed(orgId: string): Promise<void> {
    this.stored.delete(orgId);
    for (const f of this.listeners) {
      await f(orgId).catch((err: unknown) => this.ctx.log.warn({ err, org: orgId }, 'module change listener failed'));
    }
  }

  /** Drops the live module of an instance that changed or went. */
  async forget(orgId: string, id: string): Promise<void> {
    this.stored.delete(orgId);
    const mod = this.live.get(orgId)?.get(id);
    this.live.get(orgId)?.delete(id);
    await mod?.close?.();
  }

  typeId(m: ModuleInstance): string {
    return this.kinds.get(m.kind)?.typeId ?? m.kind;
  }

  async close(): Promise<void> {
    for (const byId of this.live.values()) for (const m of byId.values()) await m.close?.();
    this.live.clear();
  }
}
