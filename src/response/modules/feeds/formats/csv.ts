// CSV: the observable is in one column (by header name or 0-based position), its type in
// another column or given by the settings or detected from the value. Lines starting with `#`
// are comments; a `#` inside a field (a URL fragment) is not.
import { parse } from 'csv-parse/sync';
import { typedObservable, observableOf } from '../indicator.js';
import type { CsvColumn, FeedSettings } from '../settings.js';
import type { ParseResult } from './result.js';

function columnIndex(col: CsvColumn, header: string[] | null, what: string): number {
  if (typeof col === 'number') return col;
  const i = header?.findIndex((h) => h.trim().toLowerCase() === col.toLowerCase()) ?? -1;
  // A feed whose columns moved is broken: better the last good copy than an empty feed.
  if (i < 0) throw new Error(`${what} ${JSON.stringify(col)} is not in the header (${(header ?? []).join(', ')})`);
  return i;
}

export function parseCsv(text: string, s: Pick<FeedSettings, 'column' | 'typeColumn' | 'header' | 'observableType'>): ParseResult {
  const rows = parse(text, {
    comment: '#', comment_no_infix: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: true, trim: true, bom: true,
  }) as string[][];
  const header = s.header ? (rows.shift() ?? []) : null;
  const col = columnIndex(s.column, header, 'column');
  const typeCol = s.typeColumn === undefined ? -1 : columnIndex(s.typeColumn, header, 'type_column');
  const out: ParseResult = { indicators: [], skipped: 0 };
  for (const row of rows) {
    const v = row[col];
    if (v === undefined || v === '') { out.skipped++; continue; }
    const o = s.observableType ? typedObservable(s.observableType, v) : observableOf(typeCol >= 0 ? row[typeCol] : undefined, v);
    if (o === null) out.skipped++;
    else out.indicators.push(o);
  }
  return out;
}
