// Decoder for Snort unified2 spool files, and the mapping of a unified2 event to a NormalizedEvent.
//
// Layouts (all fields big-endian, no padding: every struct is naturally aligned) were checked
// against the public Snort sources:
//  - Snort 2.9 / Barnyard2 `unified2.h` (Unified2_common.h): record header {u32 type, u32 length};
//    type 7 (Unified2IDSEvent_legacy, 52 bytes), 72 (Unified2IDSEventIPv6_legacy, 76 bytes),
//    104 (Unified2IDSEvent, 60 bytes), 105 (Unified2IDSEventIPv6, 84 bytes), 2 (Unified2Packet:
//    28-byte header + packet bytes), 110 (Unified2ExtraDataHdr + SerialUnified2ExtraData + blob), and
//    111/112 (the 104/105 structs built with FEAT_OPEN_APPID: + char app_name[16]).
//  - Snort 3 `src/log/unified2.h` and `src/loggers/unified2.cc`: type 114 (UNIFIED2_EVENT3,
//    struct Unified2Event, 160 bytes: 96 fixed + char app_name[64]); with `legacy_events = true`
//    Snort 3 writes 104/105 with app_name[64] appended (124 / 148 bytes) and extra data 11/12 with
//    the IPv6 addresses. Addresses in 114 are the 16 bytes of Snort's SfIp (IPv4 as ::ffff:a.b.c.d);
//    `pkt_ip_ver` holds the source version in the high nybble and the destination's in the low one.
//  - EventInfo ids of extra data (Snort 3 unified2.h, same values in Snort 2.9.x): 1 XFF_IPV4,
//    2 XFF_IPV6, 3 REVIEWED_BY, 4 GZIP_DATA, 5 SMTP_FILENAME, 6 SMTP_MAILFROM, 7 SMTP_RCPTTO,
//    8 SMTP_EMAIL_HDRS, 9 HTTP_URI, 10 HTTP_HOSTNAME, 11 IPV6_SRC, 12 IPV6_DST, 13 JSNORM_DATA.
//    `blob_length` counts the data plus its own 4 bytes and data_type's 4 bytes.
//  - Blocked/action: legacy `blocked` is 0 allow, 1 block, 2 would, 3 can't (Snort 3 unified2.cc,
//    U2_BLOCKED_FLAG_*). Type 114 carries `snort_status` (Active::ActiveStatus: 0 allow, 1 can't,
//    2 would, 3 force) and `snort_action` (Active::ActiveActionType), see mapAction3().
import { isIP } from 'node:net';
import type { EventAction, EventObservables, NormalizedEvent } from '../../events/event.js';

export const U2_TYPE = {
  PACKET: 2,
  IDS_EVENT: 7,
  IDS_EVENT_IPV6: 72,
  IDS_EVENT_VLAN: 104,
  IDS_EVENT_IPV6_VLAN: 105,
  EXTRA_DATA: 110,
  IDS_EVENT_APPID: 111,
  IDS_EVENT_APPID_IPV6: 112,
  EVENT3: 114,
} as const;

/** Record types decodeEvent turns into an event (the others are packets, extra data or skipped). */
export const U2_EVENT_TYPES: ReadonlySet<number> = new Set([7, 72, 104, 105, 111, 112, 114]);

/** Fixed body sizes of the event records (a longer body carries app_name in the tail). */
const EVENT_SIZE: Record<number, number> = { 7: 52, 72: 76, 104: 60, 105: 84, 111: 60, 112: 84, 114: 96 };
const PACKET_HEADER_SIZE = 28;
const EXTRA_HEADER_SIZE = 8 + 24;

/** Largest record accepted: a packet record is at most 28 + 65535 bytes; anything huge is corruption. */
export const MAX_RECORD_LENGTH = 16 * 1024 * 1024;

export class Unified2FormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'Unified2FormatError';
  }
}

export interface Unified2Record {
  type: number;
  /** Offset of the record header: `base` + its position in the buffer. */
  offset: number;
  /** Body length (without the 8-byte header). */
  length: number;
  body: Buffer;
}

