// Snort 3 alert_json record → normalized intrusion event (docs/events.md, "Mapping from Snort 3
// alert_json"). Every alert_json line is an alert, so this never returns null; a record too broken
// to carry a signature or a time still maps, and the validator rejects it with a reason.
import type { EventAction, NormalizedEvent, Signature } from '../../events/event.js';
import { clip, int, port, put, str, uint32 } from './map-common.js';

export interface Snort3MapOptions {
  /** The clock for the year rule; tests fix it. */
  now?: Date;
  /**
   * Snort writes its timestamps in the sensor's local time unless it runs with UTC output (`-U`).
   * The connector runs on the sensor, so local time here is the sensor's local time.
   */
  utc?: boolean;
}

export function mapSnort3(rec: Record<string, unknown>, eventId: string, opts: Snort3MapOptions = {}): NormalizedEvent | null {
  const ts = str(rec.timestamp);
  const time = ts === undefined ? '' : (snortTime(ts, opts.now ?? new Date(), opts.utc ?? false) ?? ts);
  const ev: NormalizedEvent = { event_id: eventId, type: 'intrusion', time };

  // src_addr/src_port are optional fields; src_ap ("addr:port") is in the default set.
  const [apSrc, apSrcPort] = splitAp(rec.src_ap);
  const [apDst, apDstPort] = splitAp(rec.dst_ap);
  const srcIp = str(rec.src_addr) ?? apSrc;
  const dstIp = str(rec.dst_addr) ?? apDst;
  const proto = snortProtocol(rec.proto, srcIp ?? dstIp);
  put(ev, 'src_ip', srcIp);
  if (proto === 'icmp' || proto === 'ipv6-icmp') {
    // The contract puts the ICMP type and code where the ports go.
    put(ev, 'src_port', port(rec.icmp_type));
    put(ev, 'dst_ip', dstIp);
    put(ev, 'dst_port', port(rec.icmp_code));
  } else {
    // Snort writes port 0 in an *_ap for anything but TCP and UDP; that 0 is not a port.
    const apPorts = proto === 'tcp' || proto === 'udp';
    put(ev, 'src_port', port(rec.src_port) ?? (apPorts || apSrcPort ? apSrcPort : undefined));
    put(ev, 'dst_ip', dstIp);
    put(ev, 'dst_port', port(rec.dst_port) ?? (apPorts || apDstPort ? apDstPort : undefined));
  }
  put(ev, 'protocol', proto);
  put(ev, 'signature', signature(rec));
  put(ev, 'action', snortAction(rec.action));
  const service = str(rec.service);
  if (service !== undefined && service !== 'unknown') ev.app_proto = clip(service, 64);
  ev.raw = rec;
  return ev;
}

function signature(rec: Record<string, unknown>): Signature | undefined {
  let gid = uint32(rec.gid);
  let sid = uint32(rec.sid);
  let rev = uint32(rec.rev);
  if (gid === undefined || sid === undefined) {
    // The default field set has only `rule`, "gid:sid:rev".
    const m = /^(\d+):(\d+)(?::(\d+))?$/.exec(str(rec.rule) ?? '');
    if (m) {
      gid ??= uint32(m[1]);
      sid ??= uint32(m[2]);
      rev ??= uint32(m[3]);
    }
  }
  if (sid === undefined) return undefined;
  const sig: Signature = { gid: gid ?? 1, sid };
  put(sig, 'rev', rev);
  put(sig, 'message', clip(str(rec.msg), 1024));
  const cls = str(rec.class);
  if (cls !== undefined && cls !== 'none') sig.classification = clip(cls, 256); // "none": no classtype
  put(sig, 'priority', int(rec.priority, 1, 255));
  return sig;
}

/** "10.0.0.5:51234" or "2001:db8::5:51234" → address and port, split on the last colon. */
function splitAp(v: unknown): [string | undefined, number | undefined] {
  const s = str(v);
  if (s === undefined) return [undefined, undefined];
  const i = s.lastIndexOf(':');
  if (i < 0) return [s, undefined];
  let addr = s.slice(0, i);
  if (addr.startsWith('[') && addr.endsWith(']')) addr = addr.slice(1, -1);
  return [addr === '' ? undefined : addr, port(s.slice(i + 1))]; // "" when the packet had no IP layer
}

