// Mapping of a decoded unified2 event (with its extra data and packets) to a NormalizedEvent.
//
// Blocked/action: legacy `blocked` is 0 allow, 1 block, 2 would, 3 can't (Snort 3 unified2.cc,
// U2_BLOCKED_FLAG_*). Type 114 carries `snort_status` (Active::ActiveStatus: 0 allow, 1 can't,
// 2 would, 3 force) and `snort_action` (Active::ActiveActionType), see mapAction3().
import { isIP } from 'node:net';
import type { EventAction, EventObservables, NormalizedEvent } from '../../events/event.js';
import { ipv4ToString, ipv6ToString } from './unified2-addr.js';
import { EXTRA_DATA_TYPES, type U2Event, type U2ExtraData, type U2Packet } from './unified2-layouts.js';

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
