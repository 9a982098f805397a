// What every format parser returns: the indicators, and the entries it could not use. Each
// skipped entry is counted, and the first few are kept with where they are and why, so that
// an admin reading the feed's health can tell a feed with a few odd lines from a feed read
// the wrong way (a wrong column, an unsupported type) without reading the server's log.
import type { FeedIndicator } from '../indicator.js';

export interface SkippedEntry {
  /** Where in the feed: `line 12`, `<uuid>.json attribute <uuid>`, `indicator--…`. */
  at: string;
  /** The entry as the feed has it, cut to ENTRY_CHARS. */
  entry: string;
  reason: string;
}

export interface ParseResult {
  indicators: FeedIndicator[];
  skipped: number;
  /** The first SKIPPED_KEPT skipped entries, in feed order. */
  skippedEntries: SkippedEntry[];
}

export const SKIPPED_KEPT = 20;
const ENTRY_CHARS = 200;

export function emptyResult(): ParseResult {
  return { indicators: [], skipped: 0, skippedEntries: [] };
}

export function skip(out: ParseResult, at: string, entry: string, reason: string): void {
  out.skipped++;
  if (out.skippedEntries.length >= SKIPPED_KEPT) return;
  out.skippedEntries.push({ at, entry: entry.length > ENTRY_CHARS ? `${entry.slice(0, ENTRY_CHARS)}…` : entry, reason });
}
