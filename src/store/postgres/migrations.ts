/**
 * PostgreSQL migrations: append-only and named, like SQLite's (`store/migrations.ts`). A shipped
 * migration is never edited: add a new one. `migrate.ts` applies each in its own transaction, in
 * order, under an advisory lock, and records it in `schema_migrations`.
 *
 * The ledger (0001) is the SQLite ledger's schema in PostgreSQL's types: money is BIGINT
 * nano-dollars, instants are TIMESTAMPTZ, flags are BOOLEAN. The run log, cache and batches (0002,
 * 0003) keep SQLite's row shapes instead, because their rows are handed out as they are (see 0002).
 * Two additions make the ledger work across machines:
 * - every reservation names its process by host name and process id (ids repeat across machines),
 *   and by the process's lease (`ledger_processes`), which tells any machine when that process is gone;
 * - `budget_scope_totals` keeps a running total per (scope, period, subject), updated in the
 *   reservation's own transaction. Its row is what a reservation locks to check-and-reserve
 *   atomically (see `ledger-store.ts`), and it makes the check one row read instead of a sum.
 */
import type { Migration } from "../migrations.js";
import { ledgerFunctionsMigration } from "./ledger-functions.js";

export const postgresMigrations: readonly Migration[] = [
  {
    name: "0001_ledger",
    sql: `
      -- Each process using the ledger, and its lease: the process holds pg_advisory_lock(lease
      -- namespace, id) on its own session for its lifetime. When it dies, on any machine, its
      -- connection closes and the server frees the lock, which is how others know it is gone.
      CREATE TABLE ledger_processes (
        id SERIAL PRIMARY KEY,
        host_name TEXT NOT NULL,
        process_id INTEGER NOT NULL,
        started_at TIMESTAMPTZ NOT NULL
      );

      CREATE TABLE budget_reservations (
        id BIGSERIAL PRIMARY KEY,
        run_id TEXT NOT NULL,
        pipeline_name TEXT NOT NULL,
        day TEXT NOT NULL,
        month TEXT NOT NULL,
        reserved_nano_usd BIGINT NOT NULL CHECK (reserved_nano_usd >= 0),
        settled_nano_usd BIGINT CHECK (settled_nano_usd >= 0),
        status TEXT NOT NULL CHECK (status IN ('reserved', 'settled', 'released', 'expired')),
        synthetic BOOLEAN NOT NULL DEFAULT FALSE,
        process_id INTEGER NOT NULL,
        host_name TEXT NOT NULL,
        lease_id INTEGER NOT NULL REFERENCES ledger_processes (id),
        created_at TIMESTAMPTZ NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        closed_at TIMESTAMPTZ
      );
      CREATE INDEX budget_reservations_run ON budget_reservations (run_id, status);
      CREATE INDEX budget_reservations_day ON budget_reservations (day, synthetic, status);
      CREATE INDEX budget_reservations_month ON budget_reservations (month, synthetic, status);
      -- Only open rows are looked up by process or by deadline: a partial index stays small.
      CREATE INDEX budget_reservations_open_process ON budget_reservations (host_name, process_id) WHERE status = 'reserved';
      CREATE INDEX budget_reservations_open_expiry ON budget_reservations (expires_at) WHERE status = 'reserved';
      CREATE INDEX budget_reservations_open_lease ON budget_reservations (lease_id) WHERE status = 'reserved';

      CREATE TABLE budget_reservation_tags (
        reservation_id BIGINT NOT NULL REFERENCES budget_reservations (id),
        tag TEXT NOT NULL,
        PRIMARY KEY (reservation_id, tag)
      );
      CREATE INDEX budget_reservation_tags_tag ON budget_reservation_tags (tag, reservation_id);

      -- One row per scope, period and subject ('all' with name ''), real and synthetic money apart.
      -- No CHECK (>= 0) on the figures: PostgreSQL checks an upsert's proposed row (the deltas,
      -- negative when a settle moves money out of 'reserved') before it finds the conflict.
      CREATE TABLE budget_scope_totals (
        scope TEXT NOT NULL CHECK (scope IN ('run', 'day', 'month')),
        period TEXT NOT NULL,
        subject_kind TEXT NOT NULL CHECK (subject_kind IN ('all', 'pipeline', 'tag')),
        subject_name TEXT NOT NULL,
        settled_real BIGINT NOT NULL DEFAULT 0,
        reserved_real BIGINT NOT NULL DEFAULT 0,
        expired_real BIGINT NOT NULL DEFAULT 0,
        expired_count_real INTEGER NOT NULL DEFAULT 0,
        settled_synthetic BIGINT NOT NULL DEFAULT 0,
        reserved_synthetic BIGINT NOT NULL DEFAULT 0,
        expired_synthetic BIGINT NOT NULL DEFAULT 0,
        expired_count_synthetic INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (scope, period, subject_kind, subject_name)
      );

      CREATE TABLE budget_overruns (
        id BIGSERIAL PRIMARY KEY,
        reservation_id BIGINT NOT NULL UNIQUE REFERENCES budget_reservations (id),
        run_id TEXT NOT NULL,
        pipeline_name TEXT NOT NULL,
        day TEXT NOT NULL,
        month TEXT NOT NULL,
        step TEXT NOT NULL,
        item_index INTEGER,
        attempt INTEGER NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        synthetic BOOLEAN NOT NULL,
        reserved_nano_usd BIGINT NOT NULL CHECK (reserved_nano_usd >= 0),
        settled_nano_usd BIGINT NOT NULL CHECK (settled_nano_usd > reserved_nano_usd),
        overrun_nano_usd BIGINT NOT NULL CHECK (overrun_nano_usd > 0),
        created_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX budget_overruns_run ON budget_overruns (run_id);
      CREATE INDEX budget_overruns_day ON budget_overruns (day);
      CREATE INDEX budget_overruns_month ON budget_overruns (month);
      CREATE INDEX budget_overruns_created_at ON budget_overruns (created_at);

      -- The unique key decides which process alerts: the first to insert, on any machine.
      CREATE TABLE budget_alerts (
        id BIGSERIAL PRIMARY KEY,
        scope TEXT NOT NULL CHECK (scope IN ('run', 'day', 'month')),
        subject_kind TEXT NOT NULL CHECK (subject_kind IN ('all', 'pipeline', 'tag')),
        subject_name TEXT NOT NULL DEFAULT '',
        period TEXT NOT NULL,
        fraction DOUBLE PRECISION NOT NULL CHECK (fraction > 0 AND fraction <= 1),
        used_nano_usd BIGINT NOT NULL,
        limit_nano_usd BIGINT NOT NULL,
        run_id TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        UNIQUE (scope, subject_kind, subject_name, period, fraction)
      );

      -- One calendar per database: the zone of days and months, fixed by the first process.
      CREATE TABLE ledger_settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        set_at TIMESTAMPTZ NOT NULL
      );
    `,
  },
  {
    // Issue 14, team scopes: as SQLite's 0013_team_budgets. A reservation may spend for a team and
    // a project, counted per day and month under the subject kinds `team` and `project` in the
    // same totals rows a reservation locks, so team, project, pipeline and tag limits are checked
    // under one lock order. A team's own limits are stored here, shared by every project and machine.
    name: "0002_team_budgets",
    sql: `
      ALTER TABLE budget_reservations ADD COLUMN team TEXT;
      ALTER TABLE budget_reservations ADD COLUMN project TEXT;
      CREATE INDEX budget_reservations_team ON budget_reservations (team, month, project) WHERE team IS NOT NULL;
      CREATE INDEX budget_reservations_project_run ON budget_reservations (run_id, project) WHERE project IS NOT NULL;

      ALTER TABLE budget_scope_totals DROP CONSTRAINT budget_scope_totals_subject_kind_check;
      ALTER TABLE budget_scope_totals ADD CONSTRAINT budget_scope_totals_subject_kind_check
        CHECK (subject_kind IN ('all', 'pipeline', 'tag', 'team', 'project'));
      ALTER TABLE budget_alerts DROP CONSTRAINT budget_alerts_subject_kind_check;
      ALTER TABLE budget_alerts ADD CONSTRAINT budget_alerts_subject_kind_check
        CHECK (subject_kind IN ('all', 'pipeline', 'tag', 'team', 'project'));

      CREATE TABLE team_budget_limits (
        team TEXT NOT NULL,
        project TEXT NOT NULL DEFAULT '',
        scope TEXT NOT NULL CHECK (scope IN ('day', 'month')),
        limit_nano_usd BIGINT NOT NULL CHECK (limit_nano_usd >= 0),
        set_by TEXT NOT NULL,
        set_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (team, project, scope)
      );
    `,
  },
  {
    // Issue 14: the run log on the shared store — runs, their steps, every LLM call and what it sent
    // and received — with the columns SQLite's migrations 0001–0012 gave these tables, in the same
    // order, so `SELECT *` answers the same row shape on both stores. Instants stay ISO-8601 TEXT (as
    // the executor writes them, and as SQLite keeps them) and every text column compares bytewise
    // (COLLATE "C", SQLite's BINARY), so ranges, orderings and groupings agree with SQLite's whatever
    // the database's own collation. Flags are 0/1 integers and call costs DOUBLE PRECISION, as the
    // contracts' rows say; token counts and nano-dollars are BIGINT. `runs.seq` stands for SQLite's
    // rowid: the order runs were recorded in, which breaks ties between equal start instants.
    name: "0003_run_log",
    sql: `
      CREATE TABLE runs (
        id TEXT COLLATE "C" PRIMARY KEY,
        pipeline_name TEXT COLLATE "C" NOT NULL,
        pipeline_path TEXT COLLATE "C" NOT NULL,
        policy_path TEXT COLLATE "C",
        status TEXT COLLATE "C" NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'budget_stopped', 'deferred', 'interrupted')),
        inputs_json TEXT NOT NULL,
        started_at TEXT COLLATE "C" NOT NULL,
        finished_at TEXT COLLATE "C",
        results_directory TEXT,
        process_id INTEGER,
        exit_code INTEGER,
        resumed_at TEXT COLLATE "C",
        resume_count INTEGER NOT NULL DEFAULT 0,
        seq BIGSERIAL NOT NULL UNIQUE
      );
      CREATE INDEX runs_started_at ON runs (started_at, seq);
      CREATE INDEX runs_pipeline_path ON runs (pipeline_path, started_at);
      CREATE INDEX runs_pipeline_name ON runs (pipeline_name, started_at);

      CREATE TABLE step_executions (
        id BIGSERIAL PRIMARY KEY,
        run_id TEXT COLLATE "C" NOT NULL REFERENCES runs (id),
        step TEXT COLLATE "C" NOT NULL,
        status TEXT COLLATE "C" NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped', 'budget_stopped', 'deferred', 'cancelled')),
        started_at TEXT COLLATE "C",
        finished_at TEXT COLLATE "C",
        provider TEXT COLLATE "C",
        model TEXT COLLATE "C",
        output TEXT,
        output_sha256 TEXT,
        output_file TEXT,
        error_kind TEXT COLLATE "C",
        error_message TEXT,
        skip_reason TEXT,
        retry_after TEXT COLLATE "C",
        attempts INTEGER NOT NULL DEFAULT 0,
        input_tokens BIGINT NOT NULL DEFAULT 0,
        output_tokens BIGINT NOT NULL DEFAULT 0,
        cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
        result_json TEXT,
        UNIQUE (run_id, step)
      );
      CREATE INDEX step_executions_budget_stops ON step_executions (finished_at) WHERE status = 'budget_stopped';

      CREATE TABLE llm_calls (
        id BIGSERIAL PRIMARY KEY,
        run_id TEXT COLLATE "C" NOT NULL REFERENCES runs (id),
        step_execution_id BIGINT REFERENCES step_executions (id),
        step TEXT COLLATE "C" NOT NULL,
        attempt INTEGER NOT NULL,
        pipeline_name TEXT COLLATE "C" NOT NULL,
        task TEXT COLLATE "C" NOT NULL,
        provider TEXT COLLATE "C" NOT NULL,
        provider_type TEXT COLLATE "C" NOT NULL,
        model TEXT COLLATE "C" NOT NULL,
        prompt_sha256 TEXT COLLATE "C" NOT NULL,
        status TEXT COLLATE "C" NOT NULL CHECK (status IN ('succeeded', 'failed', 'cached')),
        input_tokens BIGINT NOT NULL DEFAULT 0,
        output_tokens BIGINT NOT NULL DEFAULT 0,
        cached_input_tokens BIGINT NOT NULL DEFAULT 0,
        reasoning_tokens BIGINT NOT NULL DEFAULT 0,
        cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
        latency_ms BIGINT,
        error_kind TEXT COLLATE "C",
        error_message TEXT,
        synthetic INTEGER NOT NULL DEFAULT 0 CHECK (synthetic IN (0, 1)),
        reservation_id BIGINT REFERENCES budget_reservations (id),
        started_at TEXT COLLATE "C" NOT NULL,
        finished_at TEXT COLLATE "C" NOT NULL,
        item_index INTEGER,
        cache_key TEXT COLLATE "C",
        rejection_reason TEXT,
        checker_output TEXT,
        cache_write_tokens BIGINT NOT NULL DEFAULT 0,
        cache_write_1h_tokens BIGINT NOT NULL DEFAULT 0,
        provider_cache_saved_nano BIGINT NOT NULL DEFAULT 0,
        verdict TEXT COLLATE "C" CHECK (verdict IN ('accepted', 'rejected')),
        verdict_at TEXT COLLATE "C",
        language TEXT COLLATE "C"
      );
      CREATE INDEX llm_calls_run_step ON llm_calls (run_id, step, item_index);
      CREATE INDEX llm_calls_started_at ON llm_calls (started_at);
      CREATE INDEX llm_calls_finished_at ON llm_calls (finished_at);
      CREATE INDEX llm_calls_model_task ON llm_calls (provider, model, task);
      CREATE INDEX llm_calls_provider_started_at ON llm_calls (provider, started_at);
      CREATE INDEX llm_calls_verdict_at ON llm_calls (verdict_at);
      CREATE INDEX llm_calls_step_execution ON llm_calls (step_execution_id);

      -- SUM and AVG of REAL values as SQLite computes them (3.43+): Kahan–Babuška–Neumaier
      -- compensated summation, the compensation added at the end (sqlite3 func.c), so a float sum
      -- (a cost today, what hits saved, an average cost) answers the same double on both stores.
      -- PostgreSQL's own float8 SUM adds naively, and a NUMERIC sum is exact in decimal, not in binary.
      -- State: {sum, compensation, count}.
      CREATE FUNCTION orch_real_sum_step(state DOUBLE PRECISION[], value DOUBLE PRECISION) RETURNS DOUBLE PRECISION[]
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
          SELECT ARRAY[
            state[1] + value,
            state[2] + CASE WHEN abs(state[1]) > abs(value) THEN (state[1] - (state[1] + value)) + value ELSE (value - (state[1] + value)) + state[1] END,
            state[3] + 1]
        $$;
      CREATE FUNCTION orch_real_sum_final(state DOUBLE PRECISION[]) RETURNS DOUBLE PRECISION
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT CASE WHEN state[3] = 0 THEN NULL ELSE state[1] + state[2] END $$;
      CREATE FUNCTION orch_real_avg_final(state DOUBLE PRECISION[]) RETURNS DOUBLE PRECISION
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT CASE WHEN state[3] = 0 THEN NULL ELSE (state[1] + state[2]) / state[3] END $$;
      CREATE AGGREGATE orch_real_sum(DOUBLE PRECISION) (
        SFUNC = orch_real_sum_step, STYPE = DOUBLE PRECISION[], INITCOND = '{0,0,0}', FINALFUNC = orch_real_sum_final
      );
      CREATE AGGREGATE orch_real_avg(DOUBLE PRECISION) (
        SFUNC = orch_real_sum_step, STYPE = DOUBLE PRECISION[], INITCOND = '{0,0,0}', FINALFUNC = orch_real_avg_final
      );

      -- The call log's texts: a table of their own keeps llm_calls (which every report scans) narrow.
      CREATE TABLE llm_call_texts (
        call_id BIGINT PRIMARY KEY REFERENCES llm_calls (id),
        kept TEXT COLLATE "C" NOT NULL CHECK (kept IN ('full', 'hashes')),
        messages_json TEXT,
        answer TEXT,
        answer_sha256 TEXT
      );
    `,
  },
  {
    // Issue 14: the answer cache on the shared store, so a runner reuses what another runner's
    // accepted answer already paid for; the batches sent to vendors' batch APIs, so any process
    // collects a pending call instead of paying for it again. Same columns and order as SQLite's
    // 0003, 0005 and 0012.
    name: "0004_answer_cache_batches",
    sql: `
      CREATE TABLE cached_answers (
        id BIGSERIAL PRIMARY KEY,
        cache_key TEXT COLLATE "C" NOT NULL,
        run_id TEXT COLLATE "C" NOT NULL,
        step TEXT COLLATE "C" NOT NULL,
        item_index INTEGER,
        provider TEXT COLLATE "C" NOT NULL,
        model TEXT COLLATE "C" NOT NULL,
        answer TEXT NOT NULL,
        input_tokens BIGINT NOT NULL DEFAULT 0,
        output_tokens BIGINT NOT NULL DEFAULT 0,
        cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
        state TEXT COLLATE "C" NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
        shareable INTEGER NOT NULL CHECK (shareable IN (0, 1)),
        call_id BIGINT,
        created_at TEXT COLLATE "C" NOT NULL,
        hits BIGINT NOT NULL DEFAULT 0,
        last_hit_at TEXT COLLATE "C"
      );
      CREATE INDEX cached_answers_key ON cached_answers (cache_key, state, created_at);
      CREATE INDEX cached_answers_run ON cached_answers (run_id, step, cache_key);
      CREATE INDEX cached_answers_created_at ON cached_answers (created_at);

      CREATE TABLE cached_answer_uses (
        id BIGSERIAL PRIMARY KEY,
        entry_id BIGINT NOT NULL REFERENCES cached_answers (id) ON DELETE CASCADE,
        run_id TEXT COLLATE "C" NOT NULL,
        step TEXT COLLATE "C" NOT NULL,
        item_index INTEGER,
        used_at TEXT COLLATE "C" NOT NULL
      );
      CREATE INDEX cached_answer_uses_unit ON cached_answer_uses (run_id, step, item_index);
      CREATE INDEX cached_answer_uses_entry ON cached_answer_uses (entry_id);

      CREATE TABLE batch_jobs (
        id BIGSERIAL PRIMARY KEY,
        run_id TEXT COLLATE "C" NOT NULL,
        provider TEXT COLLATE "C" NOT NULL,
        vendor_batch_id TEXT COLLATE "C" NOT NULL,
        submitted_at TEXT COLLATE "C" NOT NULL,
        deadline_at TEXT COLLATE "C" NOT NULL,
        status TEXT COLLATE "C" NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ended', 'failed', 'expired', 'abandoned'))
      );
      CREATE TABLE batch_calls (
        batch_job_id BIGINT NOT NULL REFERENCES batch_jobs (id),
        custom_id TEXT COLLATE "C" NOT NULL,
        cache_key TEXT COLLATE "C" NOT NULL,
        step TEXT COLLATE "C" NOT NULL,
        item INTEGER,
        status TEXT COLLATE "C" NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'collected', 'fallen-back')),
        PRIMARY KEY (batch_job_id, custom_id)
      );
      CREATE INDEX batch_calls_pending ON batch_calls (cache_key) WHERE status = 'pending';
    `,
  },
  {
    // Issue 14, single flight across processes (contracts/in-flight-store.ts): one row per request
    // (cache key) a process is calling for, so another process asking the same waits for its
    // answer instead of paying again. The primary key makes the claim atomic across machines; a
    // released row keeps the entry its answer went to, for the waiters to be served; a claim past
    // `expires_at` (its process died mid-call) may be taken over.
    name: "0005_in_flight_calls",
    sql: `
      CREATE TABLE in_flight_calls (
        cache_key TEXT COLLATE "C" PRIMARY KEY,
        holder TEXT COLLATE "C" NOT NULL,
        state TEXT COLLATE "C" NOT NULL CHECK (state IN ('in-flight', 'answered', 'failed')),
        claimed_at TEXT COLLATE "C" NOT NULL,
        expires_at TEXT COLLATE "C" NOT NULL,
        entry_id BIGINT REFERENCES cached_answers (id) ON DELETE SET NULL,
        released_at TEXT COLLATE "C"
      );
      CREATE INDEX in_flight_calls_released_at ON in_flight_calls (released_at) WHERE state <> 'in-flight';
    `,
  },
  {
    // Issue 16, as SQLite's 0014_batch_answers: an ended batch's answers are kept as soon as orch
    // sees them, so whichever process resumes the run records each call's answer (and its cost)
    // once, without asking the vendor again.
    name: "0006_batch_answers",
    sql: `
      ALTER TABLE batch_calls ADD COLUMN answer_json TEXT;
    `,
  },
  ledgerFunctionsMigration,
  {
    // Deleting a cached answer sets the in-flight rows pointing at it to NULL (entry_id's
    // ON DELETE SET NULL); without an index that is a scan of in_flight_calls, which keeps a row per
    // cache key ever claimed, for every entry deleted — at the end of every run (forgetResumeOnly
    // drops its rejected and resume-only answers) and by `orch cache clear`. Partial: a claim in
    // flight or failed has no entry, and `entry_id = $1` implies NOT NULL.
    name: "0008_in_flight_entry",
    sql: `
      CREATE INDEX in_flight_calls_entry ON in_flight_calls (entry_id) WHERE entry_id IS NOT NULL;
    `,
  },
];