/**
 * Splits `buf` from `offset` into records. Stops before an incomplete record (a spool file that
 * Snort is still writing): `end` is the position just past the last complete record, where the
 * next call should start once more bytes are there. `base` is added to each record's offset (the
 * file position of buf[0]). Throws Unified2FormatError on a length over MAX_RECORD_LENGTH.
 */
export function decodeRecords(
  buf: Buffer,
  offset: number,
  base = 0,
): { records: Unified2Record[]; end: number } {
  const records: Unified2Record[] = [];
  let pos = offset;
  while (pos + 8 <= buf.length) {
    const type = buf.readUInt32BE(pos);
    const length = buf.readUInt32BE(pos + 4);
    if (length > MAX_RECORD_LENGTH) {
      throw new Unified2FormatError(`record of type ${type} claims ${length} bytes (corrupt file?)`, base + pos);
    }
    if (pos + 8 + length > buf.length) break;
    records.push({ type, offset: base + pos, length, body: buf.subarray(pos + 8, pos + 8 + length) });
    pos += 8 + length;
  }
  return { records, end: pos };
}

// ---- decoded records ---------------------------------------------------------------------------

/** Types 7, 72, 104, 105, 111, 112: Unified2IDSEvent[IPv6][_legacy]. */
export interface U2IdsEvent {
  kind: 'ids_event';
  record_type: number;
  sensor_id: number;
  event_id: number;
  event_second: number;
  event_microsecond: number;
  signature_id: number;
  generator_id: number;
  signature_revision: number;
  classification_id: number;
  priority_id: number;
  ip_source: string;
  ip_destination: string;
  sport_itype: number;
  dport_icode: number;
  protocol: number;
  impact_flag: number;
  impact: number;
  blocked: number;
  /** Absent in the legacy types 7 and 72. */
  mpls_label?: number;
  vlan_id?: number;
  /** Snort writes the IPS policy id here. */
  pad2?: number;
  /** OpenAppID (111/112) or Snort 3 legacy_events: the application name. */
  app_name?: string;
}

/** Type 114: Snort 3's Unified2Event. */
export interface U2Event3 {
  kind: 'event3';
  record_type: 114;
  snort_id: number;
  event_id: number;
  event_second: number;
  event_microsecond: number;
  rule_gid: number;
  rule_sid: number;
  rule_rev: number;
  rule_class: number;
  rule_priority: number;
  policy_id_context: number;
  policy_id_inspect: number;
  policy_id_detect: number;
  /** Absent when the packet had no IP layer (pkt_ip_ver nybble 0). */
  pkt_src_ip?: string;
  pkt_dst_ip?: string;
  pkt_mpls_label: number;
  pkt_src_port_itype: number;
  pkt_dst_port_icode: number;
  pkt_vlan_id: number;
  pkt_ip_ver: number;
  pkt_ip_proto: number;
  snort_status: number;
  snort_action: number;
  app_name: string;
}

/** Type 2. */
export interface U2Packet {
  kind: 'packet';
  record_type: 2;
  sensor_id: number;
  event_id: number;
  event_second: number;
  packet_second: number;
  packet_microsecond: number;
  linktype: number;
  packet_length: number;
  packet_data: Buffer;
}

/** Type 110. */
export interface U2ExtraData {
  kind: 'extra_data';
  record_type: 110;
  /** Unified2ExtraDataHdr.event_type: 4 (EVENT_TYPE_EXTRA_DATA). */
  event_type: number;
  event_length: number;
  sensor_id: number;
  event_id: number;
  event_second: number;
  /** EventInfo: see EXTRA_DATA_TYPES. */
  type: number;
  data_type: number;
  blob_length: number;
  data: Buffer;
}

export type U2Event = U2IdsEvent | U2Event3;
export type U2Decoded = U2Event | U2Packet | U2ExtraData;

