// Per module instance: at most N calls in flight (others queue), and at most M calls a minute
// (beyond that the call fails at once with rate_limited rather than queueing for a minute).

export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {}

  async run<T>(f: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.active >= this.max) {
      await new Promise<void>((resolve, reject) => {
        const go = () => { signal?.removeEventListener('abort', abort); resolve(); };
        const abort = () => {
          const i = this.waiting.indexOf(go);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
        };
        signal?.addEventListener('abort', abort, { once: true });
        this.waiting.push(go);
      });
    }
    this.active++;
    try {
      return await f();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** A sliding one-minute window of call times. The budget comes with each call, so an edited
 * instance's new limit applies to the calls it already made. */
export class MinuteRateLimit {
  private readonly times: number[] = [];

  /** True when a call may go now (and counts it). */
  take(perMinute: number, now = Date.now()): boolean {
    if (perMinute <= 0) return true;
    while (this.times.length > 0 && this.times[0]! <= now - 60_000) this.times.shift();
    if (this.times.length >= perMinute) return false;
    this.times.push(now);
    return true;
  }
}
