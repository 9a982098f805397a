// How a node hands validated batches on to the store, and reaches a device whose connection
// another node may hold. In-process on one machine (memory.ts); NATS JetStream when several
// exchange nodes share one database (nats.ts).
import type { CommitItem } from '../store/types.js';
import type { ControlFrame } from '../../protocol/frames.js';

/** What the device's ack reports of one batch. */
export interface IngestOutcome {
  /** Handed on durably: stored (in-process) or in the stream, to be stored (JetStream). */
  accepted: number;
  /** Already seen: by event_id in the store, or a whole batch JetStream already holds. */
  duplicates: number;
}

/** Something for one device, acted on by the node that holds its connection. */
export type DeviceMessage =
  | { op: 'control'; frame: ControlFrame }
  | { op: 'close'; code: number; reason: string }
  /** Device actions are waiting in the store for this device (a block made on another node). */
  | { op: 'actions'; orgId: string };

export interface BusHandlers {
  /** Stores items durably: the node's group committer. Resolves with one flag an item. */
  commit(items: CommitItem[]): Promise<{ inserted: boolean[] }>;
  /** Which of a device's event ids are stored already (absent: not known before the commit). */
  storedIds?(deviceId: string, eventIds: readonly string[]): Promise<Set<string>>;
  /** A message for a device: the node delivers it if it holds the device's connection. */
  device(deviceId: string, m: DeviceMessage): void;
  log: { warn(o: object, msg: string): void; error(o: object, msg: string): void; info(o: object, msg: string): void };
}

export interface Bus {
  /** `memory` or `nats`, for logs, health and benchmarks. */
  readonly kind: string;
  /** Starts delivering: device messages, and (JetStream) batches to this node's writer. */
  start(h: BusHandlers): Promise<void>;
  /** Resolves once the batch is durable; the device is acked only then. */
  ingest(deviceId: string, items: CommitItem[]): Promise<IngestOutcome>;
  /** Reaches the device on whichever node holds its connection (at most once: what must not be
   * lost, such as device actions, is in the store first and goes again on reconnect). */
  toDevice(deviceId: string, m: DeviceMessage): void;
  /** Batches acked to devices and not yet stored (JetStream's pending and unacked messages). */
  backlog(): Promise<number>;
  /** Stops taking new work and lets what is in hand finish. */
  close(): Promise<void>;
}
