-- Group commit in one round trip (see postgres-store.ts): the batches of every command that reached
-- its commit in the same turn of a node's event loop arrive as one JSON array and are applied here,
-- in order, each inside its own BEGIN … EXCEPTION block (a subtransaction, i.e. a savepoint). A
-- batch that fails a check (version, clock offset, must-exist timer, duplicate key) is rolled back
-- to its savepoint and reported; the others go on. Called as a single statement outside an explicit
-- transaction, the whole group is one transaction: one COMMIT, one WAL flush, one round trip.
--
-- The result has one entry per batch: NULL when it was applied, otherwise a code and a message:
-- 'C …' lost a race (the engine retries), 'I …' idempotency key already used, 'L …' lookup key
-- exists, 'E <sqlstate> …' anything else.
--
-- Rows are built with jsonb_populate_record from objects keyed by column name, so a column added to
-- a table later needs only the adapter to send it, not a new version of this function.
CREATE FUNCTION kassa_commit_group(batches jsonb) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
  outcomes text[] := '{}';
  b jsonb;
  x jsonb;
BEGIN
  FOR b IN SELECT value FROM jsonb_array_elements(batches) LOOP
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
        -- seq comes from its sequence, in the order the batch lists its events.
        INSERT INTO events SELECT (jsonb_populate_record(NULL::events, e.value || jsonb_build_object('seq', nextval(pg_get_serial_sequence('events', 'seq'))))).*
          FROM jsonb_array_elements(b->'events') WITH ORDINALITY AS e ORDER BY e.ordinality;
      END IF;
      IF b ? 'outbox' THEN
        INSERT INTO outbox SELECT (jsonb_populate_record(NULL::outbox, o.value)).* FROM jsonb_array_elements(b->'outbox') AS o;
      END IF;
      IF b ? 'timersAdd' THEN
        INSERT INTO timers SELECT (jsonb_populate_record(NULL::timers, t.value)).* FROM jsonb_array_elements(b->'timersAdd') AS t;
      END IF;
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
