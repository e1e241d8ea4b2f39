-- Kassa schema, PostgreSQL dialect. Times are integers: ms since epoch (account clock where noted).
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  secret_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  clock_offset_ms BIGINT NOT NULL DEFAULT 0,
  is_default BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE aggregates (
  account_id TEXT NOT NULL,
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  version BIGINT NOT NULL,
  state TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, type, id)
);

CREATE TABLE lookup_keys (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  account_id TEXT NOT NULL,
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  PRIMARY KEY (kind, key)
);

CREATE TABLE events (
  seq BIGSERIAL PRIMARY KEY,
  account_id TEXT NOT NULL,
  aggregate_type TEXT NOT NULL,
  aggregate_id TEXT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  occurred_at BIGINT NOT NULL
);
CREATE INDEX events_by_aggregate ON events (account_id, aggregate_type, aggregate_id, seq);

-- due_at is account-clock time; the index makes "what is due" cost what is due, not what is stored.
CREATE TABLE timers (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  due_at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  aggregate_type TEXT NOT NULL,
  aggregate_id TEXT NOT NULL,
  payload TEXT NOT NULL
);
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
  attempts BIGINT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  lease_until BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  ref TEXT
);
CREATE INDEX outbox_due ON outbox (account_id, status, next_attempt_at);
CREATE INDEX outbox_by_ref ON outbox (account_id, ref, created_at);
CREATE INDEX outbox_by_event ON outbox (account_id, event_id);

CREATE TABLE delivery_attempts (
  outbox_id TEXT NOT NULL,
  attempt BIGINT NOT NULL,
  at BIGINT NOT NULL,
  status_code BIGINT,
  error TEXT,
  latency_ms BIGINT NOT NULL,
  PRIMARY KEY (outbox_id, attempt)
);

CREATE TABLE idempotency (
  account_id TEXT NOT NULL,
  key TEXT NOT NULL,
  scope TEXT NOT NULL,
  status_code BIGINT NOT NULL,
  headers TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, key)
);
CREATE INDEX idempotency_age ON idempotency (created_at);

-- Instance-wide settings (e.g. the client-token signing secret, so tokens survive restarts).
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
