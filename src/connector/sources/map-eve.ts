// Suricata EVE JSON record → normalized event (docs/events.md, "Mapping from Suricata EVE").
// Only the record types that describe a detection or a file are shipped; stats, flow, netflow and
// the plain protocol transaction records (dns, http, tls, …) map to null and are skipped.
//
// Hot path: called once per EVE line. No regexes on the common alert path beyond the URL check,
// no intermediate objects beyond the event itself.
import { isIPv4, isIPv6 } from 'node:net';
import type { EventType, NormalizedEvent, Signature } from '../../events/event.js';
import { clip, emailAddress, int, isIcmp, type Json, obj, Observables, port, protocol, put, str, uint32 } from './map-common.js';

/**
 * Suricata anomaly records (decoder, stream and app-layer protocol violations) carry no rule, but an
 * intrusion event must carry a signature. They all get this one: gid 116 (Snort's decoder
 * generator, the closest public meaning), sid 0, and the anomaly's type and event as the message,
 * so they stay recognisable as one class without colliding with any real rule's gid:sid.
 */
export const EVE_ANOMALY_SIGNATURE = { gid: 116, sid: 0, classification: 'protocol-anomaly', priority: 3 } as const;

export function mapEve(rec: Record<string, unknown>, eventId: string): NormalizedEvent | null {
  switch (rec.event_type) {
    case 'alert':
      return alert(rec, eventId);
    case 'anomaly':
      return anomaly(rec, eventId);
    case 'fileinfo':
      return file(rec, eventId);
    case 'drop':
      return drop(rec, eventId);
    default:
      return null;
  }
}

function alert(rec: Json, eventId: string): NormalizedEvent {
  const ev = header(rec, eventId, 'intrusion');
  const a = obj(rec.alert);
  if (a) {
    // Without a signature_id there is no signature; the validator then rejects the event, with a reason.
    const sid = uint32(a.signature_id);
    if (sid !== undefined) {
      const sig: Signature = { gid: uint32(a.gid) ?? 1, sid };
      put(sig, 'rev', uint32(a.rev));
      put(sig, 'message', clip(str(a.signature), 1024));
      put(sig, 'classification', clip(str(a.category), 256));
      put(sig, 'priority', int(a.severity, 1, 255));
      ev.signature = sig;
    }
    // Suricata writes "allowed", or "blocked" when an IPS drop rule (or drop policy) dropped the packet.
    if (a.action === 'allowed' || a.action === 'blocked') ev.action = a.action;
  }
  return finish(ev, rec);
}

function anomaly(rec: Json, eventId: string): NormalizedEvent {
  const ev = header(rec, eventId, 'intrusion');
  const an = obj(rec.anomaly);
  const message = `${str(an?.type) ?? 'anomaly'}: ${str(an?.event) ?? 'unknown'}`;
  ev.signature = { ...EVE_ANOMALY_SIGNATURE, message: clip(message, 1024)! };
  return finish(ev, rec, an?.app_proto);
}

function file(rec: Json, eventId: string): NormalizedEvent {
  return finish(header(rec, eventId, 'file'), rec);
}

/** A packet Suricata dropped inline (IPS) — the drop record names no rule, so it is a connection event. */
function drop(rec: Json, eventId: string): NormalizedEvent {
  const ev = header(rec, eventId, 'connection');
  ev.action = 'blocked';
  return finish(ev, rec);
}

/** Time and the 5-tuple, in the order docs/events.md lists the fields. */
function header(rec: Json, eventId: string, type: EventType): NormalizedEvent {
  // A missing timestamp becomes "" so the validator rejects the event with a reason naming `time`.
  const ev: NormalizedEvent = { event_id: eventId, type, time: typeof rec.timestamp === 'string' ? rec.timestamp : '' };
  const proto = protocol(rec.proto);
  put(ev, 'src_ip', str(rec.src_ip));
  // ICMP has no ports: the contract carries its type and code there, as unified2 and Firepower do.
  put(ev, 'src_port', port(isIcmp(proto) ? rec.icmp_type : rec.src_port));
  put(ev, 'dst_ip', str(rec.dest_ip));
  put(ev, 'dst_port', port(isIcmp(proto) ? rec.icmp_code : rec.dest_port));
  put(ev, 'protocol', proto);
  return ev;
}

