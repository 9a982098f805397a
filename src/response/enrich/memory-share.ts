// Enrich's answers and call budgets in this process: all there is on one node (SQLite), and
// the first level in front of a shared one (fanout.ts), which also stands in while that one
// cannot be reached.
import type { EnrichShare } from './share.js';
import { AnswerCache, type Cached } from './cache.js';
import { MinuteRateLimit } from './limits.js';

export class MemoryEnrichShare implements EnrichShare {
  private readonly cache = new AnswerCache();
  private readonly budgets = new Map<string, MinuteRateLimit>();

  async cacheGet(keys: readonly string[]): Promise<Map<string, Cached>> {
    const out = new Map<string, Cached>();
    const now = Date.now();
    for (const k of keys) {
      const hit = this.cache.get(k, now);
      if (hit) out.set(k, hit);
    }
    return out;
  }

  async cacheSet(entries: ReadonlyArray<{ key: string; docs: unknown }>, ttlMs: number): Promise<void> {
    const now = Date.now();
    for (const e of entries) this.cache.set(e.key, e.docs, ttlMs, now);
  }

  async take(instanceKey: string, perMinute: number): Promise<boolean> {
    let b = this.budgets.get(instanceKey);
    if (!b) this.budgets.set(instanceKey, (b = new MinuteRateLimit()));
    return b.take(perMinute);
  }
}
