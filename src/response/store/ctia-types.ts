// The CTIA entity store: every CTIM entity threatlink keeps (incidents, casebooks, sightings,
// judgements, indicators, relationships) through one generic interface, CTIA's entity-centric
// pattern: a new entity type is a new key in CtiaEntities, not a new store.
//
// Every method takes the org id first; an entity of one org is invisible to every other (a
// lookup across orgs answers "not found", never "forbidden", so ids do not leak).
//
// Ids: entities keep the full id they were created with (`https://host/ctia/incident/incident-<uuid>`,
// see storedId in src/ctim/ids.ts); every method also accepts the short id (`incident-<uuid>`),
// which is what the store keys on, so a changed public URL does not orphan old entities.
//
// Incidents and their sightings (for the incident promotion engine): a sighting belongs to an
// incident through a relationship `{relationship_type: 'member-of', source_ref: <sighting id>,
// target_ref: <incident id>}`, as in CTIA/XDR. putIncidentSighting writes both (the relationship's
// id is derived from the pair, so writing the same sighting again never duplicates it) and
// incidentSightings reads them back. ctiaIncidentSink (ctia-sink.ts) adapts this to the engine's
// IncidentSink.
import type { Casebook, CtimObservable, Incident, Indicator, Judgement, Relationship, Sighting } from '../../ctim/index.js';

export const CTIA_ENTITY_TYPES = ['incident', 'casebook', 'sighting', 'judgement', 'indicator', 'relationship'] as const;
export type CtiaEntityType = (typeof CTIA_ENTITY_TYPES)[number];

export function isCtiaEntityType(s: string): s is CtiaEntityType {
  return (CTIA_ENTITY_TYPES as readonly string[]).includes(s);
}

/** An analyst's note on an incident (POST /ctia/incident/{id}/notes). */
export interface IncidentNote {
  text: string;
  /** The API client that wrote it. */
  author: string;
  time: string;
}

export interface CtiaIncident extends Incident {
  notes?: IncidentNote[];
  incident_time: Incident['incident_time'] & { remediated?: string; rejected?: string };
}

/** The document each entity type stores. */
export interface CtiaEntities {
  incident: CtiaIncident;
  casebook: Casebook;
  sighting: Sighting;
  judgement: Judgement;
  indicator: Indicator;
  relationship: Relationship;
}

/** What the store itself stamps on every entity it keeps (CTIA's stored-entity fields). */
export interface StoredFields {
  created: string;
  modified: string;
  /** The API client that last wrote it, when written through the API. */
  owner?: string;
  timestamp?: string;
}

export type CtiaDoc<K extends CtiaEntityType> = CtiaEntities[K];
export type Stored<K extends CtiaEntityType> = CtiaEntities[K] & StoredFields;

/** Types whose observables the store indexes for the by-observable lookups. */
export const OBSERVABLE_INDEXED = ['judgement', 'sighting', 'casebook'] as const;
export type ObservableIndexed = (typeof OBSERVABLE_INDEXED)[number];

