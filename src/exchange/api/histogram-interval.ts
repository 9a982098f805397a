// The histogram's bucket width: as asked (`interval=5m`), or `auto`, fitted to when the matching
// events happened, so that "all time" over an afternoon is not one bar a day wide.
import type { TimeSpan } from '../store/types.js';
import { ApiError } from './errors.js';

const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const DAY = 86400;

/** `interval=300`, `5m`, `1h`, `1d` → seconds. */
export function intervalSeconds(s: string | undefined): number {
  if (!s) return 3600;
  const m = /^(\d+)([smhd]?)$/.exec(s);
  const n = m ? Number(m[1]) * (UNIT[m[2] || 's'] ?? 1) : NaN;
  if (!(n >= 1 && n <= 366 * DAY)) throw new ApiError('bad_request', `interval: "${s}" must be 1s to 366d, like 300, 5m, 1h or 1d`);
  return n;
}

/** Widths a reader takes in at a glance (seconds up to a year), each at most
 * about 2.5 times the one before, so the chosen one never leaves far fewer bars than the most. */
const WIDTHS = [
  1, 2, 5, 10, 15, 30,
  60, 120, 300, 600, 900, 1800,
  3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600,
  DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 60 * DAY, 91 * DAY, 182 * DAY, 366 * DAY,
];

/** The most bars `auto` draws: a distribution still reads at a glance, and on a phone. */
export const AUTO_MAX_BARS = 60;

/** The narrowest width that covers the span in at most AUTO_MAX_BARS buckets (which start at
 * multiples of the width, as the stores cut them). A span past 60 years gets the widest. */
export function autoIntervalSeconds(span: TimeSpan | null): number {
  if (span === null) return 3600;
  const first = Date.parse(span.first);
  const last = Date.parse(span.last);
  const bars = (w: number) => Math.floor(last / (w * 1000)) - Math.floor(first / (w * 1000)) + 1;
  return WIDTHS.find((w) => bars(w) <= AUTO_MAX_BARS) ?? (WIDTHS[WIDTHS.length - 1] as number);
}
