// Which row names a CSV feed's columns. Most files start with it; abuse.ch's (URLhaus
// `# id,dateadded,url,…`, ThreatFox `# "first_seen_utc","ioc_id","ioc_value",…`) write it as
// the last `#` comment before the data, so that a reader skipping comments sees data only.
// Taking the first row as the header there would lose a row and miss every named column.
import { parse } from 'csv-parse/sync';
import { detectObservable } from '../indicator.js';
import type { FeedSettings } from '../settings.js';

const FIELDS = { relax_column_count: true, relax_quotes: true, trim: true } as const;

/** The fields of the `#` line right before the first record, if it could name columns (two or more). */
export function commentedHeader(text: string): string[] | null {
  let last: string | null = null;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (const raw of body.split(/\r?\n/, 1000)) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('#')) break;
    last = line.replace(/^#+/, '').trim();
  }
  if (last === null || last === '') return null;
  try {
    const [fields] = parse(last, FIELDS) as string[][];
    return fields && fields.length >= 2 ? fields : null;
  } catch {
    return null;
  }
}

export const columnAt = (header: readonly string[], name: string): number =>
  header.findIndex((h) => h.trim().toLowerCase() === name.toLowerCase());

type Columns = Pick<FeedSettings, 'column' | 'typeColumn' | 'reasonColumn'>;

const named = (s: Columns): string[] => [s.column, s.typeColumn, s.reasonColumn].filter((c): c is string => typeof c === 'string');

/**
 * The header, and whether the first row is data after all: it is when the commented line names
 * more of the columns named than the first row does, or (columns by number) when the first row's
 * value column reads as an observable, which no column heading does.
 */
export function chooseHeader(first: string[] | undefined, commented: string[] | null, s: Columns): { header: string[]; firstIsData: boolean } {
  const row = first ?? [];
  if (commented === null || first === undefined) return { header: row, firstIsData: false };
  const names = named(s);
  if (names.length > 0) {
    // The row naming more of them (a misspelt one is then reported by its own setting's name).
    const inRow = names.filter((n) => columnAt(row, n) >= 0).length;
    const inComment = names.filter((n) => columnAt(commented, n) >= 0).length;
    return inComment > inRow ? { header: commented, firstIsData: true } : { header: row, firstIsData: false };
  }
  const v = row[s.column as number];
  return v !== undefined && detectObservable(v) !== null ? { header: commented, firstIsData: true } : { header: row, firstIsData: false };
}