function finish(ev: NormalizedEvent, rec: Json, appProto: unknown = rec.app_proto): NormalizedEvent {
  const ap = str(appProto);
  // "failed" is Suricata's word for "detection gave up", not a protocol.
  if (ap !== undefined && ap !== 'failed' && ap !== 'unknown') ev.app_proto = clip(ap, 64);
  put(ev, 'observables', observables(rec).build());
  ev.raw = rec;
  return ev;
}

// ---- observables from the protocol blocks ------------------------------------------------------

/** net.isIPv6 without its long pattern run on every host name: an IPv6 address has a colon. */
const isV6 = (host: string): boolean => host.includes(':') && isIPv6(host);

/** An HTTP block's host name: Suricata keeps the brackets of an IPv6 literal (`Host: [2001:db8::1]`). */
function httpHost(http: Json): string | undefined {
  const host = str(http.hostname);
  return host !== undefined && host.startsWith('[') && host.endsWith(']') && isV6(host.slice(1, -1)) ? host.slice(1, -1) : host;
}

function observables(rec: Json): Observables {
  const o = new Observables();
  const http = obj(rec.http);
  if (http) {
    const host = httpHost(http);
    if (host !== undefined && !isIPv4(host) && !isV6(host)) o.add('domain', host);
    o.add('url', httpUrl(http));
  }
  const dns = obj(rec.dns);
  if (dns) {
    // v1/v2 transaction records: dns.rrname. Alerts: dns.query[] (Suricata 6–7, v2) or
    // dns.queries[] (v3, Suricata 8). A v2 answer object names the query in its rrname too.
    o.add('domain', dns.rrname);
    eachObj(dns.query, (q) => o.add('domain', q.rrname));
    eachObj(dns.queries, (q) => o.add('domain', q.rrname));
    eachObj(dns.answer, (a) => o.add('domain', a.rrname));
  }
  const tls = obj(rec.tls);
  if (tls) o.add('domain', tls.sni);
  // fileinfo records carry one `fileinfo`; alerts (with metadata) may carry a `files` list.
  eachObj(rec.fileinfo, (f) => addFile(o, f));
  eachObj(rec.files, (f) => addFile(o, f));
  const email = obj(rec.email);
  if (email) {
    o.add('email', emailAddress(email.from));
    eachStr(email.to, (s) => o.add('email', emailAddress(s)));
    eachStr(email.cc, (s) => o.add('email', emailAddress(s)));
    o.addAll('file_name', email.attachment);
  }
  const smtp = obj(rec.smtp);
  if (smtp) {
    o.add('email', emailAddress(smtp.mail_from));
    eachStr(smtp.rcpt_to, (s) => o.add('email', emailAddress(s)));
  }
  const ntlm = obj(obj(rec.smb)?.ntlmssp);
  if (ntlm) {
    const user = str(ntlm.user);
    const domain = str(ntlm.domain);
    if (user !== undefined) o.add('user', domain !== undefined ? `${domain}\\${user}` : user);
  }
  const ftp = obj(rec.ftp);
  if (ftp && typeof ftp.command === 'string' && ftp.command.toUpperCase() === 'USER') o.add('user', ftp.command_data);
  return o;
}

function addFile(o: Observables, f: Json): void {
  o.add('file_name', f.filename);
  o.add('md5', f.md5);
  o.add('sha1', f.sha1);
  o.add('sha256', f.sha256);
}

/** `http://host[:port]/path` from an HTTP block; an http block is always plain HTTP (HTTPS is the tls block). */
function httpUrl(http: Json): string | undefined {
  const url = str(http.url);
  if (url === undefined) return undefined;
  if (/^https?:\/\//i.test(url)) return url; // a proxy request carries the absolute URL
  const host = httpHost(http);
  // CONNECT host:port and OPTIONS * have no path to join.
  if (host === undefined || url[0] !== '/') return undefined;
  const p = port(http.http_port);
  // An IPv6 host as it came: the validator writes the URL as the WHATWG parser does, which
  // puts the address in RFC 5952 form.
  const h = isV6(host) ? `[${host}]` : host.toLowerCase();
  return `http://${h}${p !== undefined && p !== 80 ? `:${p}` : ''}${url}`;
}

function eachObj(v: unknown, f: (o: Json) => void): void {
  if (Array.isArray(v)) {
    for (const x of v) {
      const o = obj(x);
      if (o) f(o);
    }
  } else {
    const o = obj(v);
    if (o) f(o);
  }
}

function eachStr(v: unknown, f: (s: string) => void): void {
  if (Array.isArray(v)) {
    for (const x of v) if (typeof x === 'string') f(x);
  } else if (typeof v === 'string') f(v);
}
