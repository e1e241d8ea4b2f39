-- A requests-log batch in one statement (docs/performance.md, "Session 6"): the rows, and the prune
-- of every account they touched to its newest `keep`, in one round trip and one transaction (one WAL
-- flush, where the INSERT and one DELETE per account were a flush each).
--
-- The prune walks request_log_order from the newest entry down, so it reads `keep` live entries and
-- the few beyond them. Left to itself the planner preferred a bitmap scan of every index entry of
-- the account, dead ones included, and a sort: on a table that churns (1,000 live rows, tens of
-- thousands deleted since the last vacuum) that was 5-15 ms of backend CPU per batch, the largest
-- single cost in PostgreSQL under the bench. The function's own settings rule out the bitmap scan
-- and the sort for its statements only; a plain index scan also marks dead entries it passes, so
-- later scans skip them.
CREATE FUNCTION kassa_append_request_log(
  ids text[], account_ids text[], ats bigint[], methods text[], paths text[], routes text[],
  status_codes bigint[], durations_ms bigint[], correlation_ids text[], idempotency_keys text[],
  request_bodies text[], response_bodies text[], keep integer
) RETURNS void LANGUAGE plpgsql
SET enable_bitmapscan = off
SET enable_sort = off
AS $$
DECLARE
  acc text;
  cutoff_at bigint;
  cutoff_id text;
BEGIN
  INSERT INTO request_log (id, account_id, at, method, path, route, status_code, duration_ms, correlation_id, idempotency_key, request_body, response_body)
  SELECT * FROM unnest(ids, account_ids, ats, methods, paths, routes, status_codes, durations_ms, correlation_ids, idempotency_keys, request_bodies, response_bodies);
  FOR acc IN SELECT DISTINCT a FROM unnest(account_ids) AS a LOOP
    SELECT at, id INTO cutoff_at, cutoff_id FROM request_log WHERE account_id = acc
      ORDER BY account_id DESC, at DESC, id DESC OFFSET keep LIMIT 1;
    IF FOUND THEN
      DELETE FROM request_log WHERE account_id = acc AND (at, id) <= (cutoff_at, cutoff_id);
    END IF;
  END LOOP;
END $$;
