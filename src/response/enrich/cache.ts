// Module answers kept per (instance, verb, observable) for the instance's TTL, so a repeated
// investigation does not ask a slow or metered module again. Bounded: oldest entries go first.

export interface Cached { docs: unknown; expiresAt: number }

export class AnswerCache {
  private readonly map = new Map<string, Cached>();

  constructor(private readonly maxEntries = 50_000) {}

  /** Carries the instance's updated_at: an edited instance asks afresh, and no node can serve
   * an answer given under the instance's old settings. */
  static key(instanceId: string, updatedAt: string, verb: string, type: string, value: string): string {
    return `${instanceId}\u0000${updatedAt}\u0000${verb}\u0000${type}\u0000${value}`;
  }

  get(key: string, now = Date.now()): Cached | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (now >= e.expiresAt) {
      this.map.delete(key);
      return undefined;
    }
    return e;
  }

  set(key: string, docs: unknown, ttlMs: number, now = Date.now()): void {
    if (ttlMs <= 0) return;
    this.map.delete(key);
    this.map.set(key, { docs, expiresAt: now + ttlMs });
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as string);
  }

  clear(): void {
    this.map.clear();
  }
}