/** EventInfoEnum of Snort's unified2.h. */
export const EXTRA_DATA_TYPES: Readonly<Record<number, string>> = {
  1: 'xff_ipv4',
  2: 'xff_ipv6',
  3: 'reviewed_by',
  4: 'gzip_data',
  5: 'smtp_filename',
  6: 'smtp_mailfrom',
  7: 'smtp_rcptto',
  8: 'smtp_email_hdrs',
  9: 'http_uri',
  10: 'http_hostname',
  11: 'ipv6_src',
  12: 'ipv6_dst',
  13: 'jsnorm_data',
};

/**
 * Decodes the body of one record. Returns undefined for a type it does not know (Snort 3's
 * UNIFIED2_BUFFER 3, AppID stats 113, the obsolete 1/99/100); throws Unified2FormatError when
 * the body is shorter than its type's layout.
 */
export function decodeEvent(type: number, body: Buffer): U2Decoded | undefined {
  if (type === U2_TYPE.PACKET) return decodePacket(body);
  if (type === U2_TYPE.EXTRA_DATA) return decodeExtra(body);
  if (type === U2_TYPE.EVENT3) return decodeEvent3(body);
  if (U2_EVENT_TYPES.has(type)) return decodeIdsEvent(type, body);
  return undefined;
}

function need(type: number, body: Buffer, size: number): void {
  if (body.length < size) {
    throw new Unified2FormatError(`record of type ${type} has ${body.length} bytes, its layout needs ${size}`, 0);
  }
}

function decodeIdsEvent(type: number, b: Buffer): U2IdsEvent {
  const size = EVENT_SIZE[type] ?? 0;
  need(type, b, size);
  const v6 = type === 72 || type === 105 || type === 112;
  const legacy = type === 7 || type === 72;
  const addrLen = v6 ? 16 : 4;
  const ipAt = 36;
  const p = ipAt + 2 * addrLen; // sport_itype
  const evt: U2IdsEvent = {
    kind: 'ids_event',
    record_type: type,
    sensor_id: b.readUInt32BE(0),
    event_id: b.readUInt32BE(4),
    event_second: b.readUInt32BE(8),
    event_microsecond: b.readUInt32BE(12),
    signature_id: b.readUInt32BE(16),
    generator_id: b.readUInt32BE(20),
    signature_revision: b.readUInt32BE(24),
    classification_id: b.readUInt32BE(28),
    priority_id: b.readUInt32BE(32),
    ip_source: v6 ? ipv6ToString(b, ipAt) : ipv4ToString(b, ipAt),
    ip_destination: v6 ? ipv6ToString(b, ipAt + 16) : ipv4ToString(b, ipAt + 4),
    sport_itype: b.readUInt16BE(p),
    dport_icode: b.readUInt16BE(p + 2),
    protocol: b.readUInt8(p + 4),
    impact_flag: b.readUInt8(p + 5),
    impact: b.readUInt8(p + 6),
    blocked: b.readUInt8(p + 7),
  };
  if (!legacy) {
    evt.mpls_label = b.readUInt32BE(p + 8);
    evt.vlan_id = b.readUInt16BE(p + 12);
    evt.pad2 = b.readUInt16BE(p + 14);
  }
  if (b.length > size) {
    const app = cString(b.subarray(size));
    if (app) evt.app_name = app;
  }
  return evt;
}

function decodeEvent3(b: Buffer): U2Event3 {
  need(114, b, EVENT_SIZE[114] ?? 96);
  const ver = b.readUInt8(92);
  return {
    kind: 'event3',
    record_type: 114,
    snort_id: b.readUInt32BE(0),
    event_id: b.readUInt32BE(4),
    event_second: b.readUInt32BE(8),
    event_microsecond: b.readUInt32BE(12),
    rule_gid: b.readUInt32BE(16),
    rule_sid: b.readUInt32BE(20),
    rule_rev: b.readUInt32BE(24),
    rule_class: b.readUInt32BE(28),
    rule_priority: b.readUInt32BE(32),
    policy_id_context: b.readUInt32BE(36),
    policy_id_inspect: b.readUInt32BE(40),
    policy_id_detect: b.readUInt32BE(44),
    pkt_src_ip: sfIpToString(b, 48, ver >> 4),
    pkt_dst_ip: sfIpToString(b, 64, ver & 0x0f),
    pkt_mpls_label: b.readUInt32BE(80),
    pkt_src_port_itype: b.readUInt16BE(84),
    pkt_dst_port_icode: b.readUInt16BE(86),
    pkt_vlan_id: b.readUInt16BE(88),
    // 90: u16 unused
    pkt_ip_ver: ver,
    pkt_ip_proto: b.readUInt8(93),
    snort_status: b.readUInt8(94),
    snort_action: b.readUInt8(95),
    app_name: cString(b.subarray(96)),
  };
}

