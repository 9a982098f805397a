// The normalized event: what every sensor source produces and what the exchange stores.
// docs/events.md is the public description of these fields; keep the two in step.

export const EVENT_TYPES = ['intrusion', 'connection', 'file', 'malware'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_ACTIONS = ['allowed', 'blocked', 'would_block'] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];

export interface Signature {
  gid: number;
  sid: number;
  rev?: number;
  message?: string;
  classification?: string;
  /** 1 is the most urgent, as in Snort, Suricata and Firepower. */
  priority?: number;
}

/** Observables the sensor itself reported beside the addresses. */
export interface EventObservables {
  domain?: string[];
  url?: string[];
  md5?: string[];
  sha1?: string[];
  sha256?: string[];
  user?: string[];
  file_name?: string[];
  email?: string[];
}

export interface NormalizedEvent {
  /** Set at the source and stable across replays: the dedup key, unique per device. */
  event_id: string;
  /** Filled in by the exchange from the device's certificate; a device cannot speak for another. */
  device_id?: string;
  type: EventType;
  /** ISO-8601 time the sensor saw it. */
  time: string;
  src_ip?: string;
  src_port?: number;
  dst_ip?: string;
  dst_port?: number;
  /** Transport protocol in lower case: tcp, udp, icmp, ipv6-icmp, or the IANA number as text. */
  protocol?: string;
  signature?: Signature;
  /** Firepower impact level 0–5 (1 = the target is vulnerable; 0 = unknown). */
  impact?: number;
  action?: EventAction;
  app_proto?: string;
  policy?: string;
  observables?: EventObservables;
  /** The original record as the sensor wrote it (parsed JSON, or a decoded binary record). */
  raw?: unknown;
  /** Marks added at ingest (feed matches: `feed:<name>`, `disposition:<name>`). Never from a
   * sensor: the event schema refuses the field, so a device cannot tag its own events. */
  tags?: string[];
}

/** An event as stored: what the exchange adds. */
export interface StoredEvent extends NormalizedEvent {
  id: string;
  device_id: string;
  org_id: string;
  received_at: string;
}
