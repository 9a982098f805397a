// The event store's PostgreSQL tables, as migrations of component 'events' (db.ts applies
// them). Never edit an entry that has shipped: append a new one. org_id and device_id are plain
// text: events outlive the devices that sent them, and the exchange's tables are another
// component's.
//
// - events is partitioned by day on ts (ms since the epoch, as in SQLite), so retention drops
//   whole partitions (partitions.ts) instead of deleting rows. Partitions are made on demand.
// - An event's identity is (tx, n): the id of the transaction that stored it and its place in
//   that commit. tail() reads in (tx, n) order and only below the oldest transaction still
//   running, so an event committed late by a slower node is never skipped (a sequence would
//   hand out ids in one order and commit them in another).
// - A unique constraint on a partitioned table must contain the partition key, so the dedup
//   key (device_id, event_id) lives in event_ids, which is not partitioned.
// - keys: the event's addresses and sensor-reported observables, for the `observable` filter
//   and named() through one GIN index.
// - Raw, observables and tags stay TEXT holding JSON.stringify's output: jsonb refuses \u0000.

export const EVENT_MIGRATIONS: readonly string[] = [
  /* 1: the first schema */ `
CREATE TABLE events (
  tx              BIGINT NOT NULL,
  n               INTEGER NOT NULL,
  org_id          TEXT NOT NULL,
  device_id       TEXT NOT NULL,
  event_id        TEXT NOT NULL,
  type            TEXT NOT NULL,
  ts              BIGINT NOT NULL,
  src_ip          TEXT,
  src_port        INTEGER,
  dst_ip          TEXT,
  dst_port        INTEGER,
  protocol        TEXT,
  gid             BIGINT,
  sid             BIGINT,
  rev             BIGINT,
  message         TEXT,
  classification  TEXT,
  priority        INTEGER,
  impact          INTEGER,
  action          TEXT,
  app_proto       TEXT,
  policy          TEXT,
  observables     TEXT,
  raw             TEXT,
  received_at     BIGINT NOT NULL,
  tags            TEXT,
  keys            TEXT[] NOT NULL
) PARTITION BY RANGE (ts);
-- Pages newest first, histograms and counts per org.
CREATE INDEX events_org_ts ON events (org_id, ts, tx, n);
-- tail() and get().
CREATE INDEX events_tx ON events (tx, n);
CREATE INDEX events_org_sid ON events (org_id, sid, ts) WHERE sid IS NOT NULL;
CREATE INDEX events_keys ON events USING gin (keys);

-- The dedup key. ts says which partition the event is in, so pruning a day takes its rows out.
CREATE TABLE event_ids (
  device_id  TEXT NOT NULL,
  event_id   TEXT NOT NULL,
  ts         BIGINT NOT NULL,
  PRIMARY KEY (device_id, event_id)
);
CREATE INDEX event_ids_ts ON event_ids (ts);

-- Per org and partition day, kept by commit: count() reads a few rows rather than an index of
-- millions, and dropping a partition tells how many events went.
CREATE TABLE event_counts (
  org_id  TEXT NOT NULL,
  day     INTEGER NOT NULL,
  n       BIGINT NOT NULL,
  PRIMARY KEY (org_id, day)
);

-- key: as in SQLite (events-unique.ts). Byte order ("C") for keyset paging like SQLite's.
CREATE TABLE unique_events (
  org_id      TEXT NOT NULL,
  key         TEXT COLLATE "C" NOT NULL,
  type        TEXT NOT NULL,
  src_ip      TEXT,
  dst_ip      TEXT,
  gid         BIGINT,
  sid         BIGINT,
  message     TEXT,
  priority    INTEGER,
  count       BIGINT NOT NULL,
  first_seen  BIGINT NOT NULL,
  last_seen   BIGINT NOT NULL,
  devices     TEXT[] COLLATE "C" NOT NULL,
  PRIMARY KEY (org_id, key)
);
CREATE INDEX unique_events_org_last ON unique_events (org_id, last_seen, key);
`,
];
