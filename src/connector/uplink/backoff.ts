// Exponential backoff with full jitter, capped: many connectors that lost the exchange at the
// same moment spread their reconnects instead of arriving together.

export class Backoff {
  private attempt = 0;

  constructor(private readonly baseMs = 1000, private readonly capMs = 60_000, private readonly random = Math.random) {}

  /** The delay before the next attempt. */
  next(): number {
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.max(100, Math.floor(this.random() * ceiling));
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
