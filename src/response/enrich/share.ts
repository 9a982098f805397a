// What nodes on one database share of enrich, so that two nodes neither ask a module the same
// question twice nor both spend its quota: module answers and per-minute call budgets. The
// store chooses the implementation (ResponseStores.enrichShare): in memory for one node on
// SQLite (memory-share.ts), tables for nodes on PostgreSQL (store/postgres/enrich-share.ts).
export interface EnrichShare {
  /** Unexpired answers by key, with when they expire (ms since the epoch), in one look-up
   * however many keys; a key not in the map is a miss. */
  cacheGet(keys: readonly string[]): Promise<Map<string, { docs: unknown; expiresAt: number }>>;
  cacheSet(entries: ReadonlyArray<{ key: string; docs: unknown }>, ttlMs: number): Promise<void>;
  /** Counts one call against an instance's budget of `perMinute` calls a minute (0: none);
   * false, and not counted, when the budget is spent. */
  take(instanceKey: string, perMinute: number): Promise<boolean>;
}
