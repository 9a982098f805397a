// The exchange's PostgreSQL tables (everything but events), as migrations of component
// 'exchange' (db.ts applies them). Never edit an entry that has shipped: append a new one.
//
// Shapes follow the SQLite schema so both backends answer alike:
// - Times the interfaces hand out as ISO strings stay TEXT, so a value comes back exactly as it
//   was written (a timestamptz would normalise it); ms times are BIGINT.
// - JSON stays TEXT holding JSON.stringify's output: a device's heartbeat status is untrusted,
//   and jsonb refuses \u0000, which JSON.stringify writes and SQLite keeps.
// - Columns that lists are ordered by are COLLATE "C": byte order, like SQLite, whatever
//   locale the database was created with.

export const EXCHANGE_MIGRATIONS: readonly string[] = [
  /* 1: the first schema */ `
CREATE TABLE orgs (
  id            TEXT COLLATE "C" PRIMARY KEY,
  name          TEXT NOT NULL,
  created_at    TEXT COLLATE "C" NOT NULL,
  cloud_events  BOOLEAN NOT NULL DEFAULT true
);

CREATE TABLE clients (
  id            TEXT COLLATE "C" PRIMARY KEY,
  org_id        TEXT NOT NULL REFERENCES orgs(id),
  name          TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'read-only')),
  secret_hash   TEXT NOT NULL,
  created_at    TEXT COLLATE "C" NOT NULL,
  last_used_at  TEXT
);
CREATE INDEX clients_org ON clients(org_id);

CREATE TABLE access_tokens (
  token_hash    TEXT PRIMARY KEY,
  client_id     TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  org_id        TEXT NOT NULL,
  role          TEXT NOT NULL,
  expires_at    BIGINT NOT NULL           -- ms since the epoch
);
-- For the cascade: without it every client delete scans the whole token table.
CREATE INDEX access_tokens_client ON access_tokens(client_id);

CREATE TABLE registration_tokens (
  id            TEXT COLLATE "C" PRIMARY KEY,
  org_id        TEXT NOT NULL REFERENCES orgs(id),
  device_id     TEXT,
  service_type  TEXT NOT NULL,            -- JSON array of strings
  secret_hash   TEXT NOT NULL,
  created_at    TEXT COLLATE "C" NOT NULL,
  expires_at    TEXT NOT NULL,
  uses_allowed  INTEGER NOT NULL,
  uses          INTEGER NOT NULL DEFAULT 0,
  revoked       BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX registration_tokens_org ON registration_tokens(org_id);

CREATE TABLE devices (
  id               TEXT COLLATE "C" PRIMARY KEY,
  org_id           TEXT NOT NULL REFERENCES orgs(id),
  name             TEXT COLLATE "C" NOT NULL,
  hostname         TEXT NOT NULL,
  version          TEXT NOT NULL,
  service_type     TEXT NOT NULL,
  registered_at    TEXT NOT NULL,
  last_seen        TEXT,
  connection_state TEXT NOT NULL DEFAULT 'never' CHECK (connection_state IN ('connected', 'disconnected', 'never')),
  state_since      TEXT NOT NULL,
  remote_address   TEXT,
  events_received  BIGINT NOT NULL DEFAULT 0,
  events_rejected  BIGINT NOT NULL DEFAULT 0,
  last_error       TEXT,                  -- JSON {message, time}
  cloud_events     BOOLEAN NOT NULL DEFAULT true,
  status           TEXT                   -- JSON object from the latest heartbeat
);
CREATE INDEX devices_org ON devices(org_id);

-- No foreign key to devices: a deleted device's certificates stay, revoked, so that its
-- serials remain known (and refused) rather than becoming unknown.
CREATE TABLE device_certs (
  serial      TEXT PRIMARY KEY,
  device_id   TEXT NOT NULL,
  org_id      TEXT NOT NULL,
  not_after   TEXT COLLATE "C" NOT NULL,
  revoked     BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX device_certs_device ON device_certs(device_id);

CREATE TABLE users (
  id             TEXT PRIMARY KEY,
  org_id         TEXT NOT NULL REFERENCES orgs(id),
  username       TEXT COLLATE "C" NOT NULL UNIQUE,  -- unique across orgs: signing in names no org
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
  created_at    BIGINT NOT NULL,          -- ms since the epoch
  expires_at    BIGINT NOT NULL,
  last_seen_at  BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Bounded per device by the store (the newest CONNECTION_HISTORY_KEEP rows); the cascade
-- takes a deleted device's history with it.
CREATE TABLE device_connections (
  id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  device_id        TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  org_id           TEXT NOT NULL,
  connected_at     TEXT NOT NULL,
  remote_address   TEXT NOT NULL,
  closed_at        TEXT,
  close_code       INTEGER,
  close_reason     TEXT,
  closed_by        TEXT CHECK (closed_by IN ('device', 'exchange', 'network')),
  version          TEXT,
  events_received  BIGINT
);
CREATE INDEX device_connections_device ON device_connections(device_id, id);
`,
];
