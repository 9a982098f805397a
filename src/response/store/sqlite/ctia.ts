// CTIA entities in SQLite: one row per entity with the document as JSON, plus two side tables
// kept in step on every write: the observables each judgement, sighting and casebook names (for
// GET /ctia/{type}/{value}/…) and each relationship's ends (for an incident's sightings).
// Search filters with a JS function over the document (ctia-query.ts) while SQL does the org,
// type, order and paging.
import type { Statement } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type { Db } from '../../../exchange/store/sqlite/db.js';
import type { CtimObservable, Relationship, Sighting } from '../../../ctim/index.js';
import { SCHEMA_VERSION, shortId } from '../../../ctim/index.js';
import { isObservableType, normalizeObservable } from '../../../observables/index.js';
import type { CtiaStore } from '../types.js';
import {
  CtiaIdTaken, CtiaQueryError, DEFAULT_LIMIT, MAX_LIMIT, OBSERVABLE_INDEXED,
  type CtiaDoc, type CtiaEntityType, type CtiaPage, type CtiaPageRequest, type CtiaRelationshipsOf, type CtiaSearch, type ObservableIndexed, type Stored,
} from '../ctia-types.js';
import { compileQuery, FIELD_PATH, QuerySyntaxError, type Matcher } from '../ctia-query.js';

export const CTIA_MIGRATIONS: readonly string[] = [
  // seq: a stable integer key for the side tables (and their ON DELETE CASCADE), while the API's
  // key is (org, short id).
  `CREATE TABLE ctia_entities (
     seq       INTEGER PRIMARY KEY,
     org_id    TEXT NOT NULL,
     type      TEXT NOT NULL,
     short_id  TEXT NOT NULL,
     created   TEXT NOT NULL,
     modified  TEXT NOT NULL,
     doc       TEXT NOT NULL,
     UNIQUE (org_id, short_id)
   );
   CREATE INDEX ctia_entities_modified ON ctia_entities(org_id, type, modified);
   CREATE TABLE ctia_observables (
     org_id       TEXT NOT NULL,
     entity_type  TEXT NOT NULL,
     obs_type     TEXT NOT NULL,
     obs_value    TEXT NOT NULL,
     entity_seq   INTEGER NOT NULL REFERENCES ctia_entities(seq) ON DELETE CASCADE,
     PRIMARY KEY (org_id, entity_type, obs_type, obs_value, entity_seq)
   ) WITHOUT ROWID;
   CREATE INDEX ctia_observables_entity ON ctia_observables(entity_seq);
   CREATE TABLE ctia_relationships (
     rel_seq            INTEGER PRIMARY KEY REFERENCES ctia_entities(seq) ON DELETE CASCADE,
     org_id             TEXT NOT NULL,
     relationship_type  TEXT NOT NULL,
     source_short       TEXT NOT NULL,
     target_short       TEXT NOT NULL
   );
   CREATE INDEX ctia_relationships_target ON ctia_relationships(org_id, target_short, relationship_type);
   CREATE INDEX ctia_relationships_source ON ctia_relationships(org_id, source_short, relationship_type);`,
];

type Doc = Record<string, unknown> & { id: string; type: string };
interface Row { seq: number; doc: string; created: string }

const MEMBER_OF = 'member-of';

/** The observables an entity is found by, or none for types not indexed. */
function observablesOf(type: string, doc: Doc): CtimObservable[] {
  if (!(OBSERVABLE_INDEXED as readonly string[]).includes(type)) return [];
  const raw = type === 'judgement' ? [doc.observable] : Array.isArray(doc.observables) ? doc.observables : [];
  return raw.filter((o): o is CtimObservable => typeof (o as CtimObservable)?.type === 'string' && typeof (o as CtimObservable)?.value === 'string');
}

/** The spelling the side table keys on, so `EVIL.example.com` finds `evil.example.com`. */
function obsValue(o: CtimObservable): string {
  const v = isObservableType(o.type) ? normalizeObservable(o.type, o.value) : null;
  return v ?? o.value.trim();
}

