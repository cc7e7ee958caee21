/**
 * PostgreSQL migration 0007: the ledger's two hot operations as server-side functions, so that
 * reserving is one round trip and settling is one round trip (issue 14's goal: the shared ledger
 * adds under 2 ms per call on loopback).
 *
 * Why functions: before, a reserve + settle pair was eight statements (BEGIN, upsert of the totals,
 * insert, COMMIT; BEGIN, close, upsert, COMMIT), each one a round trip plus the driver's per-query
 * work and, for unnamed statements, a parse and a plan on the server. A function's statements are
 * planned once per connection, and the whole transaction is one statement. The mechanism is the
 * same as before (see `scope-totals.ts`): the totals rows are locked by one sorted upsert, the
 * check reads them as they now stand, a reservation's own row is locked before its totals.
 *
 * What stays in TypeScript: which totals rows a reservation counts in (`ledger-scopes.ts`, shared
 * with SQLite), their lock order and the limits to check. The functions get those as arrays, so
 * the rules live in one place and only the arithmetic runs here. Parameters are named `p_…`
 * because in a function body a parameter named like a column would lose to the column.
 */
import type { Migration } from "../migrations.js";

export const ledgerFunctionsMigration: Migration = {
  name: "0007_ledger_functions",
  sql: `
    -- Adds deltas to totals rows (creating missing ones) and returns the rows as they now stand.
    -- The caller passes the rows once each, sorted in the lock order: one statement locks them in
    -- that order, so two transactions never wait for each other's rows in opposite orders.
    -- PL/pgSQL rather than SQL: a SQL function's statement is planned again at every call (up to
    -- PostgreSQL 17), a PL/pgSQL function's plan is kept by the session (a third of this one's cost).
    CREATE FUNCTION orch_apply_totals(
      p_scopes TEXT[], p_periods TEXT[], p_subject_kinds TEXT[], p_subject_names TEXT[],
      p_settled_real BIGINT[], p_reserved_real BIGINT[], p_expired_real BIGINT[], p_expired_count_real INTEGER[],
      p_settled_synthetic BIGINT[], p_reserved_synthetic BIGINT[], p_expired_synthetic BIGINT[], p_expired_count_synthetic INTEGER[])
    RETURNS SETOF budget_scope_totals LANGUAGE plpgsql AS $$
    BEGIN
      RETURN QUERY
      INSERT INTO budget_scope_totals AS totals (scope, period, subject_kind, subject_name,
        settled_real, reserved_real, expired_real, expired_count_real,
        settled_synthetic, reserved_synthetic, expired_synthetic, expired_count_synthetic)
      SELECT * FROM unnest(p_scopes, p_periods, p_subject_kinds, p_subject_names,
        p_settled_real, p_reserved_real, p_expired_real, p_expired_count_real,
        p_settled_synthetic, p_reserved_synthetic, p_expired_synthetic, p_expired_count_synthetic)
      ON CONFLICT (scope, period, subject_kind, subject_name) DO UPDATE SET
        settled_real = totals.settled_real + EXCLUDED.settled_real,
        reserved_real = totals.reserved_real + EXCLUDED.reserved_real,
        expired_real = totals.expired_real + EXCLUDED.expired_real,
        expired_count_real = totals.expired_count_real + EXCLUDED.expired_count_real,
        settled_synthetic = totals.settled_synthetic + EXCLUDED.settled_synthetic,
        reserved_synthetic = totals.reserved_synthetic + EXCLUDED.reserved_synthetic,
        expired_synthetic = totals.expired_synthetic + EXCLUDED.expired_synthetic,
        expired_count_synthetic = totals.expired_count_synthetic + EXCLUDED.expired_count_synthetic
      RETURNING *;
    END
    $$;

    -- Check-and-reserve in one statement. The totals rows (counted ones with the amount, checked
    -- ones with zero) are locked and updated by orch_apply_totals. Each limit is then compared with
    -- its row as it now stands: the limits given (p_check_*: the row it reads, 1-based; the money it
    -- counts, 'all', 'real' or 'synthetic'; the limit; what this reservation added to that row), then
    -- the team's stored limits when a team and project are named (real money, so never for a
    -- synthetic reservation), read in this same statement. The first limit the amount would exceed
    -- is answered (refused_*) with what its scope held before, and the block's changes are rolled
    -- back; otherwise the reservation and its tags are inserted.
    CREATE FUNCTION orch_reserve(
      p_scopes TEXT[], p_periods TEXT[], p_subject_kinds TEXT[], p_subject_names TEXT[],
      p_reserved_real BIGINT[], p_reserved_synthetic BIGINT[],
      p_check_rows INTEGER[], p_check_money TEXT[], p_check_limits BIGINT[], p_check_added BIGINT[],
      p_amount BIGINT, p_run_id TEXT, p_pipeline_name TEXT, p_day TEXT, p_month TEXT, p_synthetic BOOLEAN,
      p_process_id INTEGER, p_host_name TEXT, p_lease_id INTEGER, p_created_at TIMESTAMPTZ, p_expires_at TIMESTAMPTZ,
      p_tags TEXT[], p_team TEXT, p_project TEXT,
      OUT reservation_id BIGINT, OUT refused_scope TEXT, OUT refused_subject_kind TEXT, OUT refused_subject_name TEXT,
      OUT refused_limit BIGINT, OUT used_before BIGINT)
    LANGUAGE plpgsql AS $$
    DECLARE
      zeros BIGINT[] := array_fill(0::BIGINT, ARRAY[cardinality(p_scopes)]);
      zero_counts INTEGER[] := array_fill(0, ARRAY[cardinality(p_scopes)]);
    BEGIN
      BEGIN
        WITH applied AS (
          SELECT * FROM orch_apply_totals(p_scopes, p_periods, p_subject_kinds, p_subject_names,
            zeros, p_reserved_real, zeros, zero_counts, zeros, p_reserved_synthetic, zeros, zero_counts)
        ), checks AS (
          SELECT given.ordinal, p_scopes[given.row_number] AS scope, p_periods[given.row_number] AS period,
            p_subject_kinds[given.row_number] AS subject_kind, p_subject_names[given.row_number] AS subject_name,
            given.money, given.limit_nano_usd, given.added
          FROM unnest(p_check_rows, p_check_money, p_check_limits, p_check_added)
            WITH ORDINALITY AS given (row_number, money, limit_nano_usd, added, ordinal)
          UNION ALL
          SELECT cardinality(p_check_rows) + row_number() OVER (ORDER BY stored.project COLLATE "C", stored.scope COLLATE "C"),
            stored.scope, CASE stored.scope WHEN 'day' THEN p_day ELSE p_month END,
            CASE stored.project WHEN '' THEN 'team' ELSE 'project' END, CASE stored.project WHEN '' THEN p_team ELSE p_project END,
            'real', stored.limit_nano_usd, p_amount
          FROM team_budget_limits AS stored
          WHERE NOT p_synthetic AND p_project IS NOT NULL AND stored.team = p_team AND stored.project IN ('', p_project)
        ), used AS (
          SELECT checks.ordinal, checks.scope, checks.subject_kind, checks.subject_name, checks.limit_nano_usd,
            CASE checks.money
              WHEN 'real' THEN applied.settled_real + applied.reserved_real + applied.expired_real
              WHEN 'synthetic' THEN applied.settled_synthetic + applied.reserved_synthetic + applied.expired_synthetic
              ELSE applied.settled_real + applied.reserved_real + applied.expired_real
                + applied.settled_synthetic + applied.reserved_synthetic + applied.expired_synthetic
            END - checks.added AS used_nano_usd
          FROM checks JOIN applied ON applied.scope = checks.scope AND applied.period = checks.period
            AND applied.subject_kind = checks.subject_kind AND applied.subject_name = checks.subject_name
        )
        SELECT used.scope, used.subject_kind, used.subject_name, used.limit_nano_usd, used.used_nano_usd
        INTO refused_scope, refused_subject_kind, refused_subject_name, refused_limit, used_before
        FROM used WHERE used.used_nano_usd + p_amount > used.limit_nano_usd ORDER BY used.ordinal LIMIT 1;
        IF refused_scope IS NOT NULL THEN
          RAISE SQLSTATE 'OR001';
        END IF;
        INSERT INTO budget_reservations (run_id, pipeline_name, day, month, reserved_nano_usd, status, synthetic, process_id,
          host_name, lease_id, created_at, expires_at, team, project)
        VALUES (p_run_id, p_pipeline_name, p_day, p_month, p_amount, 'reserved', p_synthetic, p_process_id,
          p_host_name, p_lease_id, p_created_at, p_expires_at, p_team, p_project)
        RETURNING id INTO reservation_id;
        INSERT INTO budget_reservation_tags (reservation_id, tag) SELECT orch_reserve.reservation_id, tag FROM unnest(p_tags) AS tag;
      EXCEPTION WHEN SQLSTATE 'OR001' THEN
        -- Refused: the block's upsert is undone, the refused_* figures stay set.
        reservation_id := NULL;
      END;
    END
    $$;

    -- Settles (p_status 'settled', p_settled_nano_usd spent) or releases ('released', NULL) a
    -- reservation that is still open or expired, moves its worst case out of the state it was in
    -- on the totals rows it counts in (p_scopes…, passed by the caller), adds what it settled, and
    -- records an overrun when it settled above its reservation. The reservation's row is locked
    -- first (FOR UPDATE waits for a concurrent closer and then reads its result), so of two closers
    -- the second finds it closed and changes nothing: closed_status is then NULL.
    CREATE FUNCTION orch_close_reservation(
      p_reservation_id BIGINT, p_status TEXT, p_settled_nano_usd BIGINT, p_closed_at TIMESTAMPTZ,
      p_scopes TEXT[], p_periods TEXT[], p_subject_kinds TEXT[], p_subject_names TEXT[],
      p_step TEXT, p_item_index INTEGER, p_attempt INTEGER, p_provider TEXT, p_model TEXT,
      OUT closed_status TEXT, OUT run_id TEXT, OUT pipeline_name TEXT, OUT day TEXT, OUT month TEXT,
      OUT synthetic BOOLEAN, OUT reserved_nano_usd BIGINT)
    LANGUAGE plpgsql AS $$
    DECLARE
      row_count INTEGER := cardinality(p_scopes);
      zeros BIGINT[] := array_fill(0::BIGINT, ARRAY[row_count]);
      zero_counts INTEGER[] := array_fill(0, ARRAY[row_count]);
      settled BIGINT[] := array_fill(coalesce(p_settled_nano_usd, 0), ARRAY[row_count]);
      open_moved BIGINT[];
      expired_moved BIGINT[];
      expired_counts INTEGER[];
    BEGIN
      WITH previous AS (
        SELECT reservations.id, reservations.status, reservations.run_id, reservations.pipeline_name, reservations.day,
          reservations.month, reservations.synthetic, reservations.reserved_nano_usd
        FROM budget_reservations AS reservations WHERE reservations.id = p_reservation_id FOR UPDATE
      )
      UPDATE budget_reservations SET status = p_status, settled_nano_usd = p_settled_nano_usd, closed_at = p_closed_at
      FROM previous WHERE budget_reservations.id = previous.id AND previous.status IN ('reserved', 'expired')
      RETURNING previous.status, previous.run_id, previous.pipeline_name, previous.day, previous.month, previous.synthetic,
        previous.reserved_nano_usd
      INTO closed_status, run_id, pipeline_name, day, month, synthetic, reserved_nano_usd;
      IF closed_status IS NULL THEN
        RETURN;
      END IF;
      open_moved := CASE WHEN closed_status = 'reserved' THEN array_fill(-reserved_nano_usd, ARRAY[row_count]) ELSE zeros END;
      expired_moved := CASE WHEN closed_status = 'expired' THEN array_fill(-reserved_nano_usd, ARRAY[row_count]) ELSE zeros END;
      expired_counts := CASE WHEN closed_status = 'expired' THEN array_fill(-1, ARRAY[row_count]) ELSE zero_counts END;
      IF synthetic THEN
        PERFORM orch_apply_totals(p_scopes, p_periods, p_subject_kinds, p_subject_names,
          zeros, zeros, zeros, zero_counts, settled, open_moved, expired_moved, expired_counts);
      ELSE
        PERFORM orch_apply_totals(p_scopes, p_periods, p_subject_kinds, p_subject_names,
          settled, open_moved, expired_moved, expired_counts, zeros, zeros, zeros, zero_counts);
      END IF;
      IF p_status = 'settled' AND p_settled_nano_usd > reserved_nano_usd THEN
        INSERT INTO budget_overruns (reservation_id, run_id, pipeline_name, day, month, step, item_index, attempt, provider, model,
          synthetic, reserved_nano_usd, settled_nano_usd, overrun_nano_usd, created_at)
        VALUES (p_reservation_id, run_id, pipeline_name, day, month, p_step, p_item_index, p_attempt, p_provider, p_model,
          synthetic, reserved_nano_usd, p_settled_nano_usd, p_settled_nano_usd - reserved_nano_usd, p_closed_at);
      END IF;
    END
    $$;
  `,
};
