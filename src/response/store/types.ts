// What response keeps, behind small interfaces (the exchange's store pattern): module
// instances, CTIA entities, device actions, consumer cursors, and what nodes on one database
// must agree on (leadership, enrich's cache and budgets). Every read and write of
// org-owned data takes the org id.
import type { ModuleInstance } from '../module.js';
import type { CtiaStore } from './ctia-types.js';
import type { DeviceActionStore } from './action-types.js';
import type { IncidentRuleStore } from './incident-types.js';
import type { EnrichShare } from '../enrich/share.js';

export type { CtiaStore } from './ctia-types.js';
export type { DeviceActionStore } from './action-types.js';
export type { IncidentRuleStore, IncidentGroup } from './incident-types.js';

export type ModuleInstancePatch = Partial<Omit<ModuleInstance, 'id' | 'org_id' | 'created_at' | 'builtin'>>;

export interface ModuleInstanceStore {
  list(orgId: string): Promise<ModuleInstance[]>;
  get(orgId: string, id: string): Promise<ModuleInstance | null>;
  create(m: ModuleInstance): Promise<ModuleInstance>;
  update(orgId: string, id: string, patch: ModuleInstancePatch): Promise<ModuleInstance | null>;
  delete(orgId: string, id: string): Promise<boolean>;
}

/** Named positions of consumers that tail the event store (incident promotion). */
export interface CursorStore {
  get(name: string): Promise<string | null>;
  set(name: string, cursor: string | null): Promise<void>;
}

/** Work only one node may do at a time (incident promotion from the shared cursor). */
export interface LeaderLock {
  /** True while this node holds the named lock, taking it when it is free. A node that dies
   * loses it (the database sees its connection drop) and another takes it on its next try. */
  tryLead(name: string): Promise<boolean>;
}

export interface ResponseStores {
  modules: ModuleInstanceStore;
  ctia: CtiaStore;
  actions: DeviceActionStore;
  cursors: CursorStore;
  incidents: IncidentRuleStore;
  leader: LeaderLock;
  /** Enrich's answers and call budgets: shared by the nodes on one database (PostgreSQL),
   * this process's own on SQLite. */
  enrichShare: EnrichShare;
  close(): Promise<void>;
}
