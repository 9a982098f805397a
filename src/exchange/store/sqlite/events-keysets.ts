// The lookup index, event_key_sets (schema.ts, migration 2): the events that carry a value, as
// sets of (rowid, ts) entries, a row per set. The indexer adds a chunk's sets (KeySetChunk);
// retention takes pruned events out of them (KeySetRemover).
import type { Statement } from 'better-sqlite3';
import type { EventObservables } from '../../../events/event.js';
import type { Db } from './db.js';
import { eventKeys, type Bind } from './events-keys.js';

/** Entries a set holds at most: keeps a row small enough to rewrite when pruning, and its time
 * range narrow enough for a query to skip it. */
export const KEY_SET_MAX = 1024;

/** One value's entries among some events. */
interface ValueEntries {
  orgKey: number;
  kind: number;
  value: string | number;
  rowids: number[];
  ts: number[];
}

interface SetRow {
  first_rowid: number;
  last_rowid: number;
  min_ts: number;
  entries: string;
}

function compareValues(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Keys events on (org, kind, value): the kind keeps a sid apart from a text of the same digits. */
function groupKey(orgKey: number, kind: number, value: string | number): string {
  return `${orgKey} ${kind} ${value}`;
}

/** The lookup entries of some events (an indexer chunk, or what a prune deletes), per value. */
export class KeySetChunk {
  private readonly values = new Map<string, ValueEntries>();

  add(orgKey: number, rowid: number, ts: number, src: string | null, dst: string | null, sid: number | null, obs: EventObservables | null): void {
    eventKeys(src, dst, sid, obs, (kind, value) => {
      const k = groupKey(orgKey, kind, value);
      let g = this.values.get(k);
      if (g === undefined) {
        g = { orgKey, kind, value, rowids: [], ts: [] };
        this.values.set(k, g);
      }
      g.rowids.push(rowid);
      g.ts.push(ts);
    });
  }

  /** Per value, in key order, so that writing them visits each b-tree page once. */
  sorted(): ValueEntries[] {
    return [...this.values.values()].sort((a, b) => a.orgKey - b.orgKey || a.kind - b.kind || compareValues(a.value, b.value));
  }

  /** Inserts the sets of a chunk read in rowid order, each of at most KEY_SET_MAX entries. */
  write(insert: Statement<Bind[]>): void {
    for (const g of this.sorted()) {
      for (let at = 0; at < g.rowids.length; at += KEY_SET_MAX) {
        const end = Math.min(g.rowids.length, at + KEY_SET_MAX);
        writeSet(insert, g.orgKey, g.kind, g.value, g.rowids.slice(at, end), g.ts.slice(at, end));
      }
    }
  }
}

function writeSet(insert: Statement<Bind[]>, orgKey: number, kind: number, value: string | number, rowids: number[], ts: number[]): void {
  let first = Infinity;
  let last = -Infinity;
  let minTs = Infinity;
  let maxTs = -Infinity;
  for (let i = 0; i < rowids.length; i++) {
    const r = rowids[i] as number;
    const t = ts[i] as number;
    if (r < first) first = r;
    if (r > last) last = r;
    if (t < minTs) minTs = t;
    if (t > maxTs) maxTs = t;
  }
  const parts = new Array<string>(rowids.length);
  for (let i = 0; i < rowids.length; i++) parts[i] = `[${(rowids[i] as number) - first},${(ts[i] as number) - minTs}]`;
  insert.run(orgKey, kind, value, first, last, minTs, maxTs, rowids.length, `[${parts.join(',')}]`);
}

export function prepareKeySetInsert(db: Db): Statement<Bind[]> {
  return db.prepare<Bind[]>(
    `INSERT INTO event_key_sets (org_key, kind, value, first_rowid, last_rowid, min_ts, max_ts, n, entries)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
}

/** Takes pruned events out of their sets: each set touched is rewritten once, or deleted when
 * nothing is left in it. */
export class KeySetRemover {
  private readonly findStmt: Statement<[number, number, string | number, number], SetRow>;
  private readonly deleteStmt: Statement<[number, number, string | number, number]>;
  private readonly insertStmt: Statement<Bind[]>;

  constructor(db: Db) {
    // The set an event is in: the one with the greatest first_rowid not above its rowid.
    this.findStmt = db.prepare(
      `SELECT first_rowid, last_rowid, min_ts, entries FROM event_key_sets
        WHERE org_key = ? AND kind = ? AND value = ? AND first_rowid <= ?
        ORDER BY first_rowid DESC LIMIT 1`,
    );
    this.deleteStmt = db.prepare(
      'DELETE FROM event_key_sets WHERE org_key = ? AND kind = ? AND value = ? AND first_rowid = ?',
    );
    this.insertStmt = prepareKeySetInsert(db);
  }

  /** Inside the prune's transaction: takes the entries of the `deleted` events out. */
  remove(deleted: KeySetChunk): void {
    for (const g of deleted.sorted()) {
      const gone = g.rowids.sort((a, b) => b - a);
      // Newest first: each set found takes every rowid of the list that falls in it.
      let i = 0;
      while (i < gone.length) {
        const set = this.findStmt.get(g.orgKey, g.kind, g.value, gone[i] as number);
        if (set === undefined || set.last_rowid < (gone[i] as number)) {
          i++; // not indexed (cannot happen after catchUp): nothing to take out
          continue;
        }
        const out = new Set<number>();
        while (i < gone.length && (gone[i] as number) >= set.first_rowid) out.add(gone[i++] as number);
        this.rewrite(g, set, out);
      }
    }
  }

  private rewrite(g: ValueEntries, set: SetRow, out: Set<number>): void {
    const entries = JSON.parse(set.entries) as [number, number][];
    const base = set.first_rowid;
    const rowids: number[] = [];
    const ts: number[] = [];
    for (const [dr, dt] of entries) {
      if (out.has(base + dr)) continue;
      rowids.push(base + dr);
      ts.push(set.min_ts + dt);
    }
    this.deleteStmt.run(g.orgKey, g.kind, g.value, set.first_rowid);
    if (rowids.length > 0) writeSet(this.insertStmt, g.orgKey, g.kind, g.value, rowids, ts);
  }
}
