// A device's validated batch as JetStream messages: cut to fit the server's message size, each
// piece named by its events' ids, so a batch sent again (the device saw no ack) is the same
// message and JetStream's duplicate window drops it before any writer sees it.
import { createHash } from 'node:crypto';
import type { CommitItem } from '../store/types.js';
import type { NormalizedEvent } from '../../events/event.js';
import { jsonWithRaw } from '../../events/event-json.js';

export interface EncodedPiece {
  msgId: string;
  data: Uint8Array;
  count: number;
}

interface Piece { org: string; dev: string; ev: NormalizedEvent[] }

/** One device's items (one org) → pieces of at most maxBytes (a lone larger event is its own piece). */
export function encodeBatch(deviceId: string, items: CommitItem[], maxBytes: number): EncodedPiece[] {
  if (items.length === 0) return [];
  const org = items[0]!.org_id;
  const head = `{"org":${JSON.stringify(org)},"dev":${JSON.stringify(deviceId)},"ev":[`;
  const out: EncodedPiece[] = [];
  let parts: string[] = [];
  let ids: string[] = [];
  let size = head.length + 2;
  const flush = () => {
    if (parts.length === 0) return;
    const hash = createHash('sha256').update(ids.join('\n')).digest('base64url').slice(0, 32);
    out.push({ msgId: `${deviceId}:${hash}`, data: Buffer.from(`${head}${parts.join(',')}]}`), count: parts.length });
    parts = [];
    ids = [];
    size = head.length + 2;
  };
  for (const it of items) {
    if (it.org_id !== org) throw new Error('a batch holds one org\'s events');
    // raw once, inside the event: a decoded item carries it as raw_json only.
    const json = it.raw_json !== undefined && it.event.raw === undefined ? jsonWithRaw(it.event, it.raw_json) : JSON.stringify(it.event);
    const bytes = Buffer.byteLength(json) + 1;
    if (parts.length > 0 && size + bytes > maxBytes) flush();
    parts.push(json);
    ids.push(it.event.event_id);
    size += bytes;
  }
  flush();
  return out;
}

export function decodePiece(data: Uint8Array): CommitItem[] {
  const p = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as Piece;
  if (typeof p?.org !== 'string' || typeof p.dev !== 'string' || !Array.isArray(p.ev)) {
    throw new Error('not a threatlink batch: needs "org", "dev" and "ev"');
  }
  return p.ev.map((event) => ({ org_id: p.org, device_id: p.dev, event }));
}
