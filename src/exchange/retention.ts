// Background pruning by age and by size, in small deletes with a yield between them, so a
// large prune never holds the writer long enough to stall ingest.
import type { EventStore } from './store/types.js';

export interface RetentionPolicy { maxAgeDays: number; maxBytes: number; intervalSeconds: number }

const CHUNK = 2000;
const yieldToIngest = () => new Promise<void>((r) => setTimeout(r, 5));

/** What one prune deleted, and `before`: the event time below which age deleted. */
export interface PruneResult { byAge: number; bySize: number; before: string }

export async function pruneOnce(store: EventStore, policy: RetentionPolicy, now = Date.now()): Promise<PruneResult> {
  const before = new Date(now - policy.maxAgeDays * 86400_000).toISOString();
  let byAge = 0;
  for (;;) {
    const n = await store.pruneOldest(CHUNK, before);
    byAge += n;
    if (n < CHUNK) break;
    await yieldToIngest();
  }
  let bySize = 0;
  if (policy.maxBytes > 0) {
    while ((await store.sizeBytes()) > policy.maxBytes) {
      const n = await store.pruneOldest(CHUNK);
      bySize += n;
      if (n === 0) break;
      await yieldToIngest();
    }
  }
  return { byAge, bySize, before };
}

/** `onPruned` hears each prune that deleted something: age is by event time, so a replayed
 * old capture is deleted within a tick of arriving, and an operator needs to see that said. */
export function startRetention(
  store: EventStore,
  policy: RetentionPolicy,
  onError: (e: unknown) => void,
  onPruned: (r: PruneResult) => void = () => {},
): () => void {
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    pruneOnce(store, policy)
      .then((r) => {
        if (r.byAge + r.bySize > 0) onPruned(r);
      })
      .catch(onError)
      .finally(() => { running = false; });
  };
  const t = setInterval(tick, policy.intervalSeconds * 1000);
  t.unref();
  const first = setTimeout(tick, 1000);
  first.unref();
  return () => {
    clearInterval(t);
    clearTimeout(first);
  };
}
