// CSV: the observable is in one column (by header name or 0-based position), its type in
// another column or given by the settings or detected from the value. Lines starting with `#`
// are comments; a `#` inside a field (a URL fragment) is not. The header row may itself be
// such a comment (csv-header.ts).
import { parse } from 'csv-parse/sync';
import type { ObservableType } from '../../../../observables/index.js';
import { typedObservable, observableOf, reasonText, typeFromName, whyNot } from '../indicator.js';
import type { CsvColumn, FeedSettings } from '../settings.js';
import { emptyResult, skip, type ParseResult } from './result.js';
import { chooseHeader, columnAt, commentedHeader } from './csv-header.js';

interface Row { record: string[]; info: { lines: number } }

function columnIndex(col: CsvColumn, header: string[] | null, what: string): number {
  if (typeof col === 'number') return col;
  const i = header === null ? -1 : columnAt(header, col);
  // A feed whose columns moved is broken: better the last good copy than an empty feed.
  if (i < 0) throw new Error(`${what} ${JSON.stringify(col)} is not in the header (${(header ?? []).join(', ')})`);
  return i;
}

function reason(setting: ObservableType | undefined, typeName: string | undefined, v: string): string {
  if (setting) return whyNot(setting, v);
  const t = typeName === undefined ? null : typeFromName(typeName);
  if (t !== null) return whyNot(t, v);
  const why = whyNot(undefined, v);
  return typeName === undefined || typeName === '' ? why : `${why} (type ${JSON.stringify(typeName)} is not one feeds know)`;
}

export function parseCsv(text: string, s: Pick<FeedSettings, 'column' | 'typeColumn' | 'reasonColumn' | 'header' | 'observableType'>): ParseResult {
  const rows = parse(text, {
    comment: '#', comment_no_infix: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: true, trim: true, bom: true,
    info: true,
  }) as unknown as Row[];
  let header: string[] | null = null;
  if (s.header) {
    const chosen = chooseHeader(rows[0]?.record, commentedHeader(text), s);
    header = chosen.header;
    if (!chosen.firstIsData) rows.shift();
  }
  const col = columnIndex(s.column, header, 'column');
  const typeCol = s.typeColumn === undefined ? -1 : columnIndex(s.typeColumn, header, 'type_column');
  const reasonCol = s.reasonColumn === undefined ? -1 : columnIndex(s.reasonColumn, header, 'reason_column');
  const out = emptyResult();
  for (const { record: row, info } of rows) {
    // The line the record ends on: a quoted field may span lines.
    const at = `line ${info.lines}`;
    const v = row[col];
    if (v === undefined || v === '') {
      skip(out, at, row.join(','), `column ${header?.[col] ?? col} is empty`);
      continue;
    }
    const typeName = typeCol >= 0 ? row[typeCol] : undefined;
    const o = s.observableType ? typedObservable(s.observableType, v) : observableOf(typeName, v);
    if (o === null) {
      skip(out, at, row.join(','), reason(s.observableType, typeName, v));
      continue;
    }
    const why = reasonCol >= 0 ? row[reasonCol] : undefined;
    out.indicators.push(why ? { ...o, reason: reasonText(why) } : o);
  }
  return out;
}
