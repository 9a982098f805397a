// The Incident rules page's data: promotion rules as /api/v1/incident-rules holds them, and
// how their conditions and windows read in a table.
import { EVENT_TYPES } from './eventsQuery';

export const RULES_PATH = '/api/v1/incident-rules';
export const rulePath = (id: string) => `${RULES_PATH}/${encodeURIComponent(id)}`;

export const RULE_SEVERITIES = ['High', 'Medium', 'Low', 'Info'] as const;
export type RuleSeverity = typeof RULE_SEVERITIES[number];
/** The dispositions a feed gives what it lists (the server's feed_disposition values). */
export const FEED_DISPOSITIONS = ['Malicious', 'Suspicious', 'Unknown', 'Common', 'Clean'] as const;
export const RULE_EVENT_TYPES = EVENT_TYPES;
export const DEFAULT_WINDOW_SECONDS = 3600;

export interface RuleMatch {
  priority_max?: number;
  impact_max?: number;
  feed_disposition?: string;
  sids?: number[];
  types?: string[];
}

export interface PromotionRule {
  id: string;
  name: string;
  enabled: boolean;
  match: RuleMatch;
  group_window_seconds: number;
  severity: RuleSeverity;
  created_at: string;
  updated_at: string;
}

/** Each condition a rule sets, in words; an event must meet all of them. */
export function conditionsOf(m: RuleMatch): string[] {
  const out: string[] = [];
  if (m.priority_max !== undefined) out.push(m.priority_max === 1 ? 'signature priority 1' : `signature priority 1–${m.priority_max}`);
  if (m.impact_max !== undefined) out.push(m.impact_max === 1 ? 'impact 1' : `impact 1–${m.impact_max}`);
  if (m.feed_disposition !== undefined) out.push(`a feed lists it as ${m.feed_disposition}`);
  if (m.sids !== undefined) out.push(`SID ${m.sids.join(', ')}`);
  if (m.types !== undefined) out.push(`${m.types.join(' or ')} events only`);
  return out;
}

/** A window in the largest whole unit: "1 h", "10 min", "45 s"; 0 never groups. */
export function windowText(s: number): string {
  if (s === 0) return 'none: each event its own incident';
  if (s % 86400 === 0) return `${s / 86400} d`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}

/** SIDs typed as a list ("2024001, 2024002" or one a line); null when one is not a number. */
export function parseSids(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (!parts.every((p) => /^\d+$/.test(p))) return null;
  return [...new Set(parts.map(Number))];
}
