-- Aggregates and idempotency records hold JSON documents of one to several KB under random keys
-- (uuids). In a WITHOUT ROWID table the whole document lives in the primary-key B-tree, so every
-- insert at a random key splits and rewrites pages full of documents; measured here, inserting a
-- 1.5 KB session cost 2-3x what it costs in a rowid table, where documents are appended in rowid
-- order and only the small key goes into a random-order index (docs/performance.md).
-- The event log loses AUTOINCREMENT (an extra sqlite_sequence write per event): events are never
-- deleted, so INTEGER PRIMARY KEY alone already hands out ever-growing sequence numbers.
CREATE TABLE aggregates_rowid (
  account_id TEXT NOT NULL,
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
INSERT INTO aggregates_rowid (account_id, type, id, version, state, created_at, updated_at)
  SELECT account_id, type, id, version, state, created_at, updated_at FROM aggregates;
DROP TABLE aggregates;
ALTER TABLE aggregates_rowid RENAME TO aggregates;
CREATE UNIQUE INDEX aggregates_key ON aggregates (account_id, type, id);

CREATE TABLE idempotency_rowid (
  account_id TEXT NOT NULL,
  key TEXT NOT NULL,
  scope TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  headers TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
INSERT INTO idempotency_rowid (account_id, key, scope, status_code, headers, body, created_at)
  SELECT account_id, key, scope, status_code, headers, body, created_at FROM idempotency;
DROP TABLE idempotency;
ALTER TABLE idempotency_rowid RENAME TO idempotency;
CREATE UNIQUE INDEX idempotency_key ON idempotency (account_id, key);
CREATE INDEX idempotency_age ON idempotency (created_at);

CREATE TABLE events_plain (
  seq INTEGER PRIMARY KEY,
  account_id TEXT NOT NULL,
  aggregate_type TEXT NOT NULL,
  aggregate_id TEXT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  occurred_at INTEGER NOT NULL
);
INSERT INTO events_plain (seq, account_id, aggregate_type, aggregate_id, type, data, occurred_at)
  SELECT seq, account_id, aggregate_type, aggregate_id, type, data, occurred_at FROM events;
DROP TABLE events;
ALTER TABLE events_plain RENAME TO events;
DELETE FROM sqlite_sequence WHERE name = 'events';
CREATE INDEX events_by_aggregate ON events (account_id, aggregate_type, aggregate_id, seq);
