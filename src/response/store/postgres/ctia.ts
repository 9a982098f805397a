// CTIA entities on PostgreSQL: the SQLite layout (sqlite/ctia.ts) with the document in jsonb:
// one row per entity plus the side tables kept in step on every write (the observables of
// judgements, sightings and casebooks; each relationship's ends). Every write is one
// transaction, and read-modify-writes lock the row (FOR UPDATE), so edits from several nodes
// queue instead of overwriting one another. Search runs in SQL (ctia-query-sql.ts).
import type { PgDb } from '../../../exchange/store/postgres/db.js';
import type { CtimObservable, Relationship, Sighting } from '../../../ctim/index.js';
import { SCHEMA_VERSION, shortId } from '../../../ctim/index.js';
import type { CtiaStore } from '../types.js';
import {
  CtiaIdTaken, CtiaQueryError,
  type CtiaDoc, type CtiaEntityType, type CtiaPage, type CtiaPageRequest, type CtiaRelationshipsOf, type CtiaSearch, type ObservableIndexed, type Stored,
} from '../ctia-types.js';
import { FIELD_PATH, QuerySyntaxError } from '../ctia-query.js';
import { keyOf, MEMBER_OF, observablesOf, obsValue, page, siblingId, uuidOf, type Doc } from './ctia-docs.js';
import { ctiaWhere } from './ctia-query-sql.js';
import { sortTerms } from './ctia-sort.js';
import { jsonbText } from './json.js';
import { SqlParams } from './params.js';
import { inTx, type Queryable } from './tx.js';

interface Row { seq: number; doc: Doc; created: string }

const NEWEST_FIRST = 'modified DESC, seq DESC';

export class PgCtiaStore implements CtiaStore {
  constructor(private readonly db: PgDb) {}

  // ── writes, each inside the caller's transaction ─────────────────────────────────────────

  private async row(q: Queryable, orgId: string, type: string, id: string, lock = false): Promise<Row | undefined> {
    const key = shortId(id);
    if (!key.startsWith(`${type}-`)) return undefined;
    const r = await q.query<Row>(
      `SELECT seq, doc, created FROM ctia_entities WHERE org_id = $1 AND short_id = $2 AND type = $3${lock ? ' FOR UPDATE' : ''}`,
      [orgId, key, type]);
    return r.rows[0];
  }

  /** Re-derives the side-table rows of entity `seq` from its document. */
  private async index(q: Queryable, orgId: string, type: string, seq: number, doc: Doc, replacing: boolean): Promise<void> {
    if (replacing) {
      await q.query('DELETE FROM ctia_observables WHERE entity_seq = $1', [seq]);
      await q.query('DELETE FROM ctia_relationships WHERE rel_seq = $1', [seq]);
    }
    const obs = observablesOf(type, doc);
    if (obs.length > 0) {
      await q.query(
        `INSERT INTO ctia_observables (org_id, entity_type, obs_type, obs_value, entity_seq)
         SELECT $1, $2, t, v, $5 FROM unnest($3::text[], $4::text[]) AS u(t, v) ON CONFLICT DO NOTHING`,
        [orgId, type, obs.map((o) => o.type), obs.map(obsValue), seq]);
    }
    if (type === 'relationship' && typeof doc.source_ref === 'string' && typeof doc.target_ref === 'string') {
      await q.query(
        'INSERT INTO ctia_relationships (rel_seq, org_id, relationship_type, source_short, target_short) VALUES ($1, $2, $3, $4, $5)',
        [seq, orgId, String(doc.relationship_type ?? ''), shortId(doc.source_ref), shortId(doc.target_ref)]);
    }
  }

  /** A new entity, or null when the org already has one with its id. */
  private async insert(q: Queryable, orgId: string, type: string, input: Doc): Promise<Doc | null> {
    const key = keyOf(type, input);
    const now = new Date().toISOString();
    const text = jsonbText({ ...input, type, created: now, modified: now });
    const r = await q.query<{ seq: number }>(
      `INSERT INTO ctia_entities (org_id, type, short_id, created, modified, doc) VALUES ($1, $2, $3, $4, $4, $5)
       ON CONFLICT (org_id, short_id) DO NOTHING RETURNING seq`,
      [orgId, type, key, now, text]);
    if (r.rows.length === 0) return null;
    const doc = JSON.parse(text) as Doc;
    await this.index(q, orgId, type, r.rows[0]!.seq, doc, false);
    return doc;
  }