export interface CtiaPageRequest {
  /** Default 100, at most MAX_LIMIT. */
  limit?: number;
  offset?: number;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 10_000;

export interface CtiaSort {
  /** A field path (`title`, `incident_time.opened`). */
  field: string;
  order: 'asc' | 'desc';
}

export interface CtiaSearch extends CtiaPageRequest {
  /** The query language of ctia-query.ts; empty or `*` matches everything. */
  query?: string;
  /** Field path → value, each an exact (case-insensitive) match, all of them required. */
  filters?: Record<string, string>;
  /** Default: most recently modified first. */
  sort?: CtiaSort[];
}

export interface CtiaPage<T> {
  data: T[];
  /** Matches in all, beyond this page too. */
  total: number;
}

/** Which relationships of one entity relationshipsOf reads (bundle export's options). */
export interface CtiaRelationshipsOf {
  /** The ends the entity may be at; both when left out. */
  ends?: Array<'source_ref' | 'target_ref'>;
  /** Only relationships whose source (target) is of one of these types. */
  source_types?: string[];
  target_types?: string[];
  limit: number;
}

/** Thrown by create when the org already has an entity with that id. */
export class CtiaIdTaken extends Error {
  constructor(readonly id: string) {
    super(`an entity with id ${id} already exists`);
  }
}

/** Thrown by search and count when the query does not parse; the message says where. */
export class CtiaQueryError extends Error {}

export interface CtiaStore {
  /** Stores a new entity (doc.id set by the caller, full or short); throws CtiaIdTaken. */
  create<K extends CtiaEntityType>(orgId: string, type: K, doc: CtiaDoc<K>): Promise<Stored<K>>;
  get<K extends CtiaEntityType>(orgId: string, type: K, id: string): Promise<Stored<K> | null>;
  /** Replaces the whole entity named by doc.id; null when the org has no such entity. */
  update<K extends CtiaEntityType>(orgId: string, type: K, doc: CtiaDoc<K>): Promise<Stored<K> | null>;
  /** Creates or replaces: the idempotent write of producers that derive their ids. */
  put<K extends CtiaEntityType>(orgId: string, type: K, doc: CtiaDoc<K>): Promise<Stored<K>>;
  /** Shallow merge of top-level fields; id and type never change. */
  patch<K extends CtiaEntityType>(orgId: string, type: K, id: string, partial: Partial<CtiaDoc<K>>): Promise<Stored<K> | null>;
  /**
   * Read-modify-write in one transaction, so two concurrent edits (two notes, two casebook
   * adds) never lose one another. `change` runs synchronously; throwing from it aborts the edit
   * and the error reaches the caller.
   */
  edit<K extends CtiaEntityType>(orgId: string, type: K, id: string, change: (cur: Stored<K>) => CtiaDoc<K>): Promise<Stored<K> | null>;
  delete(orgId: string, type: CtiaEntityType, id: string): Promise<boolean>;
  /** Throws CtiaQueryError on a bad query or sort field. */
  search<K extends CtiaEntityType>(orgId: string, type: K, q?: CtiaSearch): Promise<CtiaPage<Stored<K>>>;
  count(orgId: string, type: CtiaEntityType, q?: Pick<CtiaSearch, 'query' | 'filters'>): Promise<number>;
  /** Judgements (`observable`), sightings and casebooks (`observables`) that name the observable;
   * values of known types match in their normalized spelling. Newest first. */
  byObservable<K extends ObservableIndexed>(orgId: string, type: K, observable: CtimObservable, page?: CtiaPageRequest): Promise<CtiaPage<Stored<K>>>;
  /** byObservable for many observables at once (enrich asks for a hundred per call): per
   * observable, in the order given, its newest `limit` entities. */
  byObservables<K extends ObservableIndexed>(orgId: string, type: K, observables: CtimObservable[], limit: number): Promise<Array<Stored<K>[]>>;
  /** Entities whose `external_ids` hold any of these, compared exactly (CTIA keeps external ids
   * as keywords, so `ABC` is not `abc`), newest first: for GET /ctia/{entity}/external_id/… and
   * the bundle import's "exists". */
  byExternalIds<K extends CtiaEntityType>(orgId: string, type: K, externalIds: string[], page?: CtiaPageRequest): Promise<CtiaPage<Stored<K>>>;
  /** Relationships with the entity (by its short id, so a full id on another host still finds
   * them) at either end, or the ends asked for, newest first. */
  relationshipsOf(orgId: string, id: string, q: CtiaRelationshipsOf): Promise<Stored<'relationship'>[]>;
  /** Creates or replaces the sighting and makes it a member of the incident (see the top of
   * this file). Null when the org has no such incident; the sighting is then not written. */
  putIncidentSighting(orgId: string, incidentId: string, sighting: Sighting): Promise<Stored<'sighting'> | null>;
  /** The incident's member sightings, newest first. */
  incidentSightings(orgId: string, incidentId: string, page?: CtiaPageRequest): Promise<CtiaPage<Stored<'sighting'>>>;
}
