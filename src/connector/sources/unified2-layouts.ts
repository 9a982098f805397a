// Decoding of unified2 record bodies into their layouts.
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
import { U2_EVENT_TYPES, U2_TYPE, Unified2FormatError } from './unified2-records.js';
import { cString, ipv4ToString, ipv6ToString, sfIpToString } from './unified2-addr.js';

/** Fixed body sizes of the event records (a longer body carries app_name in the tail). */
const EVENT_SIZE: Record<number, number> = { 7: 52, 72: 76, 104: 60, 105: 84, 111: 60, 112: 84, 114: 96 };
const PACKET_HEADER_SIZE = 28;
const EXTRA_HEADER_SIZE = 8 + 24;

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
