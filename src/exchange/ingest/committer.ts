// Group commit: batches that arrive while a commit is running are stored together in the next
// one, so many devices share one durable transaction instead of paying an fsync each. A store
// that takes concurrent writers (PostgreSQL) runs a few commits at once: the database then
// groups their fsyncs, and the node does not sit idle while one commit waits on the network.
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
  private active = 0;
  private scheduled = false;

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
      this.schedule();
    });
  }

  get depth(): number {
    return this.queuedEvents;
  }

  /** On the next turn, so that sockets are read between commits and a group can fill up. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    const parallel = this.store.parallelCommits ?? 1;
    while (this.queue.length > 0 && this.active < parallel) {
      const group: Pending[] = [];
      let n = 0;
      while (this.queue.length > 0 && (n === 0 || n + this.queue[0]!.items.length <= this.maxEvents)) {
        const p = this.queue.shift()!;
        group.push(p);
        n += p.items.length;
      }
      this.queuedEvents -= n;
      this.active++;
      void this.commit(group).finally(() => {
        this.active--;
        if (this.queue.length > 0) this.schedule();
      });
    }
  }

  private async commit(group: Pending[]): Promise<void> {
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
  }
}
