-- Kassa schema, SQLite dialect. Times are integers: ms since epoch (account clock where noted).
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  secret_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  clock_offset_ms INTEGER NOT NULL DEFAULT 0,
  is_default INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE aggregates (
  account_id TEXT NOT NULL,
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, type, id)
) WITHOUT ROWID;

CREATE TABLE lookup_keys (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  account_id TEXT NOT NULL,
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;

CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT NOT NULL,
  aggregate_type TEXT NOT NULL,
  aggregate_id TEXT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  occurred_at INTEGER NOT NULL
);
CREATE INDEX events_by_aggregate ON events (account_id, aggregate_type, aggregate_id, seq);

-- due_at is account-clock time; the index makes "what is due" cost what is due, not what is stored.
CREATE TABLE timers (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  aggregate_type TEXT NOT NULL,
  aggregate_id TEXT NOT NULL,
  payload TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX timers_due ON timers (account_id, due_at, id);

CREATE TABLE outbox (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  url TEXT NOT NULL,
  headers TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  ref TEXT
);
CREATE INDEX outbox_due ON outbox (account_id, status, next_attempt_at);
CREATE INDEX outbox_by_ref ON outbox (account_id, ref, created_at);
CREATE INDEX outbox_by_event ON outbox (account_id, event_id);

CREATE TABLE delivery_attempts (
  outbox_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  at INTEGER NOT NULL,
  status_code INTEGER,
  error TEXT,
  latency_ms INTEGER NOT NULL,
  PRIMARY KEY (outbox_id, attempt)
) WITHOUT ROWID;

CREATE TABLE idempotency (
  account_id TEXT NOT NULL,
  key TEXT NOT NULL,
  scope TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  headers TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_age ON idempotency (created_at);

-- Instance-wide settings (e.g. the client-token signing secret, so tokens survive restarts).
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