  /** Replaces the locked row `prior` (its created time stays). */
  private async replace(q: Queryable, orgId: string, type: string, prior: Row, input: Doc): Promise<Doc> {
    const now = new Date().toISOString();
    const text = jsonbText({ ...input, type, created: prior.created, modified: now });
    await q.query('UPDATE ctia_entities SET modified = $1, doc = $2 WHERE seq = $3', [now, text, prior.seq]);
    const doc = JSON.parse(text) as Doc;
    await this.index(q, orgId, type, prior.seq, doc, true);
    return doc;
  }

  /** Creates or replaces in one statement, so two nodes putting the same new id both succeed. */
  private async upsert(q: Queryable, orgId: string, type: string, input: Doc): Promise<Doc> {
    const key = keyOf(type, input);
    const now = new Date().toISOString();
    const r = await q.query<{ seq: number; created: string }>(
      `INSERT INTO ctia_entities (org_id, type, short_id, created, modified, doc) VALUES ($1, $2, $3, $4, $4, $5)
       ON CONFLICT (org_id, short_id) DO UPDATE
         SET modified = excluded.modified, doc = jsonb_set(excluded.doc, '{created}', to_jsonb(ctia_entities.created))
       RETURNING seq, created`,
      [orgId, type, key, now, jsonbText({ ...input, type, created: now, modified: now })]);
    const { seq, created } = r.rows[0]!;
    const doc = JSON.parse(jsonbText({ ...input, type, created, modified: now })) as Doc;
    await this.index(q, orgId, type, seq, doc, true);
    return doc;
  }

  private editRow(orgId: string, type: string, id: string, change: (cur: Doc) => Doc): Promise<Doc | null> {
    return inTx(this.db, async (c) => {
      const prior = await this.row(c, orgId, type, id, true);
      if (!prior) return null;
      // id and type are the row's: an edit can change anything else.
      return this.replace(c, orgId, type, prior, { ...change(prior.doc), id: prior.doc.id, type });
    });
  }

  // ── reads ────────────────────────────────────────────────────────────────────────────────

  /** ` AND <condition>` for the query and filters (their values added to `p`), or ''. */
  private where(query: string | undefined, filters: Record<string, string> | undefined, p: SqlParams): string {
    try {
      const w = ctiaWhere(query, filters, p);
      return w === null ? '' : ` AND ${w}`;
    } catch (err) {
      if (err instanceof QuerySyntaxError) throw new CtiaQueryError(err.message);
      throw err;
    }
  }

  /**
   * One page of `SELECT doc <from>` and the count of all its rows. `order` adds its own
   * parameters after the filter's, which the count alone does not need.
   */
  private async paged<T>(from: string, p: SqlParams, order: (p: SqlParams) => string, { limit, offset }: { limit: number; offset: number }): Promise<CtiaPage<T>> {
    const countParams = [...p.values];
    const by = order(p);
    const r = await this.db.pool.query<{ doc: T; total: number }>(
      `SELECT doc, count(*) OVER () AS total ${from} ORDER BY ${by} LIMIT ${p.add(limit)} OFFSET ${p.add(offset)}`, p.values);
    if (r.rows.length > 0) return { data: r.rows.map((x) => x.doc), total: r.rows[0]!.total };
    // An empty page says nothing of the total when it starts past the end or holds no rows.
    if (offset === 0 && limit > 0) return { data: [], total: 0 };
    const c = await this.db.pool.query<{ n: number }>(`SELECT count(*) AS n ${from}`, countParams);
    return { data: [], total: c.rows[0]!.n };
  }

  // ── the CtiaStore interface ──────────────────────────────────────────────────────────────

  async create<K extends CtiaEntityType>(orgId: string, type: K, doc: CtiaDoc<K>): Promise<Stored<K>> {
    const d = doc as unknown as Doc;
    const stored = await inTx(this.db, (c) => this.insert(c, orgId, type, d));
    if (!stored) throw new CtiaIdTaken(d.id);
    return stored as unknown as Stored<K>;
  }

  async get<K extends CtiaEntityType>(orgId: string, type: K, id: string): Promise<Stored<K> | null> {
    const r = await this.row(this.db.pool, orgId, type, id);
    return r ? (r.doc as unknown as Stored<K>) : null;
  }

