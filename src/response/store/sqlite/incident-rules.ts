import type { Statement } from 'better-sqlite3';
import type { Db } from '../../../exchange/store/sqlite/db.js';
import type { PromotionRule } from '../../incidents/rules.js';
import type { IncidentGroup, IncidentRuleStore } from '../incident-types.js';

export const INCIDENT_MIGRATIONS: readonly string[] = [
  `CREATE TABLE incident_rules (
     id      TEXT PRIMARY KEY,
     org_id  TEXT NOT NULL,
     pos     INTEGER NOT NULL,
     doc     TEXT NOT NULL
   );
   CREATE INDEX incident_rules_org ON incident_rules(org_id, pos);
   CREATE TABLE incident_rules_set (org_id TEXT PRIMARY KEY);
   CREATE TABLE incident_groups (
     org_id       TEXT NOT NULL,
     key          TEXT NOT NULL,
     incident_id  TEXT NOT NULL,
     last_ts      INTEGER NOT NULL,
     PRIMARY KEY (org_id, key)
   ) WITHOUT ROWID;`,
  'ALTER TABLE incident_groups ADD COLUMN last_event TEXT;',
];

type GroupRow = IncidentGroup & { last_event: string | null };

export class SqliteIncidentRuleStore implements IncidentRuleStore {
  // The incident engine reads and writes a group for each promotion: prepared once (preparing
  // cost more than running them).
  private readonly groupStmt: Statement<[string, string], GroupRow>;
  private readonly setGroupStmt: Statement<[string, string, string, number, string | null]>;

  constructor(private readonly db: Db) {
    this.groupStmt = db.prepare('SELECT incident_id, last_ts, last_event FROM incident_groups WHERE org_id = ? AND key = ?');
    this.setGroupStmt = db.prepare(`INSERT INTO incident_groups (org_id, key, incident_id, last_ts, last_event) VALUES (?, ?, ?, ?, ?)
                     ON CONFLICT (org_id, key) DO UPDATE SET incident_id = excluded.incident_id, last_ts = excluded.last_ts, last_event = excluded.last_event`);
  }

  async list(orgId: string): Promise<PromotionRule[] | null> {
    const set = this.db.prepare('SELECT 1 FROM incident_rules_set WHERE org_id = ?').get(orgId);
    if (!set) return null;
    return this.db.prepare<[string], string>('SELECT doc FROM incident_rules WHERE org_id = ? ORDER BY pos').pluck().all(orgId)
      .map((d) => JSON.parse(d) as PromotionRule);
  }

  async listAll(): Promise<PromotionRule[]> {
    return this.db.prepare<[], string>('SELECT doc FROM incident_rules').pluck().all().map((d) => JSON.parse(d) as PromotionRule);
  }

  async get(orgId: string, id: string): Promise<PromotionRule | null> {
    const d = this.db.prepare<[string, string], string>('SELECT doc FROM incident_rules WHERE org_id = ? AND id = ?').pluck().get(orgId, id);
    return d === undefined ? null : (JSON.parse(d) as PromotionRule);
  }

  async put(rule: PromotionRule): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('INSERT OR IGNORE INTO incident_rules_set (org_id) VALUES (?)').run(rule.org_id);
      const pos = this.db.prepare<[string], number>('SELECT coalesce(max(pos), 0) + 1 FROM incident_rules WHERE org_id = ?').pluck().get(rule.org_id) ?? 1;
      this.db.prepare(`INSERT INTO incident_rules (id, org_id, pos, doc) VALUES (?, ?, ?, ?)
                       ON CONFLICT (id) DO UPDATE SET doc = excluded.doc WHERE org_id = excluded.org_id`)
        .run(rule.id, rule.org_id, pos, JSON.stringify(rule));
    })();
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM incident_rules WHERE org_id = ? AND id = ?').run(orgId, id).changes > 0;
  }

  async seed(orgId: string, rules: PromotionRule[]): Promise<void> {
    this.db.transaction(() => {
      if (this.db.prepare('INSERT OR IGNORE INTO incident_rules_set (org_id) VALUES (?)').run(orgId).changes === 0) return;
      const ins = this.db.prepare('INSERT OR IGNORE INTO incident_rules (id, org_id, pos, doc) VALUES (?, ?, ?, ?)');
      rules.forEach((r, i) => ins.run(r.id, orgId, i + 1, JSON.stringify(r)));
    })();
  }

  async group(orgId: string, key: string): Promise<IncidentGroup | null> {
    const r = this.groupStmt.get(orgId, key);
    if (!r) return null;
    return { incident_id: r.incident_id, last_ts: r.last_ts, ...(r.last_event !== null ? { last_event: r.last_event } : {}) };
  }

  async setGroup(orgId: string, key: string, g: IncidentGroup): Promise<void> {
    this.setGroupStmt.run(orgId, key, g.incident_id, g.last_ts, g.last_event ?? null);
  }
}
