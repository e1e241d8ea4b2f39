-- An idempotency record remembers which request it answered (a SHA-256 of the method, the route,
-- the path and the canonical body), so a key reused for a different request is refused instead of
-- replaying an answer to something else (issue 17). Records written before this column existed
-- keep NULL and keep replaying as before: nothing can be known about their request any more.
ALTER TABLE idempotency ADD COLUMN request_hash TEXT;
