// Enrich's shared answers and call budgets on PostgreSQL (see enrich/share.ts).
// - Answers: one row per key (hashed: keys carry NUL separators, which text cannot), the docs as
//   JSON text, an expiry; expired rows are swept now and then by whichever node writes.
// - Budgets: calls per instance per minute, and a sliding estimate over the last two minutes
//   (the previous minute's count weighted by how much of it is still in the window), as the
//   one-node limit slides; a refused call is taken back so it does not eat the next window.
import { createHash } from 'node:crypto';
import type { PgDb } from '../../../exchange/store/postgres/db.js';
import type { EnrichShare } from '../../enrich/share.js';

const SWEEP_MS = 60_000;
const hashed = (key: string) => createHash('sha256').update(key).digest('base64url');

export class PgEnrichShare implements EnrichShare {
  private lastSweep = 0;

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
    const now = Date.now();
    await this.db.pool.query(
      `INSERT INTO enrich_cache (key, docs, expires_at)
       SELECT r->>0, r->>1, $2::bigint FROM jsonb_array_elements($1::jsonb) AS r
       ON CONFLICT (key) DO UPDATE SET docs = excluded.docs, expires_at = excluded.expires_at`,
      [JSON.stringify(entries.map((e) => [hashed(e.key), JSON.stringify(e.docs)])), now + ttlMs],
    );
    if (now - this.lastSweep > SWEEP_MS) {
      this.lastSweep = now;
      await this.db.pool.query('DELETE FROM enrich_cache WHERE expires_at <= $1', [now]);
      await this.db.pool.query('DELETE FROM enrich_calls WHERE minute < $1', [Math.floor(now / 60_000) - 2]);
    }
  }

  async take(instanceKey: string, perMinute: number): Promise<boolean> {
    if (perMinute <= 0) return true;
    const now = Date.now();
    const minute = Math.floor(now / 60_000);
    const key = hashed(instanceKey);
    const r = await this.db.pool.query<{ n: number; prev: number }>(
      `WITH cur AS (
         INSERT INTO enrich_calls (instance_key, minute, n) VALUES ($1, $2, 1)
         ON CONFLICT (instance_key, minute) DO UPDATE SET n = enrich_calls.n + 1 RETURNING n)
       SELECT cur.n, coalesce((SELECT n FROM enrich_calls WHERE instance_key = $1 AND minute = $2 - 1), 0) AS prev FROM cur`,
      [key, minute],
    );
    const { n, prev } = r.rows[0]!;
    const stillInWindow = 1 - (now % 60_000) / 60_000;
    if (n + Math.ceil(prev * stillInWindow) <= perMinute) return true;
    await this.db.pool.query('UPDATE enrich_calls SET n = n - 1 WHERE instance_key = $1 AND minute = $2', [key, minute]);
    return false;
  }
}
