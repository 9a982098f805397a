// connector.log → the known faults in it: per signature and logging site, how often, first and
// last seen, whether the connector has since recovered. Only lines since the last start and in
// the last 15 minutes decide a status; older ones are evidence.
import type { EndpointRole } from '../../protocol/endpoints.js';
import type { Status } from '../check.js';
import { parseLog, type LogEntry } from './parse.js';
import { RECOVERY, SIGNATURES, SITE_ROLES, type Signature } from './signatures.js';

const RECENT_MS = 15 * 60_000;

export interface Hit {
  signature: Signature;
  /** The logging function, e.g. `events:connectWebSocket`; empty for a fragment. */
  fn: string;
  role: EndpointRole | null;
  count: number;
  recent: number;
  first: LogEntry;
  last: LogEntry;
  subjects: string[];
  /** The later line at the same site saying the fault is over. */
  recoveredAt: LogEntry | null;
  status: Status;
}

export interface LogAnalysis {
  entries: number;
  lastStart: LogEntry | null;
  /** Lines at or after this (epoch ms) are recent; null when no line has a time. */
  recentFrom: number | null;
  /** Which bound set recentFrom: the last start, or 15 minutes before the reference time. */
  recentBy: 'start' | '15min' | null;
  hits: Hit[];
}

const START = /^connector \S+ starting/;
const MAX_SUBJECTS = 5;

/** `reference` is "now" for a live connector, the log's last time for a log read offline. */
export function analyseLog(text: string, reference: 'now' | 'end' = 'now'): LogAnalysis {
  const entries = parseLog(text);
  const times = entries.map((e) => e.time).filter((t): t is number => t !== null);
  const lastStart = [...entries].reverse().find((e) => e.fn === '(*Service).Start' && START.test(e.text)) ?? null;
  const ref = reference === 'now' ? Date.now() : times.length ? Math.max(...times) : null;
  const recentFrom = ref === null ? null : Math.max(ref - RECENT_MS, lastStart?.time ?? -Infinity);
  const recentBy = recentFrom === null ? null : recentFrom === lastStart?.time ? 'start' : '15min';
  // A line with no time (a pasted fragment) cannot be placed: it counts as recent.
  const isRecent = (e: LogEntry): boolean => recentFrom === null || e.time === null || e.time >= recentFrom;

  const byKey = new Map<string, Hit & { lastIndex: number }>();
  entries.forEach((e, i) => {
    const sig = SIGNATURES.find((s) => s.pattern.test(e.text));
    if (!sig) return;
    const key = `${sig.id}@${e.fn}`;
    const subject = sig.subject?.exec(e.text)?.[1];
    const hit = byKey.get(key) ?? {
      signature: sig, fn: e.fn, role: SITE_ROLES[e.fn] ?? null, count: 0, recent: 0,
      first: e, last: e, subjects: [], recoveredAt: null, status: 'ok', lastIndex: i,
    };
    hit.count++;
    if (isRecent(e)) hit.recent++;
    hit.last = e;
    hit.lastIndex = i;
    if (subject && !hit.subjects.includes(subject) && hit.subjects.length < MAX_SUBJECTS) hit.subjects.push(subject);
    byKey.set(key, hit);
  });

  const hits = [...byKey.values()].map(({ lastIndex, ...h }) => {
    const recovery = RECOVERY[h.fn];
    const later = recovery ? entries.slice(lastIndex + 1).find((e) => e.fn === h.fn && recovery.test(e.text)) : undefined;
    const recoveredAt = later ?? null;
    const status: Status = h.recent === 0 ? 'ok' : recoveredAt ? 'warn' : h.signature.severity;
    return { ...h, recoveredAt, status };
  });
  return { entries: entries.length, lastStart, recentFrom, recentBy, hits };
}
