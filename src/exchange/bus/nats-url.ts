// `--bus nats://host:4222[,nats://host2:4222]?prefix=…&replicas=3&ca=/path` → connection and
// stream settings. TLS with `tls://` servers (and `ca=` for a private CA).
import { readFileSync } from 'node:fs';

export interface NatsBusSettings {
  servers: string[];
  /** Subject and stream prefix: nodes that share one prefix are one deployment. */
  prefix: string;
  /** JetStream stream replicas: 3 on a 3-node NATS cluster, so a NATS node may die. */
  replicas: number;
  /** How long a writer may hold a batch before JetStream gives it to another node. */
  ackWaitMs: number;
  tls?: { ca?: string };
}

export function parseNatsUrl(url: string): NatsBusSettings {
  const q = url.indexOf('?');
  const head = q < 0 ? url : url.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const servers = head.split(',').map((s) => s.trim()).filter(Boolean);
  if (servers.length === 0) throw new Error(`bus: "${url}" names no NATS server`);
  for (const s of servers) {
    if (!/^(nats|tls):\/\/[^/]+\/?$/.test(s)) throw new Error(`bus: "${s}" is not a nats://host:port or tls://host:port URL`);
  }
  const prefix = params.get('prefix') ?? 'threatlink';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(prefix)) throw new Error(`bus: prefix "${prefix}" must be 1–64 letters, digits, _ or -`);
  const replicas = Number(params.get('replicas') ?? 1);
  if (![1, 3, 5].includes(replicas)) throw new Error(`bus: replicas "${params.get('replicas')}" must be 1, 3 or 5`);
  const ackWaitMs = Number(params.get('ack_wait_ms') ?? 10_000);
  if (!(ackWaitMs >= 1000)) throw new Error(`bus: ack_wait_ms "${params.get('ack_wait_ms')}" must be 1000 or more`);
  const caFile = params.get('ca');
  const wantsTls = caFile !== null || servers.some((s) => s.startsWith('tls://'));
  let tls: NatsBusSettings['tls'];
  if (wantsTls) {
    try {
      tls = caFile ? { ca: readFileSync(caFile, 'utf8') } : {};
    } catch (err) {
      throw new Error(`bus: ca "${caFile}" cannot be read: ${(err as Error).message}`);
    }
  }
  return { servers, prefix, replicas, ackWaitMs, tls };
}

/** Device ids become subject tokens: anything outside a token's alphabet is escaped. */
export function subjectToken(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, (c) => `~${c.charCodeAt(0).toString(16)}~`);
}

export function fromSubjectToken(token: string): string {
  return token.replace(/~([0-9a-f]+)~/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}
