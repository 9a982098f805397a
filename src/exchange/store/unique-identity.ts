// Which events count as "the same" in the unique-events view, and the key a group is known by:
// one definition for both stores, for the events API's unique_key and for promoting a unique
// event, so that all of them group alike.
import { createHash } from 'node:crypto';
import type { EventObservables, StoredEvent } from '../../events/event.js';
import type { UniqueEvent } from './types.js';

/** The fields of an event row the grouping reads: the unique event's own, keyed by org and time. */
export type UniqueSource = Pick<UniqueEvent, 'type' | 'src_ip' | 'dst_ip' | 'gid' | 'sid' | 'message' | 'priority'> & {
  org_key: number;
  ts: number;
};

/** What makes two events "the same" in the unique-events view, per type; '' for none. */
export function uniqueIdentity(r: UniqueSource, o: EventObservables | null): string {
  switch (r.type) {
    case 'intrusion':
      // Addresses and numbers only, so a plain join cannot be ambiguous (and is cheaper).
      return `intrusion ${r.src_ip ?? '-'} ${r.dst_ip ?? '-'} ${r.gid ?? '-'} ${r.sid ?? '-'}`;
    case 'connection':
      return JSON.stringify([r.type, r.src_ip, r.dst_ip, r.message ?? '']);
    case 'file':
    case 'malware': {
      const what = o?.sha256?.[0] ?? o?.sha1?.[0] ?? o?.md5?.[0] ?? o?.file_name?.[0] ?? r.message ?? '';
      return JSON.stringify([r.type, r.src_ip, r.dst_ip, what]);
    }
    default:
      return '';
  }
}

/** A fixed-length key for the group: 128 bits of SHA-256 over the identity, base64url. */
export function uniqueKey(identity: string): string {
  return createHash('sha256').update(identity).digest('base64url').slice(0, 22);
}

/** The key of the unique event a stored event counts in, or null for a type not grouped. */
export function uniqueKeyOfEvent(e: StoredEvent): string | null {
  const sig = e.signature;
  const identity = uniqueIdentity({
    org_key: 0, ts: 0, type: e.type, src_ip: e.src_ip ?? null, dst_ip: e.dst_ip ?? null,
    gid: sig?.gid ?? null, sid: sig?.sid ?? null, message: sig?.message ?? null, priority: sig?.priority ?? null,
  }, e.observables ?? null);
  return identity === '' ? null : uniqueKey(identity);
}