function uuidOf(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** An id of another type on the same server as `id` (full when `id` is, short when it is short). */
function siblingId(id: string, type: string, uuid: string): string {
  const i = id.lastIndexOf('/ctia/');
  return i < 0 ? `${type}-${uuid}` : `${id.slice(0, i)}/ctia/${type}/${type}-${uuid}`;
}

function page(p: CtiaPageRequest | undefined): { limit: number; offset: number } {
  const limit = Math.min(Math.max(Math.trunc(p?.limit ?? DEFAULT_LIMIT), 0), MAX_LIMIT);
  return { limit, offset: Math.max(Math.trunc(p?.offset ?? 0), 0) };
}

export class SqliteCtiaStore implements CtiaStore {
  /** Queries in flight, by token: SQL calls ctia_match(token, doc). better-sqlite3 runs a
   * statement to completion synchronously, but a token per search keeps this re-entrant anyway. */
  private readonly matchers = new Map<number, Matcher>();
  private nextToken = 1;

  /** Prepared statements by SQL text: preparing costs more than running these lookups. Search
   * builds its SQL from the query, so the cache is bounded. */
  private readonly statements = new Map<string, Statement>();

  private prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R> {
    let st = this.statements.get(sql);
    if (st === undefined) {
      if (this.statements.size >= 500) this.statements.clear();
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st as unknown as Statement<P, R>;
  }

  constructor(readonly db: Db) {
    db.function('ctia_match', { deterministic: false }, (token: unknown, doc: unknown) => {
      const m = this.matchers.get(Number(token));
      return m && m(JSON.parse(String(doc))) ? 1 : 0;
    });
  }

  // ── sync core: every public method is one of these, some inside a transaction ───────────

  private row(orgId: string, type: string, id: string): Row | undefined {
    const key = shortId(id);
    if (!key.startsWith(`${type}-`)) return undefined;
    return this.prepare<[string, string, string], Row>('SELECT seq, doc, created FROM ctia_entities WHERE org_id = ? AND short_id = ? AND type = ?')
      .get(orgId, key, type);
  }

  private keyOf(type: string, doc: Doc): string {
    const key = shortId(String(doc.id ?? ''));
    if (!key.startsWith(`${type}-`) || key.length === type.length + 1) throw new Error(`ctia: a ${type} needs an id "${type}-…" or ".../ctia/${type}/${type}-…", not "${String(doc.id)}"`);
    return key;
  }

  /** Inserts (seq undefined) or replaces the row, and re-derives its side-table rows. */
  private write(orgId: string, type: string, input: Doc, prior: Row | undefined): Doc {
    const key = this.keyOf(type, input);
    const now = new Date().toISOString();
    const created = prior?.created ?? now;
    const doc: Doc = { ...input, type, created, modified: now };
    const json = JSON.stringify(doc);
    let seq: number;
    if (prior) {
      this.prepare('UPDATE ctia_entities SET modified = ?, doc = ? WHERE seq = ?').run(now, json, prior.seq);
      seq = prior.seq;
      this.prepare('DELETE FROM ctia_relationships WHERE rel_seq = ?').run(seq);
    } else {
      seq = Number(this.prepare('INSERT INTO ctia_entities (org_id, type, short_id, created, modified, doc) VALUES (?, ?, ?, ?, ?, ?)')
        .run(orgId, type, key, created, now, json).lastInsertRowid);
    }
    this.writeObservables(orgId, type, seq, observablesOf(type, doc), prior !== undefined);
    if (type === 'relationship' && typeof doc.source_ref === 'string' && typeof doc.target_ref === 'string') {
      this.prepare('INSERT INTO ctia_relationships (rel_seq, org_id, relationship_type, source_short, target_short) VALUES (?, ?, ?, ?, ?)')
        .run(seq, orgId, String(doc.relationship_type ?? ''), shortId(doc.source_ref), shortId(doc.target_ref));
    }
    return doc;
  }

  /** Brings the entity's side-table rows to `list`, touching only what changed: a sighting the
   * incident engine grows keeps most of its observables, and deleting and re-inserting them
   * all was most of the cost of each write (measured: ~0.7 of ~1.2 ms for 34 observables). */
  private writeObservables(orgId: string, type: string, seq: number, list: CtimObservable[], existed: boolean): void {
    const want = new Map<string, [string, string]>();
    for (const o of list) {
      const v = obsValue(o);
      want.set(`${o.type}\u0000${v}`, [o.type, v]);
    }
    if (existed) {
      const del = this.prepare('DELETE FROM ctia_observables WHERE org_id = ? AND entity_type = ? AND obs_type = ? AND obs_value = ? AND entity_seq = ?');
      const have = this.prepare<[number], [string, string]>('SELECT obs_type, obs_value FROM ctia_observables WHERE entity_seq = ?').raw().all(seq);
      for (const [t, v] of have) {
        if (!want.delete(`${t}\u0000${v}`)) del.run(orgId, type, t, v, seq);
      }
    }
    const ins = this.prepare('INSERT OR IGNORE INTO ctia_observables (org_id, entity_type, obs_type, obs_value, entity_seq) VALUES (?, ?, ?, ?, ?)');
    for (const [t, v] of want.values()) ins.run(orgId, type, t, v, seq);
  }

  private createSync(orgId: string, type: string, doc: Doc): Doc {
    const key = this.keyOf(type, doc);
    const taken = this.prepare('SELECT 1 FROM ctia_entities WHERE org_id = ? AND short_id = ?').get(orgId, key);
    if (taken) throw new CtiaIdTaken(doc.id);
    return this.write(orgId, type, doc, undefined);
  }

  private putSync(orgId: string, type: string, doc: Doc): Doc {
    return this.write(orgId, type, doc, this.row(orgId, type, this.keyOf(type, doc)));
  }

  private editSync(orgId: string, type: string, id: string, change: (cur: Doc) => Doc): Doc | null {
    const prior = this.row(orgId, type, id);
    if (!prior) return null;
    const cur = JSON.parse(prior.doc) as Doc;
    // id and type are the row's: an edit can change anything else.
    return this.write(orgId, type, { ...change(cur), id: cur.id, type }, prior);
  }

  private matcher<T>(query: string | undefined, filters: Record<string, string> | undefined, run: (where: string, params: unknown[]) => T): T {
    let q: ReturnType<typeof compileQuery>;
    try {
      q = compileQuery(query, filters);
    } catch (err) {
      if (err instanceof QuerySyntaxError) throw new CtiaQueryError(err.message);
      throw err;
    }
    if (q.all) return run('', []);
    const token = this.nextToken++;
    this.matchers.set(token, q.match);
    try {
      return run(' AND ctia_match(?, doc)', [token]);
    } finally {
      this.matchers.delete(token);
    }
  }

  // ── the CtiaStore interface ──────────────────────────────────────────────────────────────

  async create<K extends CtiaEntityType>(orgId: string, type: K, doc: CtiaDoc<K>): Promise<Stored<K>> {
    return this.db.transaction(() => this.createSync(orgId, type, doc as unknown as Doc))() as unknown as Stored<K>;
  }

  async get<K extends CtiaEntityType>(orgId: string, type: K, id: string): Promise<Stored<K> | null> {
    const r = this.row(orgId, type, id);
    return r ? (JSON.parse(r.doc) as Stored<K>) : null;
  }

  async update<K extends CtiaEntityType>(orgId: string, type: K, doc: CtiaDoc<K>): Promise<Stored<K> | null> {
    const d = doc as unknown as Doc;
    return this.db.transaction(() => this.editSync(orgId, type, String(d.id ?? ''), () => d))() as unknown as Stored<K> | null;
  }

  async put<K extends CtiaEntityType>(orgId: string, type: K, doc: CtiaDoc<K>): Promise<Stored<K>> {
    return this.db.transaction(() => this.putSync(orgId, type, doc as unknown as Doc))() as unknown as Stored<K>;
  }

  async patch<K extends CtiaEntityType>(orgId: string, type: K, id: string, partial: Partial<CtiaDoc<K>>): Promise<Stored<K> | null> {
    return this.db.transaction(() => this.editSync(orgId, type, id, (cur) => ({ ...cur, ...(partial as object) })))() as unknown as Stored<K> | null;
  }

  async edit<K extends CtiaEntityType>(orgId: string, type: K, id: string, change: (cur: Stored<K>) => CtiaDoc<K>): Promise<Stored<K> | null> {
    const f = change as unknown as (cur: Doc) => Doc;
    return this.db.transaction(() => this.editSync(orgId, type, id, f))() as unknown as Stored<K> | null;
  }

  async delete(orgId: string, type: CtiaEntityType, id: string): Promise<boolean> {
    const key = shortId(id);
    if (!key.startsWith(`${type}-`)) return false;
    return this.prepare('DELETE FROM ctia_entities WHERE org_id = ? AND short_id = ? AND type = ?').run(orgId, key, type).changes > 0;
  }

  async search<K extends CtiaEntityType>(orgId: string, type: K, q: CtiaSearch = {}): Promise<CtiaPage<Stored<K>>> {
    const { limit, offset } = page(q);
    const order: string[] = [];
    const orderParams: string[] = [];
    for (const s of q.sort ?? []) {
      if (!FIELD_PATH.test(s.field)) throw new CtiaQueryError(`sort_by: "${s.field}" is not a field name`);
      order.push(`json_extract(doc, ?) ${s.order === 'desc' ? 'DESC' : 'ASC'}`);
      orderParams.push(`$.${s.field}`);
    }
    if (order.length === 0) order.push('modified DESC');
    order.push('seq DESC');
    return this.matcher(q.query, q.filters, (where, params) => {
      const base = `FROM ctia_entities WHERE org_id = ? AND type = ?${where}`;
      const total = this.prepare(`SELECT count(*) ${base}`).pluck().get(orgId, type, ...params) as number;
      const data = limit === 0 || offset >= total ? [] : this.prepare(`SELECT doc ${base} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`).pluck()
        .all(orgId, type, ...params, ...orderParams, limit, offset) as string[];
      return { data: data.map((d) => JSON.parse(d) as Stored<K>), total };
    });
  }

  async count(orgId: string, type: CtiaEntityType, q: Pick<CtiaSearch, 'query' | 'filters'> = {}): Promise<number> {
    return this.matcher(q.query, q.filters, (where, params) =>
      this.prepare(`SELECT count(*) FROM ctia_entities WHERE org_id = ? AND type = ?${where}`).pluck().get(orgId, type, ...params) as number);
  }

  async byObservable<K extends ObservableIndexed>(orgId: string, type: K, observable: CtimObservable, p?: CtiaPageRequest): Promise<CtiaPage<Stored<K>>> {
    const { limit, offset } = page(p);
    const args = [orgId, type, observable.type, obsValue(observable)];
    const from = `FROM ctia_observables o JOIN ctia_entities e ON e.seq = o.entity_seq
                  WHERE o.org_id = ? AND o.entity_type = ? AND o.obs_type = ? AND o.obs_value = ?`;
    const total = this.prepare(`SELECT count(*) ${from}`).pluck().get(...args) as number;
    const data = this.prepare(`SELECT e.doc ${from} ORDER BY e.modified DESC, e.seq DESC LIMIT ? OFFSET ?`).pluck().all(...args, limit, offset) as string[];
    return { data: data.map((d) => JSON.parse(d) as Stored<K>), total };
  }

  async byObservables<K extends ObservableIndexed>(orgId: string, type: K, observables: CtimObservable[], limit: number): Promise<Array<Stored<K>[]>> {
    const out: Array<Stored<K>[]> = observables.map(() => []);
    if (observables.length === 0) return out;
    const keys = observables.map((o) => `${o.type}\u0000${obsValue(o)}`);
    const at = new Map<string, number[]>();
    keys.forEach((k, i) => at.set(k, [...(at.get(k) ?? []), i]));
    // One statement per chunk of observables, not one per observable: most have no entity, and
    // the lookups' fixed cost is what an enrich of a hundred observables would pay.
    const uniq = [...at.keys()];
    for (let i = 0; i < uniq.length; i += 200) {
      const chunk = uniq.slice(i, i + 200);
      const rows = this.prepare<unknown[], { obs_type: string; obs_value: string; doc: string }>(
        `SELECT o.obs_type, o.obs_value, e.doc FROM ctia_observables o JOIN ctia_entities e ON e.seq = o.entity_seq
         WHERE o.org_id = ? AND o.entity_type = ? AND (o.obs_type, o.obs_value) IN (VALUES ${chunk.map(() => '(?, ?)').join(', ')})
         ORDER BY e.modified DESC, e.seq DESC`,
      ).all(orgId, type, ...chunk.flatMap((k) => k.split('\u0000')));
      for (const r of rows) {
        for (const idx of at.get(`${r.obs_type}\u0000${r.obs_value}`) ?? []) {
          if (out[idx]!.length < limit) out[idx]!.push(JSON.parse(r.doc) as Stored<K>);
        }
      }
    }
    return out;
  }

  async byExternalIds<K extends CtiaEntityType>(orgId: string, type: K, externalIds: string[], p?: CtiaPageRequest): Promise<CtiaPage<Stored<K>>> {
    const { limit, offset } = page(p);
    if (externalIds.length === 0) return { data: [], total: 0 };
    // The ids go in as one JSON array, so their number never meets SQLite's parameter limit.
    const from = `FROM ctia_entities WHERE org_id = ? AND type = ? AND EXISTS (
                    SELECT 1 FROM json_each(doc, '$.external_ids') x
                     WHERE x.type = 'text' AND x.value IN (SELECT value FROM json_each(?)))`;
    const args = [orgId, type, JSON.stringify(externalIds)];
    const total = this.prepare(`SELECT count(*) ${from}`).pluck().get(...args) as number;
    const data = limit === 0 || offset >= total ? [] : this.prepare(`SELECT doc ${from} ORDER BY modified DESC, seq DESC LIMIT ? OFFSET ?`).pluck()
      .all(...args, limit, offset) as string[];
    return { data: data.map((d) => JSON.parse(d) as Stored<K>), total };
  }

  async relationshipsOf(orgId: string, id: string, q: CtiaRelationshipsOf): Promise<Stored<'relationship'>[]> {
    const key = shortId(id);
    const ends = q.ends ?? ['source_ref', 'target_ref'];
    const args: unknown[] = [orgId];
    const at = ends.map((e) => { args.push(key); return e === 'source_ref' ? 'r.source_short = ?' : 'r.target_short = ?'; });
    if (at.length === 0) return [];
    let where = `r.org_id = ? AND (${at.join(' OR ')})`;
    for (const [col, types] of [['r.source_short', q.source_types], ['r.target_short', q.target_types]] as const) {
      if (!types?.length) continue;
      where += ` AND (${types.map((t) => { args.push(`${t}-%`); return `${col} LIKE ?`; }).join(' OR ')})`;
    }
    const rows = this.prepare(`SELECT e.doc FROM ctia_relationships r JOIN ctia_entities e ON e.seq = r.rel_seq
                               WHERE ${where} ORDER BY e.modified DESC, e.seq DESC LIMIT ?`).pluck().all(...args, q.limit) as string[];
    return rows.map((d) => JSON.parse(d) as Stored<'relationship'>);
  }

  async putIncidentSighting(orgId: string, incidentId: string, sighting: Sighting): Promise<Stored<'sighting'> | null> {
    return this.db.transaction(() => {
      const inc = this.row(orgId, 'incident', incidentId);
      if (!inc) return null;
      const s = this.putSync(orgId, 'sighting', sighting as unknown as Doc);
      const incDoc = JSON.parse(inc.doc) as Doc;
      const relId = siblingId(incDoc.id, 'relationship', uuidOf(MEMBER_OF, shortId(s.id), shortId(incDoc.id)));
      if (!this.row(orgId, 'relationship', relId)) {
        const rel: Relationship = {
          id: relId, type: 'relationship', schema_version: SCHEMA_VERSION, source: 'threatlink',
          relationship_type: MEMBER_OF, source_ref: s.id, target_ref: incDoc.id,
        };
        this.write(orgId, 'relationship', rel as unknown as Doc, undefined);
      }
      // The incident gained evidence: it counts as modified (queues sort on that).
      this.write(orgId, 'incident', incDoc, inc);
      return s as unknown as Stored<'sighting'>;
    })();
  }

  async incidentSightings(orgId: string, incidentId: string, p?: CtiaPageRequest): Promise<CtiaPage<Stored<'sighting'>>> {
    const { limit, offset } = page(p);
    const from = `FROM ctia_relationships r JOIN ctia_entities e ON e.org_id = r.org_id AND e.short_id = r.source_short
                  WHERE r.org_id = ? AND r.target_short = ? AND r.relationship_type = ? AND e.type = 'sighting'`;
    const args = [orgId, shortId(incidentId), MEMBER_OF];
    const total = this.prepare(`SELECT count(DISTINCT e.seq) ${from}`).pluck().get(...args) as number;
    const data = this.prepare(`SELECT DISTINCT e.doc, e.modified, e.seq ${from} ORDER BY e.modified DESC, e.seq DESC LIMIT ? OFFSET ?`)
      .all(...args, limit, offset) as Array<{ doc: string }>;
    return { data: data.map((r) => JSON.parse(r.doc) as Stored<'sighting'>), total };
  }
}
