-- Group commit with less work per batch (docs/performance.md, "PostgreSQL"): measured on the
-- bench's batches, 005's kassa_commit_group spent ~550 µs of backend CPU per single-batch group, and
-- two things in it were not the writes themselves:
--   * pg_get_serial_sequence('events', 'seq') per event row resolves the sequence by name through
--     the catalogue every time (~100 µs a batch); here `seq` is left to its column default;
--   * a BEGIN … EXCEPTION block per batch is a subtransaction (a savepoint) even when nothing fails
--     (~40 µs a batch, and a subtransaction id per batch that writes).
-- kassa_apply_batch applies one batch and raises on a failed check, with the codes 005 used
-- (KA001 lost a race, KA002 idempotency key used, KA003 lookup key exists). A group of one batch is
-- sent as `SELECT kassa_apply_batch($1)`: the statement is its transaction, so a raise rolls back
-- exactly that batch, as its savepoint did, and the adapter reads the outcome from the error. A
-- larger group first runs every batch without savepoints; only when one fails is that pass undone
-- (one subtransaction for the whole group) and the group run again batch by batch with a savepoint
-- each, as before, so a failed check still rolls back only its own batch.
CREATE FUNCTION kassa_apply_batch(b jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  x jsonb;
BEGIN
  IF b ? 'idempotency' THEN
    INSERT INTO idempotency SELECT (jsonb_populate_record(NULL::idempotency, b->'idempotency')).* ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN RAISE EXCEPTION 'idempotency key already used' USING ERRCODE = 'KA002'; END IF;
  END IF;
  IF b ? 'clockMove' THEN
    x := b->'clockMove';
    UPDATE accounts SET clock_offset_ms = (x->>'newOffsetMs')::bigint WHERE id = x->>'accountId' AND clock_offset_ms = (x->>'expectedOffsetMs')::bigint;
    IF NOT FOUND THEN RAISE EXCEPTION 'clock of % moved concurrently', x->>'accountId' USING ERRCODE = 'KA001'; END IF;
  END IF;
  IF b ? 'timersRemove' THEN
    FOR x IN SELECT value FROM jsonb_array_elements(b->'timersRemove') LOOP
      DELETE FROM timers WHERE id = x->>0;
      IF NOT FOUND AND (x->>1)::boolean THEN RAISE EXCEPTION 'timer % already fired', x->>0 USING ERRCODE = 'KA001'; END IF;
    END LOOP;
  END IF;
  IF b ? 'aggregates' THEN
    FOR x IN SELECT value FROM jsonb_array_elements(b->'aggregates') LOOP
      IF (x->>'expected')::bigint = 0 THEN
        INSERT INTO aggregates SELECT (jsonb_populate_record(NULL::aggregates, x->'row')).* ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN RAISE EXCEPTION '% % was created concurrently', x->'row'->>'type', x->'row'->>'id' USING ERRCODE = 'KA001'; END IF;
      ELSE
        UPDATE aggregates SET version = version + 1, state = x->'row'->>'state', updated_at = (x->'row'->>'updated_at')::bigint
          WHERE account_id = x->'row'->>'account_id' AND type = x->'row'->>'type' AND id = x->'row'->>'id' AND version = (x->>'expected')::bigint;
        IF NOT FOUND THEN RAISE EXCEPTION '% % changed since version %', x->'row'->>'type', x->'row'->>'id', x->>'expected' USING ERRCODE = 'KA001'; END IF;
      END IF;
    END LOOP;
  END IF;
  IF b ? 'lookupKeys' THEN
    FOR x IN SELECT value FROM jsonb_array_elements(b->'lookupKeys') LOOP
      INSERT INTO lookup_keys SELECT (jsonb_populate_record(NULL::lookup_keys, x)).* ON CONFLICT DO NOTHING;
      IF NOT FOUND THEN RAISE EXCEPTION '% key exists', x->>'kind' USING ERRCODE = 'KA003'; END IF;
    END LOOP;
  END IF;
  IF b ? 'events' THEN
    -- seq from the column's default, drawn row by row in the order the batch lists its events.
    -- Unlike the other tables' rows (built from whatever columns the node sends), the columns are
    -- listed here: a column added to events later needs a migration that replaces this function.
    INSERT INTO events (account_id, aggregate_type, aggregate_id, type, data, occurred_at, correlation_id)
      SELECT r.account_id, r.aggregate_type, r.aggregate_id, r.type, r.data, r.occurred_at, r.correlation_id
      FROM jsonb_array_elements(b->'events') WITH ORDINALITY AS e, jsonb_populate_record(NULL::events, e.value) AS r
      ORDER BY e.ordinality;
  END IF;
  IF b ? 'outbox' THEN
    INSERT INTO outbox SELECT (jsonb_populate_record(NULL::outbox, o.value)).* FROM jsonb_array_elements(b->'outbox') AS o;
  END IF;
  IF b ? 'timersAdd' THEN
    INSERT INTO timers SELECT (jsonb_populate_record(NULL::timers, t.value)).* FROM jsonb_array_elements(b->'timersAdd') AS t;
  END IF;
END
$$;

-- Same signature and result as 005's (NULL per applied batch, else a code and a message).
CREATE OR REPLACE FUNCTION kassa_commit_group(batches jsonb) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
  outcomes text[] := '{}';
  b jsonb;
BEGIN
  BEGIN
    FOR b IN SELECT value FROM jsonb_array_elements(batches) LOOP
      PERFORM kassa_apply_batch(b);
    END LOOP;
    RETURN array_fill(NULL::text, ARRAY[jsonb_array_length(batches)]);
  EXCEPTION WHEN OTHERS THEN
    NULL; -- some batch failed and the whole pass is undone: go again, one savepoint per batch
  END;
  FOR b IN SELECT value FROM jsonb_array_elements(batches) LOOP
    BEGIN
      PERFORM kassa_apply_batch(b);
      outcomes := array_append(outcomes, NULL::text);
    EXCEPTION
      WHEN SQLSTATE 'KA001' OR deadlock_detected OR serialization_failure THEN outcomes := array_append(outcomes, 'C ' || SQLERRM);
      WHEN SQLSTATE 'KA002' THEN outcomes := array_append(outcomes, 'I ' || SQLERRM);
      WHEN SQLSTATE 'KA003' THEN outcomes := array_append(outcomes, 'L ' || SQLERRM);
      WHEN OTHERS THEN outcomes := array_append(outcomes, 'E ' || SQLSTATE || ' ' || SQLERRM);
    END;
  END LOOP;
  RETURN outcomes;
END
$$;
