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

-- The hot table. No foreign keys (each would cost a lookup per insert, and events outlive
-- the device that sent them). The API id is derived from rowid ('ev-' + base36), so it needs
-- neither a column nor an index; AUTOINCREMENT keeps a rowid from ever being handed out twice,
-- even after pruning removed the newest rows, so an id never comes to mean another event.
CREATE TABLE events (
  rowid           INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id          TEXT NOT NULL,
  device_id       TEXT NOT NULL,
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
  UNIQUE (device_id, event_id)            -- the dedup key
);
-- Each filter index ends in ts (and, implicitly, rowid), so a filtered page is read newest
-- first straight off the index and stops after one page, instead of sorting every match.
CREATE INDEX events_org_ts  ON events(org_id, ts);
CREATE INDEX events_org_src ON events(org_id, src_ip, ts);
CREATE INDEX events_org_dst ON events(org_id, dst_ip, ts);
CREATE INDEX events_org_sid ON events(org_id, sid, ts);

-- The sensor-reported observables (not the addresses, which have their own columns), so that
-- observable= filters use an index. WITHOUT ROWID: the primary key is the index, one b-tree
-- instead of two. ts (the event's) is in the key so matches come newest first, like the
-- events indexes. Pruning deletes rows by their full key, rebuilt from the event row, so no
-- index on event_rowid is needed.
CREATE TABLE event_observables (
  org_id       TEXT NOT NULL,
  value        TEXT NOT NULL,
  ts           INTEGER NOT NULL,
  event_rowid  INTEGER NOT NULL,
  PRIMARY KEY (org_id, value, ts, event_rowid)
) WITHOUT ROWID;

-- Per-org event counts, kept by commit and prune in the same transactions, so count() does
-- not scan an index of millions of rows.
CREATE TABLE event_counts (
  org_id  TEXT PRIMARY KEY,
  n       INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE unique_events (
  id          INTEGER PRIMARY KEY,
  org_id      TEXT NOT NULL,
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
  UNIQUE (org_id, key)
);
CREATE INDEX unique_events_org_last ON unique_events(org_id, last_seen);
`,
];