function decodePacket(b: Buffer): U2Packet {
  need(2, b, PACKET_HEADER_SIZE);
  const packetLength = b.readUInt32BE(24);
  return {
    kind: 'packet',
    record_type: 2,
    sensor_id: b.readUInt32BE(0),
    event_id: b.readUInt32BE(4),
    event_second: b.readUInt32BE(8),
    packet_second: b.readUInt32BE(12),
    packet_microsecond: b.readUInt32BE(16),
    linktype: b.readUInt32BE(20),
    packet_length: packetLength,
    packet_data: b.subarray(PACKET_HEADER_SIZE, Math.min(b.length, PACKET_HEADER_SIZE + packetLength)),
  };
}

function decodeExtra(b: Buffer): U2ExtraData {
  need(110, b, EXTRA_HEADER_SIZE);
  const blobLength = b.readUInt32BE(28);
  // blob_length includes data_type and itself (8 bytes); trust the record length over it.
  const dataLen = Math.max(0, Math.min(blobLength - 8, b.length - EXTRA_HEADER_SIZE));
  return {
    kind: 'extra_data',
    record_type: 110,
    event_type: b.readUInt32BE(0),
    event_length: b.readUInt32BE(4),
    sensor_id: b.readUInt32BE(8),
    event_id: b.readUInt32BE(12),
    event_second: b.readUInt32BE(16),
    type: b.readUInt32BE(20),
    data_type: b.readUInt32BE(24),
    blob_length: blobLength,
    data: b.subarray(EXTRA_HEADER_SIZE, EXTRA_HEADER_SIZE + dataLen),
  };
}

// ---- addresses ---------------------------------------------------------------------------------

function ipv4ToString(b: Buffer, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** RFC 5952 text of 16 address bytes (IPv4-mapped addresses as ::ffff:a.b.c.d). */
export function ipv6ToString(b: Buffer, at: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(b.readUInt16BE(at + 2 * i));
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${ipv4ToString(b, at + 12)}`;
  }
  // Longest run of at least two zero groups (the first on a tie) becomes "::".
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`;
}

/** Snort 3 SfIp bytes: version 4 → the last 4 bytes (the mapped IPv4), 6 → IPv6, else absent. */
function sfIpToString(b: Buffer, at: number, version: number): string | undefined {
  if (version === 4) return ipv4ToString(b, at + 12);
  if (version === 6) return ipv6ToString(b, at);
  return undefined;
}

function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.subarray(0, nul < 0 ? b.length : nul).toString('utf8');
}

// ---- mapping -----------------------------------------------------------------------------------

const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'ipv6-icmp' };
/** Protocols whose sport_itype/dport_icode mean something: ports, or ICMP type/code. */
const PORTED = new Set([1, 6, 17, 58, 132]);

const MAX_OBSERVABLE = 4096;
const MAX_RAW_TEXT = 4096;
const MAX_RAW_PACKET = 2048;
/** Stay clearly under the exchange's 64 KiB limit on `raw`. */
const RAW_BUDGET = 60 * 1024;

export function protocolName(n: number): string {
  return PROTOCOL_NAMES[n] ?? String(n);
}

/** "2024-01-01T10:00:00.123456Z" from a unified2 second and microsecond. */
export function u2Time(second: number, microsecond: number): string {
  const iso = new Date(second * 1000).toISOString(); // ...:SS.000Z
  const us = String(Math.min(Math.max(microsecond, 0), 999999)).padStart(6, '0');
  return `${iso.slice(0, 19)}.${us}Z`;
}

