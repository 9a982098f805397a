// Enrich's shared answers and call budgets on PostgreSQL (see enrich/share.ts).
// - Answers: one row per key (hashed: keys carry NUL separators, which text cannot), the docs
//   as JSON text, an expiry; expired rows are swept now and then by whichever node writes.
// - Budgets: calls per instance per minute, and a sliding estimate over the last two minutes
//   (the previous minute's count weighted by how much of it is still in the window), as the
//   one-node limit slides. One statement checks and counts, so nodes racing for the last call
//   of a budget cannot both get it, and a refused call is not counted.
import { createHash } from 'node:crypto';
import type { PgDb } from '../../../exchange/store/postgres/db.js';
import type { EnrichShare } from '../../enrich/share.js';

const SWEEP_MS = 60_000;
const MINUTE = 60_000;
const hashed = (key: string) => createHash('sha256').update(key).digest('base64url');

export class PgEnrichShare implements EnrichShare {
  private lastSweep = Date.now();

  constructor(private readonly db: PgDb) {}

  async cacheGet(keys: readonly string[]): Promise<Map<string, { docs: unknown; expiresAt: number }>> {
    const out = new Map<string, { docs: unknown; expiresAt: number }>();
    if (keys.length === 0) return out;
    const byHash = new Map(keys.map((k) => [hashed(k), k]));
    const r = await this.db.pool.query<{ key: string; docs: string; expires_at: string }>(
      'SELECT key, docs, expires_at FROM enrich_cache WHERE key = ANY($1::text[]) AND expires_at > $2',
      [[...byHash.keys()], Date.now()],
    );
    for (const row of r.rows) out.set(byHash.get(row.key)!, { docs: JSON.parse(row.docs), expiresAt: Number(row.expires_at) });
    return out;
  }

  async cacheSet(entries: ReadonlyArray<{ key: string; docs: unknown }>, ttlMs: number): Promise<void> {
    if (entries.length === 0 || ttlMs <= 0) return;
    // Text, not jsonb: the answer comes back exactly as the module gave it, NUL included (JSON
    // text escapes it; jsonb would refuse it).
    await this.db.pool.query(
      `INSERT INTO enrich_cache (key, docs, expires_at)
       SELECT k, d, $3::bigint FROM unnest($1::text[], $2::text[]) AS e(k, d)
       ON CONFLICT (key) DO UPDATE SET docs = excluded.docs, expires_at = excluded.expires_at`,
      [entries.map((e) => hashed(e.key)), entries.map((e) => JSON.stringify(e.docs)), Date.now() + ttlMs],
    );
    await this.sweep();
  }

  async take(instanceKey: string, perMinute: number): Promise<boolean> {
    if (perMinute <= 0) return true;
    const now = Date.now();
    const r = await this.db.pool.query(
      `WITH prev AS (
         SELECT ceil(coalesce(max(n), 0) * $4::float8) AS w FROM enrich_calls WHERE instance_key = $1 AND minute = $2 - 1)
       INSERT INTO enrich_calls (instance_key, minute, n)
       SELECT $1, $2, 1 FROM prev WHERE 1 + w <= $3
       ON CONFLICT (instance_key, minute) DO UPDATE SET n = enrich_calls.n + 1
         WHERE enrich_calls.n + 1 + (SELECT w FROM prev) <= $3
       RETURNING n`,
      [hashed(instanceKey), Math.floor(now / MINUTE), perMinute, 1 - (now % MINUTE) / MINUTE],
    );
    await this.sweep();
    return r.rowCount === 1;
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    if (now - this.lastSweep < SWEEP_MS) return;
    this.lastSweep = now;
    try {
      await this.db.pool.query('DELETE FROM enrich_cache WHERE expires_at <= $1', [now]);
      await this.db.pool.query('DELETE FROM enrich_calls WHERE minute < $1', [Math.floor(now / MINUTE) - 1]);
    } catch {
      // Not the caller's failure: its answer is stored or its call counted. Next sweep retries.
    }
  }
}
