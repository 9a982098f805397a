// Response's PostgreSQL tables, as migrations of component 'response' (migrate() in
// exchange/store/postgres/db.ts applies them). Never edit an entry that has shipped: append.
//
// Shapes follow the SQLite schema (src/response/store/sqlite/) so both backends answer alike:
// - ISO times stay TEXT so they come back as written; the ones lists sort on are COLLATE "C"
//   (byte order, as SQLite sorts), as are ids that order a list.
// - seq columns (identity) give the insertion order SQLite's rowid gives.
// - Documents are jsonb (see json.ts for the one character it refuses).

export const RESPONSE_MIGRATIONS: readonly string[] = [
  /* 1: the first schema */ `
CREATE TABLE module_instances (
  id      TEXT PRIMARY KEY,
  seq     BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  org_id  TEXT NOT NULL,
  doc     JSONB NOT NULL
);
CREATE INDEX module_instances_org ON module_instances(org_id, seq);

CREATE TABLE cursors (name TEXT PRIMARY KEY, cursor TEXT);

CREATE TABLE ctia_entities (
  seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id    TEXT NOT NULL,
  type      TEXT NOT NULL,
  short_id  TEXT NOT NULL,
  created   TEXT NOT NULL,
  modified  TEXT COLLATE "C" NOT NULL,
  doc       JSONB NOT NULL,
  UNIQUE (org_id, short_id)
);
CREATE INDEX ctia_entities_modified ON ctia_entities(org_id, type, modified);
CREATE TABLE ctia_observables (
  org_id       TEXT NOT NULL,
  entity_type  TEXT NOT NULL,
  obs_type     TEXT NOT NULL,
  obs_value    TEXT NOT NULL,
  entity_seq   BIGINT NOT NULL REFERENCES ctia_entities(seq) ON DELETE CASCADE,
  PRIMARY KEY (org_id, entity_type, obs_type, obs_value, entity_seq)
);
CREATE INDEX ctia_observables_entity ON ctia_observables(entity_seq);
CREATE TABLE ctia_relationships (
  rel_seq            BIGINT PRIMARY KEY REFERENCES ctia_entities(seq) ON DELETE CASCADE,
  org_id             TEXT NOT NULL,
  relationship_type  TEXT NOT NULL,
  source_short       TEXT NOT NULL,
  target_short       TEXT NOT NULL
);
CREATE INDEX ctia_relationships_target ON ctia_relationships(org_id, target_short, relationship_type);
CREATE INDEX ctia_relationships_source ON ctia_relationships(org_id, source_short, relationship_type);

-- The search language's building blocks (ctia-query-sql.ts). ctia_leaves: the scalar values
-- under a path, as the text String() gives in JS (ctia-query.ts's valuesAt + collect).
CREATE FUNCTION ctia_leaves(doc jsonb, path jsonpath) RETURNS SETOF text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE jsonb_typeof(v) WHEN 'string' THEN v #>> '{}' ELSE v::text END
    FROM jsonb_path_query(doc, path) AS v
   WHERE jsonb_typeof(v) IN ('string', 'number', 'boolean')
$$;
-- The words of a text, lower case, each between spaces: a phrase is in it when ' a b ' is.
CREATE FUNCTION ctia_words(t text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT ' ' || regexp_replace(lower(t), '[^[:alnum:]_]+', ' ', 'g') || ' '
$$;

CREATE TABLE device_actions (
  seq               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                TEXT NOT NULL UNIQUE,
  org_id            TEXT NOT NULL,
  type              TEXT NOT NULL,
  observable_type   TEXT NOT NULL,
  observable_value  TEXT NOT NULL,
  created_at        TEXT NOT NULL,
  created_by        TEXT NOT NULL
);
CREATE INDEX device_actions_org ON device_actions(org_id, seq);
CREATE TABLE device_action_deliveries (
  action_seq  BIGINT NOT NULL REFERENCES device_actions(seq) ON DELETE CASCADE,
  device_id   TEXT COLLATE "C" NOT NULL,
  state       TEXT NOT NULL,
  detail      TEXT,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (action_seq, device_id)
);
CREATE INDEX device_action_deliveries_device ON device_action_deliveries(device_id, state, action_seq);

CREATE TABLE incident_rules (
  id      TEXT PRIMARY KEY,
  org_id  TEXT NOT NULL,
  pos     INTEGER NOT NULL,
  doc     JSONB NOT NULL
);
CREATE INDEX incident_rules_org ON incident_rules(org_id, pos);
CREATE TABLE incident_rules_set (org_id TEXT PRIMARY KEY);
CREATE TABLE incident_groups (
  org_id       TEXT NOT NULL,
  key          TEXT NOT NULL,
  incident_id  TEXT NOT NULL,
  last_ts      BIGINT NOT NULL,
  last_event   TEXT,
  PRIMARY KEY (org_id, key)
);`,
  /* 2: enrich answers and call budgets shared by the nodes (enrich-share.ts) */ `
-- docs is JSON text, not jsonb: an answer is only ever read back whole, and text keeps it
-- exactly, NUL included.
CREATE TABLE enrich_cache (
  key         TEXT PRIMARY KEY,
  docs        TEXT NOT NULL,
  expires_at  BIGINT NOT NULL
);
CREATE INDEX enrich_cache_expires ON enrich_cache (expires_at);
CREATE TABLE enrich_calls (
  instance_key  TEXT NOT NULL,
  minute        BIGINT NOT NULL,
  n             INTEGER NOT NULL,
  PRIMARY KEY (instance_key, minute)
);`,
];
