// The histogram of an org's events by time alone, from event_minutes: whole minutes from the
// counts, the partial minutes at either end of the range counted off the (org_key, ts) index.
// A bucket is a whole number of minutes, so no minute straddles two.
import type { HistogramBucket } from '../types.js';
import type { Bind } from './events-keys.js';

/** event_minutes' unit, in ms. */
export const MINUTE = 60_000;

type Rows = { bucket: number; n: number }[];

export interface MinuteHistogramReads {
  orgKey: number;
  since: number | null;
  until: number | null;
  /** The WHERE terms, with their parameters, for the org's events in [from, to). */
  eventsWhere(from: number | null, to: number | null): { sql: string[]; params: Bind[] };
  all(sql: string, params: Bind[]): Rows;
}

export function minuteHistogram(r: MinuteHistogramReads, width: number): HistogramBucket[] {
  const buckets = new Map<number, number>();
  const addRows = (rows: Rows) => {
    for (const x of rows) buckets.set(x.bucket, (buckets.get(x.bucket) ?? 0) + x.n);
  };
  const floorTo = (col: string) => `${col} - (((${col} % ?) + ?) % ?)`;
  const exact = (from: number | null, to: number | null) => {
    if (from !== null && to !== null && from >= to) return;
    const w = r.eventsWhere(from, to);
    addRows(r.all(`SELECT ${floorTo('ts')} AS bucket, count(*) AS n FROM events WHERE ${w.sql.join(' AND ')} GROUP BY bucket`, [width, width, width, ...w.params]));
  };
  // The whole minutes of the range: from the first that starts at or after since, up to the
  // one that holds until.
  const first = r.since === null ? null : Math.ceil(r.since / MINUTE);
  const end = r.until === null ? null : Math.floor(r.until / MINUTE);
  if (first !== null && end !== null && first >= end) {
    exact(r.since, r.until);
  } else {
    if (first !== null) exact(r.since, first * MINUTE);
    if (end !== null) exact(end * MINUTE, r.until);
    const sql = ['org_key = ?'];
    const params: Bind[] = [r.orgKey];
    if (first !== null) { sql.push('minute >= ?'); params.push(first); }
    if (end !== null) { sql.push('minute < ?'); params.push(end); }
    addRows(r.all(`SELECT ${floorTo('minute * 60000')} AS bucket, sum(n) AS n FROM event_minutes WHERE ${sql.join(' AND ')} GROUP BY bucket`, [width, width, width, ...params]));
  }
  return [...buckets].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]).map(([b, n]) => ({ start: new Date(b).toISOString(), count: n }));
}
