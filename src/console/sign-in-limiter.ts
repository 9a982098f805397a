// Slows password guessing: after MAX_FAILURES failed sign-ins for one user name from one
// address within WINDOW_MS, that pair is refused until the window has passed. In memory: a
// restart forgives, which an attacker cannot cause at will.
const MAX_FAILURES = 5;
const WINDOW_MS = 15 * 60_000;
// Bounds memory under a spray of made-up names: the oldest entries go first.
const MAX_KEYS = 10_000;

interface Entry {
  failures: number;
  since: number;
}

export class SignInLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxFailures = MAX_FAILURES, private readonly windowMs = WINDOW_MS) {}

  /** Milliseconds until this pair may try again; 0 when it may now. */
  retryAfterMs(username: string, ip: string, now = Date.now()): number {
    const e = this.live(key(username, ip), now);
    return e && e.failures >= this.maxFailures ? e.since + this.windowMs - now : 0;
  }

  failed(username: string, ip: string, now = Date.now()): void {
    const k = key(username, ip);
    const e = this.live(k, now);
    this.entries.delete(k);
    this.entries.set(k, e ? { failures: e.failures + 1, since: e.since } : { failures: 1, since: now });
    if (this.entries.size > MAX_KEYS) this.entries.delete(this.entries.keys().next().value as string);
  }

  succeeded(username: string, ip: string): void {
    this.entries.delete(key(username, ip));
  }

  private live(k: string, now: number): Entry | null {
    const e = this.entries.get(k);
    if (e && now - e.since >= this.windowMs) {
      this.entries.delete(k);
      return null;
    }
    return e ?? null;
  }
}

function key(username: string, ip: string): string {
  return `${username.toLowerCase()}\n${ip}`;
}
