// Promotion rules and the grouping state of the incident engine.
import type { PromotionRule } from '../incidents/rules.js';

export interface IncidentGroup {
  incident_id: string;
  /** Time of the newest event in the group, ms. */
  last_ts: number;
  /** The last event promoted into the group (store order). */
  last_event?: string;
}

export interface IncidentRuleStore {
  /** Null until the org has rules of its own (the engine then seeds the defaults). */
  list(orgId: string): Promise<PromotionRule[] | null>;
  /** Every org's own rules (orgs still on the defaults have none here). */
  listAll(): Promise<PromotionRule[]>;
  get(orgId: string, id: string): Promise<PromotionRule | null>;
  put(rule: PromotionRule): Promise<void>;
  delete(orgId: string, id: string): Promise<boolean>;
  /** Marks the org's rules as set (even when it deleted them all). */
  seed(orgId: string, rules: PromotionRule[]): Promise<void>;
  group(orgId: string, key: string): Promise<IncidentGroup | null>;
  setGroup(orgId: string, key: string, g: IncidentGroup): Promise<void>;
}
