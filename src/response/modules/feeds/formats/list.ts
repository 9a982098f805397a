// A plain list: one observable per line. `#` and `;` start comments (whole-line or trailing);
// only the first word of a line counts, so "1.2.3.4  # C2" and "evil.com,2024-01-01" work.
import type { ObservableType } from '../../../../observables/index.js';
import { detectObservable, typedObservable } from '../indicator.js';
import type { ParseResult } from './result.js';

export function parseList(text: string, type?: ObservableType): ParseResult {
  const out: ParseResult = { indicators: [], skipped: 0 };
  for (const line of text.split(/\r?\n/)) {
    const s = line.trim();
    if (s === '' || s.startsWith('#') || s.startsWith(';') || s.startsWith('//')) continue;
    let word = s.split(/\s+/, 1)[0]!;
    // A URL may hold commas and semicolons; anything else ends at them.
    if (!word.includes('://')) word = word.split(/[,;]/, 1)[0]!;
    const o = type ? typedObservable(type, word) : detectObservable(word);
    if (o === null) out.skipped++;
    else out.indicators.push(o);
  }
  return out;
}
