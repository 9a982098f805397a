// Ingest-time feed matching: every address and sensor-reported observable of an event is
// looked up in the feed index, and the matching feeds' tags go on the event before it is
// stored. Synchronous, a Map get per value, nothing at all for orgs without feeds.
import type { EventObservables } from '../../../events/event.js';
import type { CommitItem } from '../../../exchange/store/types.js';
import type { FeedIndex } from './match-index.js';

/** Event observable lists whose names are observable types as they are. */
const FIELDS: ReadonlyArray<keyof EventObservables> = ['domain', 'url', 'md5', 'sha1', 'sha256', 'email', 'file_name', 'user'];

const ipType = (ip: string): string => (ip.includes(':') ? 'ipv6' : 'ip');

export function tagEvents(index: FeedIndex, items: readonly CommitItem[], now = Date.now()): void {
  const found = new Set<string>();
  for (const item of items) {
    const org = item.org_id;
    if (!index.has(org)) continue;
    const e = item.event;
    found.clear();
    if (e.src_ip) index.tagsFor(org, ipType(e.src_ip), e.src_ip, now, found);
    if (e.dst_ip) index.tagsFor(org, ipType(e.dst_ip), e.dst_ip, now, found);
    const obs = e.observables;
    if (obs) {
      for (const f of FIELDS) {
        const values = obs[f];
        if (values) for (const v of values) index.tagsFor(org, f, v, now, found);
      }
    }
    if (found.size === 0) continue;
    e.tags = e.tags && e.tags.length > 0 ? [...new Set([...e.tags, ...found])] : [...found];
  }
}
