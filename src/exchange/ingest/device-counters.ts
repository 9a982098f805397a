// Per-device received/rejected counters and last-seen times, summed in memory and written once
// a second: a write per batch would cost the ingest path a second durable transaction.
import type { DeviceStore } from '../store/types.js';

interface Tally { received: number; rejected: number; at: string }

export class DeviceCounters {
  private pending = new Map<string, Tally>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly devices: DeviceStore, private readonly intervalMs = 1000) {}

  add(deviceId: string, received: number, rejected: number): void {
    const t = this.pending.get(deviceId);
    const at = new Date().toISOString();
    if (t) { t.received += received; t.rejected += rejected; t.at = at; }
    else this.pending.set(deviceId, { received, rejected, at });
    this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), this.intervalMs);
  }

  async flush(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    const batch = this.pending;
    this.pending = new Map();
    let failed: unknown = null;
    for (const [id, t] of batch) {
      try {
        await this.devices.addCounters(id, t.received, t.rejected, t.at);
      } catch (err) {
        // The store is unreachable for now: keep the tally for the next round rather than lose it.
        this.add(id, t.received, t.rejected);
        failed = err;
      }
    }
    if (failed) throw failed;
  }
}
