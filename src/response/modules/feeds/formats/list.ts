// A plain list: one observable per line. `#` and `;` start comments (whole-line or trailing);
// only the first word of a line counts, so "1.2.3.4  # C2" and "evil.com,2024-01-01" work.
import type { ObservableType } from '../../../../observables/index.js';
import { detectObservable, typedObservable, whyNot } from '../indicator.js';
import { emptyResult, skip, type ParseResult } from './result.js';

export function parseList(text: string, type?: ObservableType): ParseResult {
  const out = emptyResult();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i]!.trim();
    if (s === '' || s.startsWith('#') || s.startsWith(';') || s.startsWith('//')) continue;
    let word = s.split(/\s+/, 1)[0]!;
    // A URL may hold commas and semicolons; anything else ends at them.
    if (!word.includes('://')) word = word.split(/[,;]/, 1)[0]!;
    const o = type ? typedObservable(type, word) : detectObservable(word);
    if (o === null) skip(out, `line ${i + 1}`, s, whyNot(type, word));
    else out.indicators.push(o);
  }
  return out;
}
