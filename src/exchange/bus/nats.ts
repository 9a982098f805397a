// Exchange nodes on NATS JetStream. A node that receives a batch publishes it to the events
// stream and acks the device only on JetStream's PubAck; a writer on every node pulls from one
// shared durable consumer, commits in groups and acks each message only after its commit, so a
// node that dies holding messages has them redelivered to another (dedup by event_id makes
// that harmless). Device messages go on core NATS, one subject per device; each node listens
// to all and acts on those whose device it holds.
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import {
  jetstream, jetstreamManager, AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType,
  type JetStreamClient, type JetStreamManager, type ConsumerMessages, type StreamConfig,
} from '@nats-io/jetstream';
import type { Bus, BusHandlers, DeviceMessage, IngestOutcome } from './types.js';
import type { CommitItem } from '../store/types.js';
import { parseNatsUrl, subjectToken, fromSubjectToken, type NatsBusSettings } from './nats-url.js';
import { encodeBatch, decodePiece } from './batch-codec.js';

const WRITERS = 'writers';
/** Batches a node's writer holds uncommitted at once. */
export const WRITER_INFLIGHT = 64;
/** Room left in a message for headers (the msg id) under the server's max_payload. */
const HEADER_ROOM = 8 * 1024;

export function streamName(prefix: string): string {
  return `${prefix.toUpperCase().replace(/-/g, '_')}_EVENTS`;
}

function streamConfig(s: NatsBusSettings): Partial<StreamConfig> & { name: string; subjects: string[] } {
  return {
    name: streamName(s.prefix),
    subjects: [`${s.prefix}.events.>`],
    // A batch leaves the stream once a writer has stored it: the stream is a queue, not a log.
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: s.replicas,
    // Full: refuse new batches (the device keeps them and retries) rather than drop stored ones.
    discard: DiscardPolicy.New,
    duplicate_window: 120 * 1e9,
  };
}

export async function natsBus(url: string): Promise<Bus> {
  const s = parseNatsUrl(url);
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: s.servers, name: 'threatlink-exchange', tls: s.tls, maxReconnectAttempts: -1 });
  } catch (err) {
    throw new Error(`bus: cannot reach NATS at ${s.servers.join(', ')}: ${(err as Error).message}`);
  }
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc);
    await ensureStream(jsm, s);
    await jsm.consumers.add(streamName(s.prefix), {
      durable_name: WRITERS, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All,
      ack_wait: s.ackWaitMs * 1e6, max_ack_pending: 4096,
    });
  } catch (err) {
    await nc.close();
    throw new Error(`bus: JetStream at ${s.servers.join(', ')} refused the events stream: ${(err as Error).message}`);
  }
  return new NatsBus(nc, jetstream(nc), jsm, s);
}

async function ensureStream(jsm: JetStreamManager, s: NatsBusSettings): Promise<void> {
  const cfg = streamConfig(s);
  try {
    const info = await jsm.streams.info(cfg.name);
    if (info.config.num_replicas !== cfg.num_replicas || info.config.subjects?.join() !== cfg.subjects.join()) {
      await jsm.streams.update(cfg.name, { ...info.config, ...cfg });
    }
  } catch (err) {
    if (!/not found/i.test((err as Error).message)) throw err;
    // Two nodes starting at once both add it; JetStream takes the same config twice.
    await jsm.streams.add(cfg);
  }
}

class NatsBus implements Bus {
  readonly kind = 'nats';
  private h: BusHandlers | null = null;
  private sub: Subscription | null = null;
  private messages: ConsumerMessages | null = null;
  private writing: Promise<void> | null = null;
  private inflight = 0;
  private slot: (() => void) | null = null;
  private readonly settled = new Set<Promise<unknown>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly s: NatsBusSettings,
  ) {}

  async start(h: BusHandlers): Promise<void> {
    this.h = h;
    const devicePrefix = `${this.s.prefix}.device.`;
    this.sub = this.nc.subscribe(`${devicePrefix}*`, {
      callback: (err, msg) => {
        if (err) return h.log.warn({ err }, 'device subject subscription failed');
        try {
          h.device(fromSubjectToken(msg.subject.slice(devicePrefix.length)), msg.json<DeviceMessage>());
        } catch (e) {
          h.log.warn({ err: e, subject: msg.subject }, 'device message dropped: not understood');
        }
      },
    });
    const consumer = await this.js.consumers.get(streamName(this.s.prefix), WRITERS);
    this.messages = await consumer.consume({ max_messages: WRITER_INFLIGHT });
    this.writing = this.write(this.messages, h);
  }

  private async write(messages: ConsumerMessages, h: BusHandlers): Promise<void> {
    for await (const m of messages) {
      while (this.inflight >= WRITER_INFLIGHT) await new Promise<void>((r) => { this.slot = r; });
      let items;
      try {
        items = decodePiece(m.data);
      } catch (err) {
        // Only exchange nodes publish here; something else did. Kept out of the way, not retried.
        h.log.error({ err, subject: m.subject, seq: m.seq }, 'events stream message is not a batch: terminated');
        m.term();
        continue;
      }
      this.inflight++;
      const p = h.commit(items).then(() => m.ack(), (err: unknown) => {
        h.log.error({ err, seq: m.seq }, 'commit failed; JetStream gives the batch again');
        m.nak(2000);
      }).finally(() => {
        this.inflight--;
        this.settled.delete(p);
        const go = this.slot;
        this.slot = null;
        go?.();
      });
      this.settled.add(p);
    }
  }

  async ingest(deviceId: string, items: CommitItem[]): Promise<IngestOutcome> {
    const org = items[0]?.org_id;
    if (org === undefined) return { accepted: 0, duplicates: 0 };
    // A connector replaying after a reconnect resends what is stored: those need not cross the
    // bus again (the writer would drop them anyway; this only saves the trip and counts them).
    const stored = await this.h?.storedIds?.(deviceId, items.map((i) => i.event.event_id)) ?? new Set<string>();
    const fresh = stored.size === 0 ? items : items.filter((i) => !stored.has(i.event.event_id));
    const pieces = encodeBatch(deviceId, fresh, this.nc.info!.max_payload - HEADER_ROOM);
    const subject = `${this.s.prefix}.events.${subjectToken(org)}`;
    const acks = await Promise.all(pieces.map((p) => this.js.publish(subject, p.data, { msgID: p.msgId, timeout: 10_000 })));
    let duplicates = items.length - fresh.length;
    acks.forEach((a, i) => { if (a.duplicate) duplicates += pieces[i]!.count; });
    return { accepted: items.length - duplicates, duplicates };
  }

  async backlog(): Promise<number> {
    const i = await this.jsm.consumers.info(streamName(this.s.prefix), WRITERS);
    return i.num_pending + i.num_ack_pending;
  }

  toDevice(deviceId: string, m: DeviceMessage): void {
    this.nc.publish(`${this.s.prefix}.device.${subjectToken(deviceId)}`, JSON.stringify(m));
  }

  async close(): Promise<void> {
    this.sub?.unsubscribe();
    await this.messages?.close();
    await this.writing?.catch(() => {});
    // Acks of commits in hand go out before the connection drains.
    await Promise.allSettled([...this.settled]);
    await this.nc.drain().catch(() => {});
  }
}
