// What every format parser returns: the indicators, and how many entries it could not use
// (reported in health, and how a refresh tells an error page from a feed).
import type { FeedIndicator } from '../indicator.js';

export interface ParseResult {
  indicators: FeedIndicator[];
  skipped: number;
}