  async update<K extends CtiaEntityType>(orgId: string, type: K, doc: CtiaDoc<K>): Promise<Stored<K> | null> {
    const d = doc as unknown as Doc;
    return this.editRow(orgId, type, String(d.id ?? ''), () => d) as unknown as Promise<Stored<K> | null>;
  }

  async put<K extends CtiaEntityType>(orgId: string, type: K, doc: CtiaDoc<K>): Promise<Stored<K>> {
    return inTx(this.db, (c) => this.upsert(c, orgId, type, doc as unknown as Doc)) as unknown as Promise<Stored<K>>;
  }

  async patch<K extends CtiaEntityType>(orgId: string, type: K, id: string, partial: Partial<CtiaDoc<K>>): Promise<Stored<K> | null> {
    return this.editRow(orgId, type, id, (cur) => ({ ...cur, ...(partial as object) })) as unknown as Promise<Stored<K> | null>;
  }

  async edit<K extends CtiaEntityType>(orgId: string, type: K, id: string, change: (cur: Stored<K>) => CtiaDoc<K>): Promise<Stored<K> | null> {
    return this.editRow(orgId, type, id, change as unknown as (cur: Doc) => Doc) as unknown as Promise<Stored<K> | null>;
  }

  async delete(orgId: string, type: CtiaEntityType, id: string): Promise<boolean> {
    const key = shortId(id);
    if (!key.startsWith(`${type}-`)) return false;
    const r = await this.db.pool.query('DELETE FROM ctia_entities WHERE org_id = $1 AND short_id = $2 AND type = $3', [orgId, key, type]);
    return r.rowCount === 1;
  }

  async search<K extends CtiaEntityType>(orgId: string, type: K, q: CtiaSearch = {}): Promise<CtiaPage<Stored<K>>> {
    for (const s of q.sort ?? []) {
      if (!FIELD_PATH.test(s.field)) throw new CtiaQueryError(`sort_by: "${s.field}" is not a field name`);
    }
    const p = new SqlParams([orgId, type]);
    const from = `FROM ctia_entities WHERE org_id = $1 AND type = $2${this.where(q.query, q.filters, p)}`;
    return this.paged(from, p, (op) => {
      const terms = (q.sort ?? []).flatMap((s) => sortTerms(op.add(s.field.split('.')), s.order));
      return [...(terms.length > 0 ? terms : ['modified DESC']), 'seq DESC'].join(', ');
    }, page(q));
  }

  async count(orgId: string, type: CtiaEntityType, q: Pick<CtiaSearch, 'query' | 'filters'> = {}): Promise<number> {
    const p = new SqlParams([orgId, type]);
    const r = await this.db.pool.query<{ n: number }>(
      `SELECT count(*) AS n FROM ctia_entities WHERE org_id = $1 AND type = $2${this.where(q.query, q.filters, p)}`, p.values);
    return r.rows[0]!.n;
  }

  async byObservable<K extends ObservableIndexed>(orgId: string, type: K, observable: CtimObservable, pr?: CtiaPageRequest): Promise<CtiaPage<Stored<K>>> {
    const p = new SqlParams([orgId, type, observable.type, obsValue(observable)]);
    const from = `FROM ctia_observables o JOIN ctia_entities e ON e.seq = o.entity_seq
                  WHERE o.org_id = $1 AND o.entity_type = $2 AND o.obs_type = $3 AND o.obs_value = $4`;
    return this.paged(from, p, () => NEWEST_FIRST, page(pr));
  }

  async byObservables<K extends ObservableIndexed>(orgId: string, type: K, observables: CtimObservable[], limit: number): Promise<Array<Stored<K>[]>> {
    const out: Array<Stored<K>[]> = observables.map(() => []);
    if (observables.length === 0 || limit <= 0) return out;
    const at = new Map<string, number[]>();
    observables.forEach((o, i) => {
      const k = `${o.type}\u0000${obsValue(o)}`;
      at.set(k, [...(at.get(k) ?? []), i]);
    });
    const uniq = [...at.keys()].map((k) => k.split('\u0000') as [string, string]);
    // One statement for all of them, each observable's newest `limit` picked in SQL: most have
    // no entity, and a round trip each is what an enrich of a hundred would pay.
    const r = await this.db.pool.query<{ obs_type: string; obs_value: string; doc: Stored<K> }>(
      `SELECT obs_type, obs_value, doc FROM (
         SELECT o.obs_type, o.obs_value, e.doc, e.modified, e.seq,
                row_number() OVER (PARTITION BY o.obs_type, o.obs_value ORDER BY e.modified DESC, e.seq DESC) AS n
           FROM ctia_observables o JOIN ctia_entities e ON e.seq = o.entity_seq
          WHERE o.org_id = $1 AND o.entity_type = $2
            AND (o.obs_type, o.obs_value) IN (SELECT * FROM unnest($3::text[], $4::text[]))
       ) ranked WHERE n <= $5 ORDER BY ${NEWEST_FIRST}`,
      [orgId, type, uniq.map((u) => u[0]), uniq.map((u) => u[1]), limit]);
    for (const row of r.rows) {
      for (const idx of at.get(`${row.obs_type}\u0000${row.obs_value}`) ?? []) out[idx]!.push(row.doc);
    }
    return out;
  }

