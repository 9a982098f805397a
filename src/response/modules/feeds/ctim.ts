// A feed listing as CTIM: a judgement from the feed, valid for ttl_seconds from the moment it
// is asked (the feed vouches for it as long as it keeps listing it), cut short where the feed
// itself says the indicator ends (STIX valid_until).
import { pathToFileURL } from 'node:url';
import {
  SCHEMA_VERSION, dispositionName, transientId, verdictOf, type CtimObservable, type Judgement, type Verdict,
} from '../../../ctim/index.js';
import type { ModuleInstance } from '../../module.js';
import { rangeOf, type FeedIndicator } from './indicator.js';
import type { FeedSettings } from './settings.js';
import { isUrl } from './source.js';

/** CTIM wants a URI: a file feed is named by its file: URL. */
export function sourceUri(s: FeedSettings): string {
  return isUrl(s.source) ? s.source : pathToFileURL(s.source).href;
}

function reasonOf(inst: ModuleInstance, asked: CtimObservable, ind: FeedIndicator): string {
  const why = ind.reason ? `${inst.name}: ${ind.reason}` : `listed by the feed ${inst.name}`;
  // An address matched through a range: say which, so an analyst can check the feed's entry.
  return rangeOf(ind) !== null && !asked.value.includes('/') ? `${why} (in the range ${ind.value})` : why;
}

export function feedJudgement(inst: ModuleInstance, s: FeedSettings, asked: CtimObservable, ind: FeedIndicator, now: number): Judgement {
  const start = ind.validFrom !== undefined && ind.validFrom < now ? ind.validFrom : now;
  const end = Math.min(now + s.ttlMs, ind.validUntil ?? Infinity);
  const j: Judgement = {
    // Stable per feed and observable, so the same listing is the same judgement on every call.
    id: transientId('judgement', 'feed', inst.org_id, inst.id, asked.type, asked.value),
    type: 'judgement',
    schema_version: SCHEMA_VERSION,
    source: inst.name,
    source_uri: sourceUri(s),
    observable: { type: asked.type, value: asked.value },
    disposition: s.disposition,
    disposition_name: dispositionName(s.disposition),
    priority: s.priority,
    confidence: s.confidence,
    severity: s.severity,
    valid_time: { start_time: new Date(start).toISOString(), end_time: new Date(end).toISOString() },
    reason: reasonOf(inst, asked, ind),
  };
  return j;
}

export function feedVerdict(j: Judgement, now: number): Verdict | null {
  return verdictOf([j], now);
}
