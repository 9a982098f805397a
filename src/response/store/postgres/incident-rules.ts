import type { PgDb } from '../../../exchange/store/postgres/db.js';
import type { PromotionRule } from '../../incidents/rules.js';
import type { IncidentGroup, IncidentRuleStore } from '../incident-types.js';
import { jsonbText } from './json.js';
import { inTx } from './tx.js';

export class PgIncidentRuleStore implements IncidentRuleStore {
  constructor(private readonly db: PgDb) {}

  async list(orgId: string): Promise<PromotionRule[] | null> {
    const set = await this.db.pool.query('SELECT 1 FROM incident_rules_set WHERE org_id = $1', [orgId]);
    if (set.rowCount === 0) return null;
    const r = await this.db.pool.query<{ doc: PromotionRule }>('SELECT doc FROM incident_rules WHERE org_id = $1 ORDER BY pos', [orgId]);
    return r.rows.map((x) => x.doc);
  }

  async listAll(): Promise<PromotionRule[]> {
    const r = await this.db.pool.query<{ doc: PromotionRule }>('SELECT doc FROM incident_rules');
    return r.rows.map((x) => x.doc);
  }

  async get(orgId: string, id: string): Promise<PromotionRule | null> {
    const r = await this.db.pool.query<{ doc: PromotionRule }>('SELECT doc FROM incident_rules WHERE org_id = $1 AND id = $2', [orgId, id]);
    return r.rows[0]?.doc ?? null;
  }

  async put(rule: PromotionRule): Promise<void> {
    // A rule id of another org is left alone (the WHERE of the upsert), as in SQLite.
    await inTx(this.db, async (c) => {
      await c.query('INSERT INTO incident_rules_set (org_id) VALUES ($1) ON CONFLICT DO NOTHING', [rule.org_id]);
      await c.query(
        `INSERT INTO incident_rules (id, org_id, pos, doc)
         VALUES ($1, $2, (SELECT coalesce(max(pos), 0) + 1 FROM incident_rules WHERE org_id = $2), $3)
         ON CONFLICT (id) DO UPDATE SET doc = excluded.doc WHERE incident_rules.org_id = excluded.org_id`,
        [rule.id, rule.org_id, jsonbText(rule)],
      );
    });
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    const r = await this.db.pool.query('DELETE FROM incident_rules WHERE org_id = $1 AND id = $2', [orgId, id]);
    return r.rowCount === 1;
  }

  async seed(orgId: string, rules: PromotionRule[]): Promise<void> {
    // The marker row is the lock: a second node seeding at once waits on it, then finds it set.
    await inTx(this.db, async (c) => {
      const mark = await c.query('INSERT INTO incident_rules_set (org_id) VALUES ($1) ON CONFLICT DO NOTHING', [orgId]);
      if (mark.rowCount === 0) return;
      await c.query(
        `INSERT INTO incident_rules (id, org_id, pos, doc)
         SELECT id, $1, pos, doc FROM unnest($2::text[], $3::int[], $4::jsonb[]) AS r(id, pos, doc)
         ON CONFLICT DO NOTHING`,
        [orgId, rules.map((r) => r.id), rules.map((_, i) => i + 1), rules.map((r) => jsonbText(r))],
      );
    });
  }

  async group(orgId: string, key: string): Promise<IncidentGroup | null> {
    const r = await this.db.pool.query<{ incident_id: string; last_ts: number; last_event: string | null }>(
      'SELECT incident_id, last_ts, last_event FROM incident_groups WHERE org_id = $1 AND key = $2', [orgId, key]);
    const g = r.rows[0];
    if (!g) return null;
    return { incident_id: g.incident_id, last_ts: g.last_ts, ...(g.last_event !== null ? { last_event: g.last_event } : {}) };
  }

  async setGroup(orgId: string, key: string, g: IncidentGroup): Promise<void> {
    await this.db.pool.query(
      `INSERT INTO incident_groups (org_id, key, incident_id, last_ts, last_event) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (org_id, key) DO UPDATE SET incident_id = excluded.incident_id, last_ts = excluded.last_ts, last_event = excluded.last_event`,
      [orgId, key, g.incident_id, g.last_ts, g.last_event ?? null]);
  }
}