  async byExternalIds<K extends CtiaEntityType>(orgId: string, type: K, externalIds: string[], pr?: CtiaPageRequest): Promise<CtiaPage<Stored<K>>> {
    if (externalIds.length === 0) return { data: [], total: 0 };
    // ?| is jsonb's "any of these strings is an element": exact, as CTIA's keyword field.
    const p = new SqlParams([orgId, type, externalIds]);
    const from = `FROM ctia_entities WHERE org_id = $1 AND type = $2 AND jsonb_typeof(doc->'external_ids') = 'array' AND doc->'external_ids' ?| $3::text[]`;
    return this.paged(from, p, () => NEWEST_FIRST, page(pr));
  }

  async relationshipsOf(orgId: string, id: string, q: CtiaRelationshipsOf): Promise<Stored<'relationship'>[]> {
    const ends = q.ends ?? ['source_ref', 'target_ref'];
    if (ends.length === 0) return [];
    const p = new SqlParams([orgId, shortId(id)]);
    let where = `r.org_id = $1 AND (${ends.map((e) => (e === 'source_ref' ? 'r.source_short = $2' : 'r.target_short = $2')).join(' OR ')})`;
    for (const [col, types] of [['r.source_short', q.source_types], ['r.target_short', q.target_types]] as const) {
      if (types?.length) where += ` AND ${col} LIKE ANY (${p.add(types.map((t) => `${t}-%`))}::text[])`;
    }
    const r = await this.db.pool.query<{ doc: Stored<'relationship'> }>(
      `SELECT e.doc FROM ctia_relationships r JOIN ctia_entities e ON e.seq = r.rel_seq
        WHERE ${where} ORDER BY e.modified DESC, e.seq DESC LIMIT ${p.add(q.limit)}`, p.values);
    return r.rows.map((x) => x.doc);
  }

  async putIncidentSighting(orgId: string, incidentId: string, sighting: Sighting): Promise<Stored<'sighting'> | null> {
    return inTx(this.db, async (c) => {
      // The incident's lock also queues concurrent promotions into it.
      const inc = await this.row(c, orgId, 'incident', incidentId, true);
      if (!inc) return null;
      const s = await this.upsert(c, orgId, 'sighting', sighting as unknown as Doc);
      const relId = siblingId(inc.doc.id, 'relationship', uuidOf(MEMBER_OF, shortId(s.id), shortId(inc.doc.id)));
      const rel: Relationship = {
        id: relId, type: 'relationship', schema_version: SCHEMA_VERSION, source: 'threatlink',
        relationship_type: MEMBER_OF, source_ref: s.id, target_ref: inc.doc.id,
      };
      // Null when the sighting was already a member: the relationship stays as it was.
      await this.insert(c, orgId, 'relationship', rel as unknown as Doc);
      // The incident gained evidence: it counts as modified (queues sort on that).
      await this.replace(c, orgId, 'incident', inc, inc.doc);
      return s as unknown as Stored<'sighting'>;
    });
  }

  async incidentSightings(orgId: string, incidentId: string, pr?: CtiaPageRequest): Promise<CtiaPage<Stored<'sighting'>>> {
    const p = new SqlParams([orgId, shortId(incidentId), MEMBER_OF]);
    const from = `FROM ctia_entities WHERE org_id = $1 AND type = 'sighting' AND short_id IN (
                    SELECT source_short FROM ctia_relationships WHERE org_id = $1 AND target_short = $2 AND relationship_type = $3)`;
    return this.paged(from, p, () => NEWEST_FIRST, page(pr));
  }
}
