// Module answers kept per (instance, verb, observable) for the instance's TTL, so a repeated
// investigation does not ask a slow or metered module again. Bounded: oldest entries go first.

interface Entry { at: number; ttlMs: number; docs: unknown }

export class AnswerCache {
  private readonly map = new Map<string, Entry>();

  constructor(private readonly maxEntries = 50_000) {}

  static key(instanceId: string, updatedAt: string, verb: string, type: string, value: string): string {
    return `${instanceId}\u0000${updatedAt}\u0000${verb}\u0000${type}\u0000${value}`;
  }

  get(key: string, now = Date.now()): unknown {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (now - e.at >= e.ttlMs) {
      this.map.delete(key);
      return undefined;
    }
    return e.docs;
  }

  set(key: string, docs: unknown, ttlMs: number, now = Date.now()): void {
    if (ttlMs <= 0) return;
    this.map.delete(key);
    this.map.set(key, { at: now, ttlMs, docs });
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as string);
  }

  clear(): void {
    this.map.clear();
  }
}
