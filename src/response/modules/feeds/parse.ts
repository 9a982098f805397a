// A fetched snapshot → the feed's indicators by lookup key, one entry per observable.
import { indicatorKey, rangeOf, type FeedIndicator } from './indicator.js';
import { IpRanges } from './ip-ranges.js';
import type { FeedSettings } from './settings.js';
import { FEED_FILE, type Snapshot } from './snapshot.js';
import { parseList } from './formats/list.js';
import { parseCsv } from './formats/csv.js';
import { parseMisp } from './formats/misp.js';
import { parseStix2 } from './formats/stix2.js';
import type { ParseResult, SkippedEntry } from './formats/result.js';

export interface ParsedFeed {
  /** Every indicator by lookup key, ranges (`ip:1.10.16.0/20`) included. */
  indicators: Map<string, FeedIndicator>;
  /** The CIDR ranges among them, for the addresses inside them. */
  ranges: IpRanges<FeedIndicator>;
  skipped: number;
  /** The first few skipped entries: where, what and why. */
  skippedEntries: SkippedEntry[];
}

function one(snap: Snapshot): string {
  const text = snap.files[FEED_FILE];
  if (text === undefined) throw new Error('the snapshot holds no feed file');
  return text;
}

function parseFormat(s: FeedSettings, snap: Snapshot): ParseResult {
  switch (s.format) {
    case 'list': return parseList(one(snap), s.observableType);
    case 'csv': return parseCsv(one(snap), s);
    case 'misp': return parseMisp(snap.files, s.toIdsOnly);
    case 'stix2': return parseStix2(one(snap));
  }
}

/** An observable listed twice (two MISP events, two STIX indicators) is valid whenever either says. */
function merge(a: FeedIndicator, b: FeedIndicator): FeedIndicator {
  const out: FeedIndicator = { type: a.type, value: a.value };
  if (a.validFrom !== undefined && b.validFrom !== undefined) out.validFrom = Math.min(a.validFrom, b.validFrom);
  if (a.validUntil !== undefined && b.validUntil !== undefined) out.validUntil = Math.max(a.validUntil, b.validUntil);
  const reason = a.reason ?? b.reason;
  if (reason !== undefined) out.reason = reason;
  return out;
}

/** Throws when the content is not the feed it should be, so the last good copy stays. */
export function parseSnapshot(s: FeedSettings, snap: Snapshot): ParsedFeed {
  const r = parseFormat(s, snap);
  // Text formats read anything: an HTML error page or a login form "parses" into nothing
  // but skipped lines. An empty file is a feed that lists nothing, and that is allowed.
  if ((s.format === 'list' || s.format === 'csv') && r.indicators.length === 0 && r.skipped > 0) {
    const first = r.skippedEntries[0];
    const example = first ? ` (${first.at}: ${JSON.stringify(first.entry)}: ${first.reason})` : '';
    throw new Error(`no observable in any of ${r.skipped} entries${example}: is this the feed?`);
  }
  const indicators = new Map<string, FeedIndicator>();
  for (const ind of r.indicators) {
    const k = indicatorKey(ind.type, ind.value);
    const cur = indicators.get(k);
    indicators.set(k, cur ? merge(cur, ind) : ind);
  }
  const ranges = new IpRanges<FeedIndicator>();
  for (const ind of indicators.values()) {
    const c = rangeOf(ind);
    if (c) ranges.set(c, ind);
  }
  return { indicators, ranges, skipped: r.skipped, skippedEntries: r.skippedEntries };
}
