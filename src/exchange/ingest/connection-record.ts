// One connection's entry in its device's connection history: written when it opens, once more
// when a heartbeat first names the connector's version, and when it closes. Never per batch:
// the events it carried are summed here in memory and written with the close.
import type { FastifyBaseLogger } from 'fastify';
import type { ClosedBy, ConnectionHistoryStore, DeviceConnection } from '../store/types.js';

/** WebSocket's code for a socket that ended without a close frame (RFC 6455 §7.1.5). */
const ABNORMAL = 1006;

export class ConnectionRecord {
  private readonly id: Promise<string | null>;
  private version: string | null = null;
  private ending: { code: number; reason: string } | null = null;
  events = 0;

  constructor(
    private readonly store: ConnectionHistoryStore,
    opened: Pick<DeviceConnection, 'device_id' | 'org_id' | 'connected_at' | 'remote_address'>,
    private readonly log: FastifyBaseLogger,
  ) {
    // A failed history write must never cost the connection: it is logged and the entry skipped.
    this.id = store.opened(opened).catch((err: unknown) => {
      log.warn({ err, device: opened.device_id }, 'connection history: open not recorded');
      return null;
    });
  }

  versionSeen(version: unknown): void {
    if (typeof version !== 'string' || version === this.version) return;
    this.version = version;
    this.write((id) => this.store.versionSeen(id, version));
  }

  /** The exchange ends the connection: its code and reason are the ones to keep, whatever the
   * device answers (or if it never does). */
  exchangeCloses(code: number, reason: string): void {
    this.ending ??= { code, reason };
  }

  closed(code: number, reason: string): void {
    const by: ClosedBy = this.ending ? 'exchange' : code === ABNORMAL ? 'network' : 'device';
    const end = this.ending ?? { code, reason };
    const closedAt = new Date().toISOString();
    this.write((id) => this.store.closed(id, {
      closed_at: closedAt, close_code: end.code, close_reason: end.reason, closed_by: by, events_received: this.events,
    }));
  }

  private write(f: (id: string) => Promise<void>): void {
    void this.id.then((id) => (id === null ? undefined : f(id))).catch((err: unknown) => {
      this.log.warn({ err }, 'connection history: update not recorded');
    });
  }
}