/** Legacy `blocked`: 1 block → blocked, 2 would → would_block, 0 allow / 3 can't → allowed. */
export function mapBlocked(blocked: number): EventAction {
  return blocked === 1 ? 'blocked' : blocked === 2 ? 'would_block' : 'allowed';
}

/**
 * Type 114: `snort_status` is Active::ActiveStatus (0 allow = Snort may act, 1 can't, 2 would,
 * 3 force). `snort_action` is Active::ActiveActionType, whose numbering changed during Snort 3's
 * life (early 3.0: pass 0, drop 1, block 2, reset 3; current releases: trust 0, allow 1, hold 2,
 * retry 3, rewrite 4, drop 5, block 6, reset 7). We follow the current numbering: drop, block and
 * reset (5–7) with status allow or force mean the packet was dropped. Both raw values stay in `raw`.
 */
export function mapAction3(status: number, action: number): EventAction {
  if (status === 2) return 'would_block';
  if (status === 3) return 'blocked';
  if (status === 0 && action >= 5 && action <= 7) return 'blocked';
  return 'allowed';
}

function extraText(x: U2ExtraData): string {
  return x.data.toString('utf8').replace(/\0+$/, '');
}

/** The value of an extra-data record for `raw`: an address, a text, or base64 for binary data. */
function extraValue(x: U2ExtraData): string {
  switch (x.type) {
    case 1:
      return x.data.length >= 4 ? ipv4ToString(x.data, 0) : x.data.toString('hex');
    case 2:
    case 11:
    case 12:
      return x.data.length >= 16 ? ipv6ToString(x.data, 0) : x.data.toString('hex');
    case 4: // gzip_data: the decompressed body as Snort saw it; may be binary
      return clip(x.data.toString('base64'), MAX_RAW_TEXT);
    default:
      return clip(extraText(x), MAX_RAW_TEXT);
  }
}

function clip(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}

function addObservable(obs: EventObservables, kind: keyof EventObservables, value: string): void {
  const v = value.trim();
  if (!v || [...v].length > MAX_OBSERVABLE) return;
  const list = (obs[kind] ??= []);
  if (list.length < 100 && !list.includes(v)) list.push(v);
}

/** "Host: example.test:8080" → "example.test"; bracketed IPv6 literals kept without brackets. */
function hostOnly(host: string): string {
  const h = host.trim();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.indexOf(':');
  return colon >= 0 && h.indexOf(':', colon + 1) < 0 ? h.slice(0, colon) : h;
}

/**
 * Maps one unified2 event (with the extra-data and packet records of the same event_id) to a
 * normalized intrusion event. `eventId` is the caller's stable id (file and record offset).
 * Unified2 carries no rule message or class name (those live in sid-msg.map / classification.config
 * on the sensor), so `signature` has gid, sid, rev and priority only; the class id is in `raw`.
 */
