// What nodes on one database share of enrich, so that two nodes neither ask a module the same
// question twice nor both spend its quota: module answers and per-minute call budgets. One
// node alone (SQLite) has none; its in-memory cache and limits are the whole story.
export interface EnrichShare {
  /** Answers cached by any node, by key, with when they expire (ms); a missing key is a miss. */
  cacheGet(keys: readonly string[]): Promise<Map<string, { docs: unknown; expiresAt: number }>>;
  cacheSet(entries: ReadonlyArray<{ key: string; docs: unknown }>, ttlMs: number): Promise<void>;
  /** Counts one call against an instance's budget of `perMinute` calls a minute, across all
   * nodes; false (and not counted) when the budget is spent. */
  take(instanceKey: string, perMinute: number): Promise<boolean>;
}
