// The SQLite schema, as an ordered list of migrations. Entry i moves the database from
// `PRAGMA user_version` i to i + 1; db.ts applies the missing ones at open, in one transaction.
// Never edit an entry that has shipped: append a new one.

export const MIGRATIONS: readonly string[] = [
  /* 1: the first schema */ `
CREATE TABLE orgs (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  cloud_events  INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE clients (
  id            TEXT PRIMARY KEY,
  org_id        TEXT NOT NULL REFERENCES orgs(id),
  name          TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'read-only')),
  secret_hash   TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  last_used_at  TEXT
);
CREATE INDEX clients_org ON clients(org_id);

CREATE TABLE access_tokens (
  token_hash    TEXT PRIMARY KEY,
  client_id     TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  org_id        TEXT NOT NULL,
  role          TEXT NOT NULL,
  expires_at    INTEGER NOT NULL          -- ms since the epoch
);
-- For the cascade: without it every client delete scans the whole token table.
CREATE INDEX access_tokens_client ON access_tokens(client_id);

CREATE TABLE registration_tokens (
  id            TEXT PRIMARY KEY,
  org_id        TEXT NOT NULL REFERENCES orgs(id),
  device_id     TEXT,
  service_type  TEXT NOT NULL,            -- JSON array of strings
  secret_hash   TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  expires_at    TEXT NOT NULL,
  uses_allowed  INTEGER NOT NULL,
  uses          INTEGER NOT NULL DEFAULT 0,
  revoked       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX registration_tokens_org ON registration_tokens(org_id);

CREATE TABLE devices (
  id               TEXT PRIMARY KEY,
  org_id           TEXT NOT NULL REFERENCES orgs(id),
  name             TEXT NOT NULL,
  hostname         TEXT NOT NULL,
  version          TEXT NOT NULL,
  service_type     TEXT NOT NULL,
  registered_at    TEXT NOT NULL,
  last_seen        TEXT,
  connection_state TEXT NOT NULL DEFAULT 'never' CHECK (connection_state IN ('connected', 'disconnected', 'never')),
  state_since      TEXT NOT NULL,
  remote_address   TEXT,
  events_received  INTEGER NOT NULL DEFAULT 0,
  events_rejected  INTEGER NOT NULL DEFAULT 0,
  last_error       TEXT,                  -- JSON {message, time}
  cloud_events     INTEGER NOT NULL DEFAULT 1,
  status           TEXT                   -- JSON object from the latest heartbeat
);
CREATE INDEX devices_org ON devices(org_id);

-- No foreign key to devices: a deleted device's certificates stay, revoked, so that its
-- serials remain known (and refused) rather than becoming unknown.
CREATE TABLE device_certs (
  serial      TEXT PRIMARY KEY,
  device_id   TEXT NOT NULL,
  org_id      TEXT NOT NULL,
  not_after   TEXT NOT NULL,
  revoked     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX device_certs_device ON device_certs(device_id);

-- Events name their org and device by small integer keys from these two tables rather than
-- by the UUIDs: the keys sit in every index entry, and a 36-byte text there doubles the size
-- of the indexes, which (measured) halves the ingest rate. Only the event store sees them.
CREATE TABLE event_orgs (
  key  INTEGER PRIMARY KEY,
  id   TEXT NOT NULL UNIQUE
);
CREATE TABLE event_devices (
  key  INTEGER PRIMARY KEY,
  id   TEXT NOT NULL UNIQUE
);

-- The hot table. No foreign keys (each would cost a lookup per insert, and events outlive
-- the device that sent them). The API id is derived from rowid ('ev-' + base36), so it needs
-- neither a column nor an index; AUTOINCREMENT keeps a rowid from ever being handed out twice,
-- even after pruning removed the newest rows, so an id never comes to mean another event.
CREATE TABLE events (
  rowid           INTEGER PRIMARY KEY AUTOINCREMENT,
  org_key         INTEGER NOT NULL,       -- event_orgs.key
  device_key      INTEGER NOT NULL,       -- event_devices.key
  event_id        TEXT NOT NULL,
  type            TEXT NOT NULL,
  ts              INTEGER NOT NULL,       -- event time, ms since the epoch
  src_ip          TEXT,
  src_port        INTEGER,
  dst_ip          TEXT,
  dst_port        INTEGER,
  protocol        TEXT,
  gid             INTEGER,
  sid             INTEGER,
  rev             INTEGER,
  message         TEXT,
  classification  TEXT,
  priority        INTEGER,
  impact          INTEGER,
  action          TEXT,
  app_proto       TEXT,
  policy          TEXT,
  observables     TEXT,                   -- JSON EventObservables
  raw             TEXT,                   -- JSON
  received_at     INTEGER NOT NULL,       -- ms since the epoch
  tags            TEXT,                   -- JSON array of strings
  UNIQUE (device_key, event_id)           -- the dedup key
);
-- The only indexes ingest keeps up inline: the dedup key above, and this one, where new
-- events land at the end (time only moves forward, mostly). Unfiltered pages, histograms and
-- pruning read it; rowid is implicitly its last column, so (ts, rowid) keyset paging works.
CREATE INDEX events_org_ts ON events(org_key, ts);

-- The lookups by src_ip, dst_ip, sid and the sensor-reported observables (domains, URLs,
-- hashes, users, file names, emails) live in this one side table, not as indexes on events.
-- An index on events is updated row by row in every commit; with random keys (addresses,
-- sids, domains, unique-event keys) each commit of 1,000 events then dirties a page per
-- distinct key in every such b-tree, written to the WAL and again at the checkpoint:
-- measured 16-26 KB written per ~1 KB event. Instead the indexer (events.ts) fills this
-- table and unique_events from the new events in large sorted chunks, in the background and
-- before any read that needs them, so a hot page is written once per chunk: 4-6.5 KB per
-- event, and 1.6x the events/s at 1,000-event commits (equal at 20,000-event commits).
-- indexed_upto says how far it has got.
--   kind: 1 src_ip, 2 dst_ip, 3 sid, 4 observable;  ts: the event's, so matches come newest
--   first like the events index.  WITHOUT ROWID: the primary key is the only b-tree.
CREATE TABLE event_keys (
  org_key      INTEGER NOT NULL,
  kind         INTEGER NOT NULL,
  value        NOT NULL,                -- no type: no affinity, text stays text, sid an integer
  ts           INTEGER NOT NULL,
  event_rowid  INTEGER NOT NULL,
  PRIMARY KEY (org_key, kind, value, ts, event_rowid)
) WITHOUT ROWID;

-- How far (by events.rowid) event_keys and unique_events have been brought up to date.
CREATE TABLE event_index_state (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  indexed_upto  INTEGER NOT NULL
);
INSERT INTO event_index_state (id, indexed_upto) VALUES (1, 0);

-- Per-org event counts, kept by commit and prune in the same transactions, so count() does
-- not scan an index of millions of rows.
CREATE TABLE event_counts (
  org_key  INTEGER PRIMARY KEY,
  n        INTEGER NOT NULL
);

-- WITHOUT ROWID: an upsert touches the primary-key b-tree and the last_seen index, not a
-- third (rowid) b-tree as well. key is a hash of the grouping fields (uniqueIdentity in
-- events.ts). Kept by the indexer, like event_keys.
CREATE TABLE unique_events (
  org_key     INTEGER NOT NULL,
  key         TEXT NOT NULL,
  type        TEXT NOT NULL,
  src_ip      TEXT,
  dst_ip      TEXT,
  gid         INTEGER,
  sid         INTEGER,
  message     TEXT,
  priority    INTEGER,
  count       INTEGER NOT NULL,
  first_seen  INTEGER NOT NULL,           -- ms
  last_seen   INTEGER NOT NULL,           -- ms
  devices     TEXT NOT NULL,              -- JSON array of device ids
  PRIMARY KEY (org_key, key)
) WITHOUT ROWID;
-- (org_key, last_seen, key): the primary key rides along in a WITHOUT ROWID index.
CREATE INDEX unique_events_org_last ON unique_events(org_key, last_seen);
`,
  /* 2: the lookup index in sets of events per value */ `
-- One row per event and value was the bulk of the indexer's work: ~4.5 b-tree inserts an event,
-- mostly for the same few addresses and sids. Now a row holds a set of up to 1,024 events
-- (rowid and time) that carry one value, from one indexer chunk: a few rows a chunk for a
-- common value, one for a rare one, as before. A value's sets never overlap in rowids, so
-- first_rowid finds the set of an event; min_ts and max_ts let a query skip whole sets.
--   entries: JSON [[rowid - first_rowid, ts - min_ts], ...].
CREATE TABLE event_key_sets (
  org_key      INTEGER NOT NULL,
  kind         INTEGER NOT NULL,
  value        NOT NULL,                -- no type, as in event_keys
  first_rowid  INTEGER NOT NULL,
  last_rowid   INTEGER NOT NULL,
  min_ts       INTEGER NOT NULL,
  max_ts       INTEGER NOT NULL,
  n            INTEGER NOT NULL,        -- entries
  entries      TEXT NOT NULL,           -- last: reading the other columns skips its pages
  PRIMARY KEY (org_key, kind, value, first_rowid)
) WITHOUT ROWID;

INSERT INTO event_key_sets (org_key, kind, value, first_rowid, last_rowid, min_ts, max_ts, n, entries)
SELECT org_key, kind, value, first, max(event_rowid), least, max(ts), count(*),
       json_group_array(json_array(event_rowid - first, ts - least))
  FROM (SELECT org_key, kind, value, ts, event_rowid, min(event_rowid) OVER w AS first, min(ts) OVER w AS least
          FROM event_keys
        WINDOW w AS (PARTITION BY org_key, kind, value, event_rowid >> 10))
 GROUP BY org_key, kind, value, first;
DROP TABLE event_keys;

-- The old shape, one row per event and value, expanded from the sets, for ad-hoc SQL and
-- tools. The queries read the sets themselves, to skip whole sets by time.
CREATE VIEW event_keys (org_key, kind, value, ts, event_rowid) AS
SELECT s.org_key, s.kind, s.value, s.min_ts + (j.value ->> 1), s.first_rowid + (j.value ->> 0)
  FROM event_key_sets s, json_each(s.entries) j;
`,
  /* 3: console users and their sessions */ `
CREATE TABLE users (
  id             TEXT PRIMARY KEY,
  org_id         TEXT NOT NULL REFERENCES orgs(id),
  username       TEXT NOT NULL UNIQUE,     -- unique across orgs: signing in names no org
  role           TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'read-only')),
  password_hash  TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  last_login_at  TEXT
);
CREATE INDEX users_org ON users(org_id);

-- id_hash: SHA-256 of the cookie's session id, so a copy of the database signs no one in.
CREATE TABLE sessions (
  id_hash       TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token    TEXT NOT NULL,
  created_at    INTEGER NOT NULL,          -- ms since the epoch, like the other times here
  expires_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
`,
  /* 4: each device's recent eventing connections */ `
-- Bounded per device by the store (the newest CONNECTION_HISTORY_KEEP rows); the cascade
-- takes a deleted device's history with it.
CREATE TABLE device_connections (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id        TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  org_id           TEXT NOT NULL,
  connected_at     TEXT NOT NULL,
  remote_address   TEXT NOT NULL,
  closed_at        TEXT,
  close_code       INTEGER,
  close_reason     TEXT,
  closed_by        TEXT CHECK (closed_by IN ('device', 'exchange', 'network')),
  version          TEXT,
  events_received  INTEGER
);
CREATE INDEX device_connections_device ON device_connections(device_id, id);
`,
  /* 5: events per org and minute, for histograms */ `
-- Kept by commit and prune in their own transactions, like event_counts: the Events page's
-- histogram over a day reads at most 1,440 rows here instead of counting every event of the day
-- off the (org_key, ts) index, which at a million events a day held the server's one thread for
-- ~0.2 s a page load (and ingest acks with it).
--   minute: floor(ts / 60000), also before 1970.
CREATE TABLE event_minutes (
  org_key  INTEGER NOT NULL,
  minute   INTEGER NOT NULL,
  n        INTEGER NOT NULL,
  PRIMARY KEY (org_key, minute)
) WITHOUT ROWID;
INSERT INTO event_minutes (org_key, minute, n)
SELECT org_key, (ts - (((ts % 60000) + 60000) % 60000)) / 60000 AS minute, count(*)
  FROM events GROUP BY org_key, minute;
`,
];