/**
 * Snort's `proto` is its packet kind: TCP, UDP, ICMP (v4 or v6), or IP/ETH/PDU/FILE/… which are not
 * transport protocols and are left out.
 */
function snortProtocol(v: unknown, someAddr: string | undefined): string | undefined {
  switch (typeof v === 'string' ? v.toLowerCase() : undefined) {
    case 'tcp':
      return 'tcp';
    case 'udp':
      return 'udp';
    case 'icmp':
      return someAddr?.includes(':') ? 'ipv6-icmp' : 'icmp';
    default:
      return undefined;
  }
}

/**
 * Snort's action strings (`allow`, `drop`, `would_drop`, `cant_drop`, `force_block`, "would drop", …).
 * An absent action is an IDS alert on traffic that passed. `cant_*` is a passive sensor that wanted
 * to drop but could not: the traffic passed, as with `would_*`. `hold`, `retry` and `error` are not
 * a verdict on the traffic and are left out.
 */
export function snortAction(v: unknown): EventAction | undefined {
  if (v === undefined) return 'allowed';
  switch (String(v).toLowerCase().replace(/[\s-]+/g, '_')) {
    case 'allow':
    case 'pass':
    case 'alert':
      return 'allowed';
    case 'drop':
    case 'block':
    case 'reject':
    case 'reset':
    case 'force_drop':
    case 'force_block':
    case 'force_reset':
      return 'blocked';
    case 'would_drop':
    case 'wdrop':
    case 'would_block':
    case 'would_reset':
    case 'cant_drop':
    case 'cant_block':
    case 'cant_reset':
      return 'would_block';
    default:
      return undefined;
  }
}

// MM/DD-HH:MM:SS.ffffff, or YY/MM/DD-… when Snort runs with show_year (-y).
const SNORT_TS = /^(?:(\d\d)\/)?(\d\d)\/(\d\d)-(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?$/;
const DAY_MS = 86400000;

/**
 * An alert_json timestamp as ISO-8601 with a zone, or undefined if it is not one. Without a year,
 * the year is the current one unless that puts the time more than a day in the future (an alert
 * from late December read in January): then the one before. A day of slack covers clock skew and
 * time zones. Feb 29 falls back to the last leap year.
 */
export function snortTime(ts: string, now: Date, utc: boolean): string | undefined {
  const m = SNORT_TS.exec(ts);
  if (!m) return undefined;
  const [mo, d, h, mi, s] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const at = (y: number): Date | undefined => {
    const t = utc ? new Date(Date.UTC(y, mo - 1, d, h, mi, s)) : new Date(y, mo - 1, d, h, mi, s);
    // Date rolls Feb 30 over into March; such a day does not exist in that year.
    return (utc ? t.getUTCDate() : t.getDate()) === d ? t : undefined;
  };
  let year: number | undefined;
  let date: Date | undefined;
  if (m[1] !== undefined) {
    year = 2000 + Number(m[1]);
    date = at(year);
  } else {
    const current = utc ? now.getUTCFullYear() : now.getFullYear();
    for (let y = current; y > current - 8 && date === undefined; y--) {
      const t = at(y);
      if (t !== undefined && (y !== current || t.getTime() <= now.getTime() + DAY_MS)) [year, date] = [y, t];
    }
  }
  if (year === undefined || date === undefined) return undefined;
  const frac = m[7] === undefined ? '' : `.${m[7]}`;
  return `${pad(year, 4)}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${frac}${utc ? 'Z' : zone(date)}`;
}

/** The local zone offset at that instant, as ±hh:mm. */
function zone(date: Date): string {
  const off = -date.getTimezoneOffset();
  const a = Math.abs(off);
  return `${off < 0 ? '-' : '+'}${pad(Math.floor(a / 60), 2)}:${pad(a % 60, 2)}`;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');
