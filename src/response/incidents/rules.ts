// Promotion rules: which stored events open (or join) an incident on their own. A rule matches
// when every condition it sets holds; an org's rules are tried in order and the first match wins.
import type { StoredEvent, EventType } from '../../events/event.js';
import type { TailFilter } from '../../exchange/store/types.js';

export interface RuleMatch {
  /** Signature priority at most this (1 is the most urgent). */
  priority_max?: number;
  /** Firepower impact at most this, ignoring 0 (unknown). */
  impact_max?: number;
  /** A threat-intel feed matched the event with this disposition (tag `disposition:<name>`). */
  feed_disposition?: string;
  sids?: number[];
  types?: EventType[];
}

export interface PromotionRule {
  id: string;
  org_id: string;
  name: string;
  enabled: boolean;
  match: RuleMatch;
  /** Events of one (source, destination, signature) within this many seconds of the incident's
   * last event join it instead of opening another. */
  group_window_seconds: number;
  /** Incident severity and confidence to set on open. */
  severity: 'High' | 'Medium' | 'Low' | 'Info';
  created_at: string;
  updated_at: string;
}

export const DEFAULT_GROUP_WINDOW_SECONDS = 3600;

/** What every org starts with, until it edits its rules. */
export function defaultRules(orgId: string, now = new Date().toISOString()): PromotionRule[] {
  const base = { org_id: orgId, enabled: true, group_window_seconds: DEFAULT_GROUP_WINDOW_SECONDS, created_at: now, updated_at: now };
  return [
    { ...base, id: `rule-${orgId}-priority-1`, name: 'Priority 1 intrusion', match: { priority_max: 1, types: ['intrusion'] }, severity: 'High' },
    { ...base, id: `rule-${orgId}-impact-1`, name: 'Impact 1: the target is vulnerable', match: { impact_max: 1 }, severity: 'High' },
    { ...base, id: `rule-${orgId}-feed-malicious`, name: 'Threat-intel feed match: Malicious', match: { feed_disposition: 'Malicious' }, severity: 'High' },
  ];
}

export function matches(rule: PromotionRule, e: StoredEvent): boolean {
  if (!rule.enabled) return false;
  const m = rule.match;
  let any = false;
  if (m.priority_max !== undefined) {
    any = true;
    const p = e.signature?.priority;
    if (p === undefined || p > m.priority_max) return false;
  }
  if (m.impact_max !== undefined) {
    any = true;
    if (e.impact === undefined || e.impact === 0 || e.impact > m.impact_max) return false;
  }
  if (m.feed_disposition !== undefined) {
    any = true;
    const want = `disposition:${m.feed_disposition}`.toLowerCase();
    if (!(e.tags ?? []).some((t) => t.toLowerCase() === want)) return false;
  }
  if (m.sids !== undefined) {
    any = true;
    if (e.signature === undefined || !m.sids.includes(e.signature.sid)) return false;
  }
  if (m.types !== undefined) {
    if (!m.types.includes(e.type)) return false;
  }
  // A rule with no condition but a type would promote every event of that type: refuse that
  // by requiring at least one real condition.
  return any;
}

/** The grouping key: one incident per (source, destination, signature) and window. */
export function groupKey(e: StoredEvent): string {
  return [e.src_ip ?? '', e.dst_ip ?? '', e.signature ? `${e.signature.gid}:${e.signature.sid}` : e.type].join('|');
}

/** What an event must show for any of these rules, or the defaults, to take it: one of the
 * conditions some enabled rule sets (a rule needs all of its own, so this admits more than the
 * rules do, never fewer). The engine asks the store for these alone. */
export function candidateFilter(rules: readonly PromotionRule[]): TailFilter {
  const f: TailFilter = { priorityMax: null, impactMax: null, tagged: false, sids: [] };
  const sids = new Set<number>();
  for (const r of [...defaultRules(''), ...rules]) {
    if (!r.enabled) continue;
    const m = r.match;
    if (m.priority_max !== undefined) f.priorityMax = Math.max(f.priorityMax ?? -Infinity, m.priority_max);
    if (m.impact_max !== undefined) f.impactMax = Math.max(f.impactMax ?? -Infinity, m.impact_max);
    if (m.feed_disposition !== undefined) f.tagged = true;
    for (const sid of m.sids ?? []) sids.add(sid);
  }
  f.sids = [...sids];
  return f;
}
