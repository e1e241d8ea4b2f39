-- The dashboard's timeline and requests log (docs/dashboard.md).
-- Each event records the correlation id of the command that wrote it (an API request's
-- Klarna-Correlation-Id, or a timer firing's own id); rows written before this migration have none.
ALTER TABLE events ADD COLUMN correlation_id TEXT;

-- The last API requests of each account, redacted and truncated before they are written, kept to
-- the newest limits.requestLogPerAccountMax per account (pruned as entries are appended, so a
-- delete never touches more than what was just added). `at` is account-clock time, like events.
CREATE TABLE request_log (
  id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  route TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  correlation_id TEXT NOT NULL,
  idempotency_key TEXT,
  request_body TEXT,
  response_body TEXT
);
CREATE UNIQUE INDEX request_log_order ON request_log (account_id, at, id);
CREATE INDEX request_log_by_correlation ON request_log (account_id, correlation_id);

