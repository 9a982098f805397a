// What every loaded feed lists, by org and `type:value`, for tagging events on their way into
// the store. Lookups are Map gets: this runs on the ingest path for every event.
// One index per server (feedIndexOf): two servers in one process (tests) keep their own.
import { normalizeDomain, normalizeEmail, normalizeIPv6, normalizeUrl } from '../../../observables/index.js';
import { indicatorKey, type FeedIndicator } from './indicator.js';

/** One loaded feed module. A rebuilt module is a new owner, so the old one's late removal
 * can never take the new one's entries with it. */
export interface FeedOwner {
  readonly orgId: string;
  readonly instanceId: string;
  /** What an event that matches gets: shared by all of this feed's entries. */
  readonly tags: readonly string[];
}

interface Entry {
  owner: FeedOwner;
  validFrom?: number;
  validUntil?: number;
}

/**
 * The value as the feeds store it, for a value that missed as it came. Cheap forms first:
 * sensors mostly send canonical values, and this runs for every miss.
 */
function canonical(type: string, value: string): string | null {
  switch (type) {
    case 'domain': {
      const d = value.endsWith('.') ? value.slice(0, -1) : value;
      // eslint-disable-next-line no-control-regex
      return /^[\x00-\x7f]*$/.test(d) ? d.toLowerCase() : normalizeDomain(d);
    }
    case 'md5': case 'sha1': case 'sha256': return value.toLowerCase();
    case 'ipv6': return normalizeIPv6(value);
    case 'url': return normalizeUrl(value);
    case 'email': return normalizeEmail(value);
    default: return null;
  }
}

export class FeedIndex {
  private readonly orgs = new Map<string, Map<string, Entry[]>>();
  private readonly keysOf = new Map<FeedOwner, string[]>();

  /** A feed module that is live, with or without indicators yet. */
  attach(owner: FeedOwner): void {
    if (!this.keysOf.has(owner)) this.keysOf.set(owner, []);
  }

  /** Swaps in the owner's indicators in one synchronous step: a commit never sees half a feed. */
  replace(owner: FeedOwner, indicators: ReadonlyMap<string, FeedIndicator>): void {
    this.clear(owner);
    const keys: string[] = [];
    this.keysOf.set(owner, keys);
    if (indicators.size === 0) return;
    let org = this.orgs.get(owner.orgId);
    if (!org) this.orgs.set(owner.orgId, (org = new Map()));
    for (const [k, ind] of indicators) {
      const e: Entry = { owner };
      if (ind.validFrom !== undefined) e.validFrom = ind.validFrom;
      if (ind.validUntil !== undefined) e.validUntil = ind.validUntil;
      const list = org.get(k);
      if (list) list.push(e);
      else org.set(k, [e]);
      keys.push(k);
    }
  }

  /** The module closed: its entries go, and it is no longer live. */
  remove(owner: FeedOwner): void {
    this.clear(owner);
    this.keysOf.delete(owner);
  }

  private clear(owner: FeedOwner): void {
    const keys = this.keysOf.get(owner);
    if (!keys || keys.length === 0) return;
    this.keysOf.set(owner, []);
    const org = this.orgs.get(owner.orgId);
    if (!org) return;
    for (const k of keys) {
      const list = org.get(k);
      if (!list) continue;
      const rest = list.filter((e) => e.owner !== owner);
      if (rest.length === 0) org.delete(k);
      else org.set(k, rest);
    }
    if (org.size === 0) this.orgs.delete(owner.orgId);
  }

  /** Does any feed of this org list anything? (Most events can skip all lookups then.) */
  has(orgId: string): boolean {
    return this.orgs.has(orgId);
  }

  /** Instance ids of the org's live feed modules: how the part finds feeds that went away. */
  instances(orgId: string): string[] {
    const ids = new Set<string>();
    for (const o of this.keysOf.keys()) if (o.orgId === orgId) ids.add(o.instanceId);
    return [...ids];
  }

  /** Adds to `out` the tags of every feed of the org that lists the observable now. */
  tagsFor(orgId: string, type: string, value: string, now: number, out: Set<string>): void {
    const org = this.orgs.get(orgId);
    if (!org) return;
    let list = org.get(indicatorKey(type, value));
    if (list === undefined) {
      const c = canonical(type, value);
      if (c === null || c === value) return;
      list = org.get(indicatorKey(type, c));
      if (list === undefined) return;
    }
    for (const e of list) {
      if ((e.validFrom !== undefined && now < e.validFrom) || (e.validUntil !== undefined && now >= e.validUntil)) continue;
      for (const t of e.owner.tags) out.add(t);
    }
  }
}

const byServer = new WeakMap<object, FeedIndex>();

/** The index of one server's response (keyed by its context). */
export function feedIndexOf(server: object): FeedIndex {
  let x = byServer.get(server);
  if (!x) byServer.set(server, (x = new FeedIndex()));
  return x;
}
