// What every loaded feed lists, by org and `type:value`, for tagging events on their way into
// the store. Lookups are Map gets: this runs on the ingest path for every event.
// One index per server (feedIndexOf): two servers in one process (tests) keep their own.
import { normalizeDomain, normalizeEmail, normalizeIPv6, normalizeUrl } from '../../../observables/index.js';
import { indicatorKey, rangeOf, type FeedIndicator } from './indicator.js';
import { IpRanges, type Cidr } from './ip-ranges.js';

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

/** One org's feeds: single values by `type:value`, and CIDR ranges for the addresses inside them. */
interface OrgIndex {
  exact: Map<string, Entry[]>;
  ranges: IpRanges<Entry[]>;
}

/** Where one owner's entries are, so that they can be taken out again. */
interface OwnerKeys {
  exact: string[];
  ranges: Cidr[];
}

const without = (list: Entry[], owner: FeedOwner): Entry[] => list.filter((e) => e.owner !== owner);

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
  private readonly orgs = new Map<string, OrgIndex>();
  private readonly keysOf = new Map<FeedOwner, OwnerKeys>();

  /** A feed module that is live, with or without indicators yet. */
  attach(owner: FeedOwner): void {
    if (!this.keysOf.has(owner)) this.keysOf.set(owner, { exact: [], ranges: [] });
  }

  /** Swaps in the owner's indicators in one synchronous step: a commit never sees half a feed. */
  replace(owner: FeedOwner, indicators: ReadonlyMap<string, FeedIndicator>): void {
    this.clear(owner);
    const keys: OwnerKeys = { exact: [], ranges: [] };
    this.keysOf.set(owner, keys);
    if (indicators.size === 0) return;
    let org = this.orgs.get(owner.orgId);
    if (!org) this.orgs.set(owner.orgId, (org = { exact: new Map(), ranges: new IpRanges() }));
    for (const [k, ind] of indicators) {
      const e: Entry = { owner };
      if (ind.validFrom !== undefined) e.validFrom = ind.validFrom;
      if (ind.validUntil !== undefined) e.validUntil = ind.validUntil;
      const range = rangeOf(ind);
      if (range) {
        const list = org.ranges.get(range);
        if (list) list.push(e);
        else org.ranges.set(range, [e]);
        keys.ranges.push(range);
        continue;
      }
      const list = org.exact.get(k);
      if (list) list.push(e);
      else org.exact.set(k, [e]);
      keys.exact.push(k);
    }
  }

  /** The module closed: its entries go, and it is no longer live. */
  remove(owner: FeedOwner): void {
    this.clear(owner);
    this.keysOf.delete(owner);
  }

  private clear(owner: FeedOwner): void {
    const keys = this.keysOf.get(owner);
    if (!keys || (keys.exact.length === 0 && keys.ranges.length === 0)) return;
    this.keysOf.set(owner, { exact: [], ranges: [] });
    const org = this.orgs.get(owner.orgId);
    if (!org) return;
    for (const k of keys.exact) {
      const list = org.exact.get(k);
      if (!list) continue;
      const rest = without(list, owner);
      if (rest.length === 0) org.exact.delete(k);
      else org.exact.set(k, rest);
    }
    for (const c of keys.ranges) {
      const list = org.ranges.get(c);
      if (!list) continue;
      const rest = without(list, owner);
      if (rest.length === 0) org.ranges.delete(c);
      else org.ranges.set(c, rest);
    }
    if (org.exact.size === 0 && org.ranges.size === 0) this.orgs.delete(owner.orgId);
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

  /** Adds to `out` the tags of every feed of the org that lists the observable now, itself or by a range holding it. */
  tagsFor(orgId: string, type: string, value: string, now: number, out: Set<string>): void {
    const org = this.orgs.get(orgId);
    if (!org) return;
    let list = org.exact.get(indicatorKey(type, value));
    if (list === undefined) {
      const c = canonical(type, value);
      if (c !== null && c !== value) list = org.exact.get(indicatorKey(type, c));
    }
    if (list !== undefined) addTags(list, now, out);
    if ((type === 'ip' || type === 'ipv6') && org.ranges.size > 0) {
      for (const l of org.ranges.holding(value)) addTags(l, now, out);
    }
  }
}

function addTags(list: readonly Entry[], now: number, out: Set<string>): void {
  for (const e of list) {
    if ((e.validFrom !== undefined && now < e.validFrom) || (e.validUntil !== undefined && now >= e.validUntil)) continue;
    for (const t of e.owner.tags) out.add(t);
  }
}

const byServer = new WeakMap<object, FeedIndex>();

/** The index of one server's response (keyed by its context). */
export function feedIndexOf(server: object): FeedIndex {
  let x = byServer.get(server);
  if (!x) byServer.set(server, (x = new FeedIndex()));
  return x;
}
