// The eventing WebSocket protocol between a connector and the exchange (docs/protocol.md).
// Text frames, one JSON object each, discriminated by `type`.
import type { NormalizedEvent } from '../events/event.js';

export const PROTOCOL_VERSION = 2;
/** From this protocol on, the exchange reads lines batches as well as JSON ones (docs/protocol.md §2). */
export const LINES_BATCH_PROTOCOL = 2;

/** connector → exchange: a batch of events. `seq` increases by one per batch on a connection. */
export interface BatchFrame {
  type: 'batch';
  seq: number;
  events: NormalizedEvent[];
}

export interface DeviceStatus {
  version?: string;
  spool_depth?: number;
  spool_bytes?: number;
  counters?: Record<string, number>;
  last_error?: { message: string; time: string } | null;
  cloud_events?: boolean;
}

/** connector → exchange: liveness and status, every registration_interval. */
export interface HeartbeatFrame {
  type: 'heartbeat';
  status: DeviceStatus;
}

/** connector → exchange: the result of a control message. */
export interface ControlAckFrame {
  type: 'control_ack';
  id: string;
  status: 'ok' | 'error';
  detail?: string;
}

export type DeviceFrame = BatchFrame | HeartbeatFrame | ControlAckFrame;

export interface Rejection {
  index: number;
  event_id?: string;
  code: string;
  reason: string;
}

/** exchange → connector: sent once every event of batch `seq` is committed or rejected. */
export interface AckFrame {
  type: 'ack';
  seq: number;
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
}

/** exchange → connector: first frame on a connection. */
export interface HelloFrame {
  type: 'hello';
  protocol: number;
  device_id: string;
  cloud_events: boolean;
  heartbeat_interval: number;
  max_batch_events: number;
}

export interface ControlFrame {
  type: 'control';
  id: string;
  action: string;
  params: Record<string, unknown>;
}

/** exchange → connector: a fault on the connection as a whole (the socket closes after it). */
export interface ErrorFrame {
  type: 'error';
  code: string;
  message: string;
}

export type ExchangeFrame = AckFrame | HelloFrame | ControlFrame | ErrorFrame;
