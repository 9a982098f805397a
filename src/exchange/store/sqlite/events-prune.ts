// Retention: deletes the oldest events, with their lookup entries and counts, in small steps
// so that ingest never waits long. The indexer must have caught up first (the caller's job):
// everything pruned must have been counted in unique_events and be in event_key_sets.
import type { Statement } from 'better-sqlite3';
import type { EventObservables } from '../../../events/event.js';
import type { Db } from './db.js';
import { KeySetChunk, KeySetRemover } from './events-keysets.js';
import { MinuteCounts } from './events-commit.js';

interface OldRow {
  rowid: number;
  ts: number;
  src_ip: string | null;
  dst_ip: string | null;
  sid: number | null;
  observables: string | null;
}

export class EventPruner {
  private readonly orgsStmt: Statement<[], number>;
  private readonly oldestStmt: Statement<[number, number, number], OldRow>;
  private readonly deleteEventStmt: Statement<[number]>;
  private readonly keySets: KeySetRemover;
  private readonly countDownStmt: Statement<[number, number]>;
  private readonly minuteDownStmt: Statement<[number, number, number]>;
  private readonly minuteDropStmt: Statement<[number, number]>;
  /** Deletes up to `limit` of the oldest events with ts < `before`, in one transaction. */
  readonly prune: (limit: number, before: number) => number;

  constructor(db: Db) {
    this.orgsStmt = db.prepare<[], number>('SELECT org_key FROM event_counts WHERE n > 0').pluck();
    this.oldestStmt = db.prepare(
      `SELECT rowid, ts, src_ip, dst_ip, sid, observables FROM events
        WHERE org_key = ? AND ts < ? ORDER BY ts, rowid LIMIT ?`,
    );
    this.deleteEventStmt = db.prepare('DELETE FROM events WHERE rowid = ?');
    this.keySets = new KeySetRemover(db);
    this.countDownStmt = db.prepare('UPDATE event_counts SET n = n - ? WHERE org_key = ?');
    this.minuteDownStmt = db.prepare('UPDATE event_minutes SET n = n - ? WHERE org_key = ? AND minute = ?');
    this.minuteDropStmt = db.prepare('DELETE FROM event_minutes WHERE org_key = ? AND minute = ? AND n <= 0');
    this.prune = db.transaction((limit: number, before: number) => this.pruneInTx(limit, before)).immediate;
  }

  private pruneInTx(limit: number, before: number): number {
    // The oldest across orgs without an index on ts alone (one more for ingest to keep up):
    // the oldest `limit` of each org off (org_key, ts), then the oldest of those.
    const candidates: (OldRow & { orgKey: number })[] = [];
    for (const orgKey of this.orgsStmt.all()) {
      for (const r of this.oldestStmt.all(orgKey, before, limit)) candidates.push({ ...r, orgKey });
    }
    candidates.sort((a, b) => a.ts - b.ts || a.rowid - b.rowid);
    if (candidates.length > limit) candidates.length = limit;
    const perOrg = new Map<number, number>();
    const deleted = new KeySetChunk();
    const minutes = new MinuteCounts();
    for (const c of candidates) {
      minutes.add(c.orgKey, c.ts);
      this.deleteEventStmt.run(c.rowid);
      const obs = c.observables === null ? null : (JSON.parse(c.observables) as EventObservables);
      deleted.add(c.orgKey, c.rowid, c.ts, c.src_ip, c.dst_ip, c.sid, obs);
      perOrg.set(c.orgKey, (perOrg.get(c.orgKey) ?? 0) + 1);
    }
    this.keySets.remove(deleted);
    for (const [orgKey, k] of perOrg) this.countDownStmt.run(k, orgKey);
    minutes.forEach((orgKey, minute, k) => {
      this.minuteDownStmt.run(k, orgKey, minute);
      this.minuteDropStmt.run(orgKey, minute);
    });
    return candidates.length;
  }
}