export function mapUnified2(
  evt: U2Event,
  extras: ReadonlyArray<U2ExtraData | U2Packet>,
  eventId: string,
): NormalizedEvent {
  let out: NormalizedEvent;
  if (evt.kind === 'event3') {
    out = {
      event_id: eventId,
      type: 'intrusion',
      time: u2Time(evt.event_second, evt.event_microsecond),
      signature: { gid: evt.rule_gid, sid: evt.rule_sid, rev: evt.rule_rev },
      action: mapAction3(evt.snort_status, evt.snort_action),
    };
    if (evt.pkt_src_ip !== undefined) out.src_ip = evt.pkt_src_ip;
    if (evt.pkt_dst_ip !== undefined) out.dst_ip = evt.pkt_dst_ip;
    if (evt.pkt_ip_ver !== 0) {
      out.protocol = protocolName(evt.pkt_ip_proto);
      if (PORTED.has(evt.pkt_ip_proto)) {
        out.src_port = evt.pkt_src_port_itype;
        out.dst_port = evt.pkt_dst_port_icode;
      }
    }
    setPriority(out, evt.rule_priority);
    if (evt.app_name) out.app_proto = clip(evt.app_name, 64);
  } else {
    out = {
      event_id: eventId,
      type: 'intrusion',
      time: u2Time(evt.event_second, evt.event_microsecond),
      src_ip: evt.ip_source,
      dst_ip: evt.ip_destination,
      protocol: protocolName(evt.protocol),
      signature: { gid: evt.generator_id, sid: evt.signature_id, rev: evt.signature_revision },
      action: mapBlocked(evt.blocked),
    };
    if (PORTED.has(evt.protocol)) {
      out.src_port = evt.sport_itype;
      out.dst_port = evt.dport_icode;
    }
    setPriority(out, evt.priority_id);
    if (evt.impact >= 1 && evt.impact <= 5) out.impact = evt.impact;
    if (evt.app_name) out.app_proto = clip(evt.app_name, 64);
  }

  const obs: EventObservables = {};
  const extraRaw: Array<{ type: number; name: string; value: string }> = [];
  const packetRaw: Array<Record<string, unknown>> = [];
  let host: string | undefined;
  const uris: string[] = [];
  for (const x of extras) {
    if (x.kind === 'packet') {
      packetRaw.push({
        packet_second: x.packet_second,
        packet_microsecond: x.packet_microsecond,
        linktype: x.linktype,
        packet_length: x.packet_length,
        data_base64: x.packet_data.subarray(0, MAX_RAW_PACKET).toString('base64'),
        ...(x.packet_data.length > MAX_RAW_PACKET ? { data_truncated: true } : {}),
      });
      continue;
    }
    extraRaw.push({ type: x.type, name: EXTRA_DATA_TYPES[x.type] ?? 'unknown', value: extraValue(x) });
    switch (x.type) {
      case 5: // SMTP attachment file name(s)
        addObservable(obs, 'file_name', extraText(x));
        break;
      case 6: // MAIL FROM
        addObservable(obs, 'email', extraText(x).replace(/^<|>$/g, ''));
        break;
      case 7: // RCPT TO, a comma-separated list
        for (const r of extraText(x).split(',')) addObservable(obs, 'email', r.trim().replace(/^<|>$/g, ''));
        break;
      case 9:
        uris.push(extraText(x));
        break;
      case 10: {
        host = extraText(x).trim();
        const domain = hostOnly(host);
        if (domain && isIP(domain) === 0) addObservable(obs, 'domain', domain); // an address is not a domain
        break;
      }
    }
  }
  // The URI Snort logs is the request target: a path, made absolute with the Host header (port
  // included) when known. The scheme is a guess (http): unified2 does not say whether it was TLS.
  for (const uri of uris) {
    const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(uri);
    addObservable(obs, 'url', !absolute && host && uri.startsWith('/') ? `http://${host}${uri}` : uri);
  }
  if (Object.keys(obs).length) out.observables = obs;

  const raw: Record<string, unknown> = { ...evt };
  delete raw.kind;
  if (extraRaw.length) raw.extra_data = extraRaw;
  if (packetRaw.length) raw.packets = packetRaw;
  out.raw = fitRaw(raw);
  return out;
}

function setPriority(out: NormalizedEvent, p: number): void {
  if (p >= 1 && p <= 255 && out.signature) out.signature.priority = p;
}

/** Keeps `raw` under the budget: drops packet bytes first, then shortens the extra-data values. */
function fitRaw(raw: Record<string, unknown>): Record<string, unknown> {
  const size = (): number => Buffer.byteLength(JSON.stringify(raw));
  if (size() <= RAW_BUDGET) return raw;
  const packets = raw.packets as Array<Record<string, unknown>> | undefined;
  if (packets) {
    for (const p of packets) {
      delete p.data_base64;
      p.data_truncated = true;
    }
    if (size() <= RAW_BUDGET) return raw;
    raw.packets = packets.slice(0, 10);
  }
  const extra = raw.extra_data as Array<{ value: string }> | undefined;
  if (extra) {
    for (const x of extra) x.value = clip(x.value, 256);
    if (size() > RAW_BUDGET) raw.extra_data = extra.slice(0, 50);
  }
  return raw;
}
