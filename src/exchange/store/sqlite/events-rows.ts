// Event rows as the SQLite store reads them: their API ids, the columns every event query
// selects, the array a raw-mode statement returns made a row, and the statement of a filtered
// tail().
import type { EventColumns } from '../event-columns.js';
import type { TailFilter } from '../types.js';
import type { Bind } from './events-keys.js';

/** The API id of an event: derived from its rowid, which AUTOINCREMENT never reuses. */
export function eventApiId(rowid: number): string {
  return 'ev-' + rowid.toString(36);
}

export function rowidOf(id: string): number | null {
  if (!/^ev-[0-9a-z]{1,10}$/.test(id)) return null;
  const n = parseInt(id.slice(3), 36);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

export interface EventRow extends EventColumns {
  rowid: number;
  device_key: number;
}

export const EVENT_COLUMNS =
  'rowid, device_key, event_id, type, ts, src_ip, src_port, dst_ip, dst_port, protocol, gid, sid, rev, ' +
  'message, classification, priority, impact, action, app_proto, policy, observables, raw, received_at, tags';

/** What tail() reads: EVENT_COLUMNS without raw (a consumer reading every event decides on the
 * fields, and parsing each sensor record back would cost more than all else it does), then
 * org_key, after the columns eventRowOf reads. */
export const TAIL_COLUMNS = `${EVENT_COLUMNS.replace(', raw,', ', NULL AS raw,')}, org_key`;

/**
 * An event row read as an array (better-sqlite3's raw mode), in EVENT_COLUMNS order, made an
 * EventRow here: the driver builds a row object one property at a time through V8's API, 4.8 µs
 * for these 24 columns against 2.2 µs for the array (a throwaway loop over 50,000 rows).
 */
export function eventRowOf(a: unknown[]): EventRow {
  return {
    rowid: a[0] as number,
    device_key: a[1] as number,
    event_id: a[2] as string,
    type: a[3] as EventRow['type'],
    ts: a[4] as number,
    src_ip: a[5] as string | null,
    src_port: a[6] as number | null,
    dst_ip: a[7] as string | null,
    dst_port: a[8] as number | null,
    protocol: a[9] as string | null,
    gid: a[10] as number | null,
    sid: a[11] as number | null,
    rev: a[12] as number | null,
    message: a[13] as string | null,
    classification: a[14] as string | null,
    priority: a[15] as number | null,
    impact: a[16] as number | null,
    action: a[17] as EventRow['action'],
    app_proto: a[18] as string | null,
    policy: a[19] as string | null,
    observables: a[20] as string | null,
    raw: a[21] as string | null,
    received_at: a[22] as number,
    tags: a[23] as string | null,
  };
}

/** The statement of a filtered tail: the conditions are the filter's, the values bound. */
export function tailFilterSql(f: TailFilter): { sql: string; params: Bind[] } {
  const any: string[] = [];
  const params: Bind[] = [];
  if (f.priorityMax !== null) {
    any.push('priority <= ?');
    params.push(f.priorityMax);
  }
  if (f.impactMax !== null) {
    any.push('(impact >= 1 AND impact <= ?)');
    params.push(f.impactMax);
  }
  if (f.tagged) any.push('tags IS NOT NULL');
  if (f.sids.length > 0) {
    any.push(`sid IN (${f.sids.map(() => '?').join(', ')})`);
    params.push(...f.sids);
  }
  return {
    sql: `SELECT ${TAIL_COLUMNS} FROM events WHERE rowid > ? AND rowid <= ? AND (${any.length > 0 ? any.join(' OR ') : '0'}) ORDER BY rowid`,
    params,
  };
}
