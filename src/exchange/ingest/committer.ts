// Group commit: batches that arrive while a commit is running are stored together in the next
// one, so many devices share one durable transaction instead of paying an fsync each.
import type { CommitItem, CommitResult, EventStore } from '../store/types.js';
import type { ExchangeExtension } from '../extension.js';

interface Pending {
  items: CommitItem[];
  resolve: (r: CommitResult) => void;
  reject: (e: unknown) => void;
}

export class Committer {
  private queue: Pending[] = [];
  private queuedEvents = 0;
  private running = false;

  constructor(
    private readonly store: EventStore,
    private readonly maxEvents: number,
    private readonly extensions: readonly ExchangeExtension[] = [],
    private readonly onHookError: (err: unknown, name: string) => void = () => {},
    /** Told of each commit's outcome (metrics): new and already-stored events. */
    private readonly onCommitted: (inserted: number, duplicates: number) => void = () => {},
  ) {}

  /** Resolves once every item is durably stored (or known to be a duplicate). */
  submit(items: CommitItem[]): Promise<CommitResult> {
    if (items.length === 0) return Promise.resolve({ inserted: [] });
    return new Promise((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.queuedEvents += items.length;
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  get depth(): number {
    return this.queuedEvents;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group: Pending[] = [];
      let n = 0;
      while (this.queue.length > 0 && (n === 0 || n + this.queue[0]!.items.length <= this.maxEvents)) {
        const p = this.queue.shift()!;
        group.push(p);
        n += p.items.length;
      }
      this.queuedEvents -= n;
      const all = group.length === 1 ? group[0]!.items : group.flatMap((p) => p.items);
      for (const x of this.extensions) {
        // A failing extension must never cost an event its commit.
        try { x.beforeCommit?.(all); } catch (err) { this.onHookError(err, x.name); }
      }
      try {
        const { inserted } = await this.store.commit(all);
        let fresh = 0;
        for (const x of inserted) if (x) fresh++;
        this.onCommitted(fresh, inserted.length - fresh);
        for (const x of this.extensions) {
          try { x.afterCommit?.(all, inserted); } catch (err) { this.onHookError(err, x.name); }
        }
        let at = 0;
        for (const p of group) {
          p.resolve({ inserted: inserted.slice(at, at + p.items.length) });
          at += p.items.length;
        }
      } catch (err) {
        for (const p of group) p.reject(err);
      }
      // Let sockets be read between commits so the next group can fill up.
      await new Promise((r) => setImmediate(r));
    }
    this.running = false;
  }
}
