// CybOX relations an event shows: who connected to whom, what a name resolved to (DNS answers,
// or the host an HTTP/TLS request named at the address it went to), where a file came from.
import type { Relation, CtimObservable } from '../../../ctim/index.js';
import type { StoredEvent } from '../../../events/event.js';
import { ipType } from './internal.js';

const ORIGIN = 'threatlink exchange';

function rel(relation: string, source: CtimObservable, related: CtimObservable): Relation {
  return { origin: ORIGIN, relation, source, related };
}

function dnsAnswers(raw: unknown): Array<{ name: string; ip: string }> {
  const dns = (raw as { dns?: { answers?: unknown; rrname?: unknown; rdata?: unknown; rrtype?: unknown } } | null)?.dns;
  if (!dns) return [];
  const out: Array<{ name: string; ip: string }> = [];
  const add = (a: { rrname?: unknown; rdata?: unknown; rrtype?: unknown }) => {
    if (typeof a.rrname === 'string' && typeof a.rdata === 'string' && (a.rrtype === 'A' || a.rrtype === 'AAAA')) {
      out.push({ name: a.rrname.toLowerCase().replace(/\.$/, ''), ip: a.rdata });
    }
  };
  if (Array.isArray(dns.answers)) for (const a of dns.answers) add(a as object);
  add(dns);
  return out;
}

export function relationsOf(e: StoredEvent): Relation[] {
  const out: Relation[] = [];
  const src = e.src_ip ? { type: ipType(e.src_ip), value: e.src_ip } : null;
  const dst = e.dst_ip ? { type: ipType(e.dst_ip), value: e.dst_ip } : null;
  if (src && dst) out.push(rel('Connected_To', src, dst));
  for (const a of dnsAnswers(e.raw)) out.push(rel('Resolved_To', { type: 'domain', value: a.name }, { type: ipType(a.ip), value: a.ip }));
  const domains = e.observables?.domain ?? [];
  if (dst && e.app_proto !== 'dns' && (e.app_proto === 'http' || e.app_proto === 'tls' || e.app_proto === 'http2')) {
    for (const d of domains) out.push(rel('Resolved_To', { type: 'domain', value: d }, dst));
  }
  const files: CtimObservable[] = [
    ...(e.observables?.sha256 ?? []).map((value) => ({ type: 'sha256', value })),
    ...(e.observables?.sha1 ?? []).map((value) => ({ type: 'sha1', value })),
    ...(e.observables?.md5 ?? []).map((value) => ({ type: 'md5', value })),
  ];
  if (files.length > 0) {
    const from: CtimObservable | null = e.observables?.url?.[0] ? { type: 'url', value: e.observables.url[0] }
      : domains[0] ? { type: 'domain', value: domains[0] } : null;
    // Downloaded: the file moved from the server side (destination of the request) to the client.
    const server = from ?? (dst ?? src);
    if (server) for (const f of files) out.push(rel('Downloaded_From', f, server));
  }
  return out;
}

/** Every observable an event names, addresses first. */
export function observablesOf(e: StoredEvent): CtimObservable[] {
  const out: CtimObservable[] = [];
  if (e.src_ip) out.push({ type: ipType(e.src_ip), value: e.src_ip });
  if (e.dst_ip) out.push({ type: ipType(e.dst_ip), value: e.dst_ip });
  const o = e.observables ?? {};
  for (const [type, values] of Object.entries(o)) for (const value of values ?? []) out.push({ type, value });
  return out;
}
