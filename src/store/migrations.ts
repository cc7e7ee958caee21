/**
 * Append-only, named migrations. A shipped migration is never edited: add a new one instead.
 * Each runs in its own transaction and is recorded in `schema_migrations`.
 *
 * Money: call costs are stored as REAL USD for people reading the database; the ledger counts in
 * integer nano-dollars so that sums are exact and a hard limit is never crossed by rounding.
 */
export interface Migration {
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    name: "0001_runs_steps_calls_ledger",
    sql: `
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        pipeline_name TEXT NOT NULL,
        pipeline_path TEXT NOT NULL,
        policy_path TEXT,
        status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'budget_stopped', 'deferred', 'interrupted')),
        inputs_json TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        results_directory TEXT,
        process_id INTEGER,
        exit_code INTEGER
      );
      CREATE INDEX runs_started_at ON runs (started_at);

      CREATE TABLE step_executions (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs (id),
        step TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped', 'budget_stopped', 'deferred', 'cancelled')),
        started_at TEXT,
        finished_at TEXT,
        provider TEXT,
        model TEXT,
        output TEXT,
        output_sha256 TEXT,
        output_file TEXT,
        error_kind TEXT,
        error_message TEXT,
        skip_reason TEXT,
        retry_after TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL NOT NULL DEFAULT 0,
        UNIQUE (run_id, step)
      );

      CREATE TABLE llm_calls (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs (id),
        step_execution_id INTEGER REFERENCES step_executions (id),
        step TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        pipeline_name TEXT NOT NULL,
        task TEXT NOT NULL,
        provider TEXT NOT NULL,
        provider_type TEXT NOT NULL,
        model TEXT NOT NULL,
        prompt_sha256 TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('succeeded', 'failed', 'cached')),
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cached_input_tokens INTEGER NOT NULL DEFAULT 0,
        reasoning_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL NOT NULL DEFAULT 0,
        latency_ms INTEGER,
        error_kind TEXT,
        error_message TEXT,
        synthetic INTEGER NOT NULL DEFAULT 0,
        reservation_id INTEGER REFERENCES budget_reservations (id),
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL
      );
      CREATE INDEX llm_calls_run ON llm_calls (run_id);
      CREATE INDEX llm_calls_started_at ON llm_calls (started_at);
      CREATE INDEX llm_calls_model_task ON llm_calls (provider, model, task);

      CREATE TABLE budget_reservations (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL,
        pipeline_name TEXT NOT NULL,
        day TEXT NOT NULL,
        month TEXT NOT NULL,
        reserved_nano_usd INTEGER NOT NULL CHECK (reserved_nano_usd >= 0),
        settled_nano_usd INTEGER CHECK (settled_nano_usd >= 0),
        status TEXT NOT NULL CHECK (status IN ('reserved', 'settled', 'released', 'expired')),
        process_id INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        closed_at TEXT
      );
      CREATE INDEX budget_reservations_day ON budget_reservations (day, status);
      CREATE INDEX budget_reservations_month ON budget_reservations (month, status);
      CREATE INDEX budget_reservations_run ON budget_reservations (run_id, status);
    `,
  },
  {
    // Per-pipeline and per-tag limits need each reservation's tags; soft alerts are recorded once
    // per scope, period and fraction, and the unique key makes the first process to insert the one
    // that alerts.
    name: "0002_budget_tags_and_alerts",
    sql: `
      CREATE TABLE budget_reservation_tags (
        reservation_id INTEGER NOT NULL REFERENCES budget_reservations (id),
        tag TEXT NOT NULL,
        PRIMARY KEY (reservation_id, tag)
      );
      CREATE INDEX budget_reservation_tags_tag ON budget_reservation_tags (tag, reservation_id);
      CREATE INDEX budget_reservations_pipeline ON budget_reservations (pipeline_name, day, status);
      CREATE INDEX budget_reservations_process ON budget_reservations (status, process_id);

      CREATE TABLE budget_alerts (
        id INTEGER PRIMARY KEY,
        scope TEXT NOT NULL CHECK (scope IN ('run', 'day', 'month')),
        subject_kind TEXT NOT NULL CHECK (subject_kind IN ('all', 'pipeline', 'tag')),
        subject_name TEXT NOT NULL DEFAULT '',
        period TEXT NOT NULL,
        fraction REAL NOT NULL CHECK (fraction > 0 AND fraction <= 1),
        used_nano_usd INTEGER NOT NULL,
        limit_nano_usd INTEGER NOT NULL,
        run_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (scope, subject_kind, subject_name, period, fraction)
      );
    `,
  },
  {
    // Answers are kept by content (cache key) so that an identical call is not paid twice: across
    // runs while they are fresh and were accepted, and always within a resumed run. A call's
    // fan-out item and rejection reason (why its answer failed the output checks) go on its row;
    // a run resumed in place records when and how often.
    name: "0003_cache_resume_gates",
    sql: `
      CREATE TABLE cached_answers (
        id INTEGER PRIMARY KEY,
        cache_key TEXT NOT NULL,
        run_id TEXT NOT NULL,
        step TEXT NOT NULL,
        item_index INTEGER,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        answer TEXT NOT NULL,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL NOT NULL DEFAULT 0,
        state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
        shareable INTEGER NOT NULL CHECK (shareable IN (0, 1)),
        call_id INTEGER,
        created_at TEXT NOT NULL,
        hits INTEGER NOT NULL DEFAULT 0,
        last_hit_at TEXT
      );
      CREATE INDEX cached_answers_key ON cached_answers (cache_key, state, created_at);
      CREATE INDEX cached_answers_run ON cached_answers (run_id, step, cache_key);
      CREATE INDEX cached_answers_created_at ON cached_answers (created_at);

      ALTER TABLE llm_calls ADD COLUMN item_index INTEGER;
      ALTER TABLE llm_calls ADD COLUMN cache_key TEXT;
      ALTER TABLE llm_calls ADD COLUMN rejection_reason TEXT;
      CREATE INDEX llm_calls_run_step ON llm_calls (run_id, step, item_index);

      ALTER TABLE runs ADD COLUMN resumed_at TEXT;
      ALTER TABLE runs ADD COLUMN resume_count INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX runs_pipeline_path ON runs (pipeline_path, started_at);
    `,
  },
  {
    // A step's result document (what `<step>.json` holds) is committed with the step's row, so the
    // results folder can always be rebuilt from SQLite: a process killed between the commit and the
    // file write leaves the file missing, and `--resume` writes it back from here.
    name: "0004_step_result_documents",
    sql: `
      ALTER TABLE step_executions ADD COLUMN result_json TEXT;
    `,
  },
  {
    // Which unit of work (run, step, fan-out item) was served which answer, whoever paid for it:
    // a resumed run finds the answers it was already given (by single flight or by the cache) even
    // when it now runs with --no-cache or `cache: false`, so it never pays for them again.
    name: "0005_cached_answer_uses",
    sql: `
      CREATE TABLE cached_answer_uses (
        id INTEGER PRIMARY KEY,
        entry_id INTEGER NOT NULL REFERENCES cached_answers (id) ON DELETE CASCADE,
        run_id TEXT NOT NULL,
        step TEXT NOT NULL,
        item_index INTEGER,
        used_at TEXT NOT NULL
      );
      CREATE INDEX cached_answer_uses_unit ON cached_answer_uses (run_id, step, item_index);
      CREATE INDEX cached_answer_uses_entry ON cached_answer_uses (entry_id);
    `,
  },
  {
    // Issue 9 item 12: a rejected answer's checker output (the end of it, secrets scrubbed) is kept
    // on the call's row, so `orch report` and later readers see why, not just "exit 1".
    name: "0006_checker_output",
    sql: `
      ALTER TABLE llm_calls ADD COLUMN checker_output TEXT;
    `,
  },
  {
    // Budgets you can bet on: a reservation says whether its money is synthetic (mock, replay: counted
    // in its run, never in the real day and month); a settlement above its reservation is an overrun,
    // recorded once per reservation; and the calendar (time zone) of day and month budgets is fixed
    // per database, so every process sharing it agrees on what "today" is.
    name: "0007_ledger_overruns_synthetic_calendar",
    sql: `
      ALTER TABLE budget_reservations ADD COLUMN synthetic INTEGER NOT NULL DEFAULT 0 CHECK (synthetic IN (0, 1));
      CREATE INDEX budget_reservations_day_synthetic ON budget_reservations (day, synthetic, status);

      CREATE TABLE budget_overruns (
        id INTEGER PRIMARY KEY,
        reservation_id INTEGER NOT NULL UNIQUE REFERENCES budget_reservations (id),
        run_id TEXT NOT NULL,
        pipeline_name TEXT NOT NULL,
        day TEXT NOT NULL,
        month TEXT NOT NULL,
        step TEXT NOT NULL,
        item_index INTEGER,
        attempt INTEGER NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        synthetic INTEGER NOT NULL CHECK (synthetic IN (0, 1)),
        reserved_nano_usd INTEGER NOT NULL CHECK (reserved_nano_usd >= 0),
        settled_nano_usd INTEGER NOT NULL CHECK (settled_nano_usd > reserved_nano_usd),
        overrun_nano_usd INTEGER NOT NULL CHECK (overrun_nano_usd > 0),
        created_at TEXT NOT NULL
      );
      CREATE INDEX budget_overruns_run ON budget_overruns (run_id);
      CREATE INDEX budget_overruns_day ON budget_overruns (day);
      CREATE INDEX budget_overruns_created_at ON budget_overruns (created_at);

      CREATE TABLE ledger_settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        set_at TEXT NOT NULL
      );
    `,
  },
  {
    // Issue 12, the call log: what each call sent (the rendered messages, as JSON) and what came back,
    // secrets scrubbed, beside its row in llm_calls. A table of its own keeps llm_calls (which every
    // report scans) narrow. `kept = 'hashes'` (a sensitive step, or the policy's `log.prompts:
    // hashes`) stores no text, only the SHA-256 of the answer (the prompt's is on llm_calls).
    // answer_sha256 is set only then.
    name: "0008_call_log_texts",
    sql: `
      CREATE TABLE llm_call_texts (
        call_id INTEGER PRIMARY KEY REFERENCES llm_calls (id),
        kept TEXT NOT NULL CHECK (kept IN ('full', 'hashes')),
        messages_json TEXT,
        answer TEXT,
        answer_sha256 TEXT
      );
    `,
  },
  {
    // Issue 16, provider prompt caching: a call's cache writes (by lifetime) next to its cache reads,
    // and what the vendor's cache saved on it against the input price (negative when the write
    // premium outweighed the reads), in nano-dollars at the prices it was billed at: `orch report`
    // shows provider-cache savings next to orch's own cache savings.
    name: "0009_provider_cache_usage",
    sql: `
      ALTER TABLE llm_calls ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE llm_calls ADD COLUMN cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE llm_calls ADD COLUMN provider_cache_saved_nano INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    // Routing that learns: a call's verdict (its answer accepted by the checks, or rejected) and the
    // moment it became known, so other processes can pick up settled calls as they happen, and the
    // step's language, so success can be learnt per task type and language.
    name: "0010_call_verdicts",
    sql: `
      ALTER TABLE llm_calls ADD COLUMN verdict TEXT CHECK (verdict IN ('accepted', 'rejected'));
      ALTER TABLE llm_calls ADD COLUMN verdict_at TEXT;
      ALTER TABLE llm_calls ADD COLUMN language TEXT;
      CREATE INDEX llm_calls_verdict_at ON llm_calls (verdict_at);
    `,
  },
  {
    // Issue 11: budget checks read running totals per scope instead of summing every reservation of
    // the day and month on every call (which slowed each call as the month filled up). The totals are
    // kept by the transaction that changes a reservation (store/scope-totals.ts) and start from the
    // rows already there. The indexes that carried `status` served only those sums; each status
    // change rewrote all five. Open reservations (the only ones looked up by status) get partial
    // indexes; reports read by month. WITHOUT ROWID: the totals are read and written by their key
    // only, so one B-tree is written per change instead of the table and its key index.
    name: "0011_budget_scope_totals",
    sql: `
      CREATE TABLE budget_scope_totals (
        scope TEXT NOT NULL CHECK (scope IN ('run', 'day', 'month')),
        period TEXT NOT NULL,
        subject_kind TEXT NOT NULL CHECK (subject_kind IN ('all', 'pipeline', 'tag')),
        subject_name TEXT NOT NULL,
        synthetic INTEGER NOT NULL CHECK (synthetic IN (0, 1)),
        settled_nano_usd INTEGER NOT NULL DEFAULT 0,
        reserved_nano_usd INTEGER NOT NULL DEFAULT 0,
        expired_nano_usd INTEGER NOT NULL DEFAULT 0,
        expired_count INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (scope, period, subject_kind, subject_name, synthetic)
      ) WITHOUT ROWID;
      INSERT INTO budget_scope_totals (scope, period, subject_kind, subject_name, synthetic, settled_nano_usd, reserved_nano_usd, expired_nano_usd, expired_count)
      WITH places (scope, period, subject_kind, subject_name, synthetic, status, reserved_nano_usd, settled_nano_usd) AS (
        SELECT 'run', run_id, 'all', '', synthetic, status, reserved_nano_usd, settled_nano_usd FROM budget_reservations
        UNION ALL SELECT 'day', day, 'all', '', synthetic, status, reserved_nano_usd, settled_nano_usd FROM budget_reservations
        UNION ALL SELECT 'month', month, 'all', '', synthetic, status, reserved_nano_usd, settled_nano_usd FROM budget_reservations
        UNION ALL SELECT 'run', run_id, 'pipeline', pipeline_name, synthetic, status, reserved_nano_usd, settled_nano_usd FROM budget_reservations
        UNION ALL SELECT 'day', day, 'pipeline', pipeline_name, synthetic, status, reserved_nano_usd, settled_nano_usd FROM budget_reservations
        UNION ALL SELECT 'month', month, 'pipeline', pipeline_name, synthetic, status, reserved_nano_usd, settled_nano_usd FROM budget_reservations
        UNION ALL SELECT 'run', r.run_id, 'tag', t.tag, r.synthetic, r.status, r.reserved_nano_usd, r.settled_nano_usd
          FROM budget_reservations r JOIN budget_reservation_tags t ON t.reservation_id = r.id
        UNION ALL SELECT 'day', r.day, 'tag', t.tag, r.synthetic, r.status, r.reserved_nano_usd, r.settled_nano_usd
          FROM budget_reservations r JOIN budget_reservation_tags t ON t.reservation_id = r.id
        UNION ALL SELECT 'month', r.month, 'tag', t.tag, r.synthetic, r.status, r.reserved_nano_usd, r.settled_nano_usd
          FROM budget_reservations r JOIN budget_reservation_tags t ON t.reservation_id = r.id
      )
      SELECT scope, period, subject_kind, subject_name, synthetic,
        COALESCE(SUM(CASE WHEN status = 'settled' THEN settled_nano_usd ELSE 0 END), 0),
        COALESCE(SUM(CASE WHEN status = 'reserved' THEN reserved_nano_usd ELSE 0 END), 0),
        COALESCE(SUM(CASE WHEN status = 'expired' THEN reserved_nano_usd ELSE 0 END), 0),
        COUNT(CASE WHEN status = 'expired' THEN 1 END)
      FROM places GROUP BY scope, period, subject_kind, subject_name, synthetic;

      DROP INDEX budget_reservations_day;
      DROP INDEX budget_reservations_month;
      DROP INDEX budget_reservations_run;
      DROP INDEX budget_reservations_pipeline;
      DROP INDEX budget_reservations_day_synthetic;
      DROP INDEX budget_reservations_process;
      CREATE INDEX budget_reservations_by_month ON budget_reservations (month);
      CREATE INDEX budget_reservations_open_expiry ON budget_reservations (expires_at) WHERE status = 'reserved';
      CREATE INDEX budget_reservations_open_process ON budget_reservations (process_id) WHERE status = 'reserved';
    `,
  },
  {
    // Issue 16: calls sent to a vendor's batch API answer hours later, maybe after this process is
    // gone. Each batch and each call in it is written before anything waits, so `orch run --resume`
    // collects a pending call (found by its cache key: same provider, model, prompt, parameters)
    // instead of submitting and paying for it again.
    name: "0012_batch_jobs",
    sql: `
      CREATE TABLE batch_jobs (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL,
        provider TEXT NOT NULL,
        vendor_batch_id TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        deadline_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ended', 'failed', 'expired', 'abandoned'))
      );
      CREATE TABLE batch_calls (
        batch_job_id INTEGER NOT NULL REFERENCES batch_jobs (id),
        custom_id TEXT NOT NULL,
        cache_key TEXT NOT NULL,
        step TEXT NOT NULL,
        item INTEGER,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'collected', 'fallen-back')),
        PRIMARY KEY (batch_job_id, custom_id)
      );
      CREATE INDEX batch_calls_pending ON batch_calls (cache_key) WHERE status = 'pending';
    `,
  },
  {
    // Issue 14, team scopes: a reservation may spend for a team and a project (a policy's
    // `budget.team` / `budget.project`), counted per day and month under the new subject kinds
    // `team` and `project` in the same running totals (so one reservation checks team, project,
    // pipeline and tag limits in one transaction). SQLite cannot change a CHECK, so the totals and
    // alerts tables are rebuilt with the new kinds, their rows copied as they are. A team's own
    // limits live in the database (`orch budget team set`), one row per team, project ('' for the
    // team itself) and period, with who set it and when.
    name: "0013_team_budgets",
    sql: `
      ALTER TABLE budget_reservations ADD COLUMN team TEXT;
      ALTER TABLE budget_reservations ADD COLUMN project TEXT;
      CREATE INDEX budget_reservations_team ON budget_reservations (team, month, project) WHERE team IS NOT NULL;
      CREATE INDEX budget_reservations_project_run ON budget_reservations (run_id, project) WHERE project IS NOT NULL;

      CREATE TABLE budget_scope_totals_0013 (
        scope TEXT NOT NULL CHECK (scope IN ('run', 'day', 'month')),
        period TEXT NOT NULL,
        subject_kind TEXT NOT NULL CHECK (subject_kind IN ('all', 'pipeline', 'tag', 'team', 'project')),
        subject_name TEXT NOT NULL,
        synthetic INTEGER NOT NULL CHECK (synthetic IN (0, 1)),
        settled_nano_usd INTEGER NOT NULL DEFAULT 0,
        reserved_nano_usd INTEGER NOT NULL DEFAULT 0,
        expired_nano_usd INTEGER NOT NULL DEFAULT 0,
        expired_count INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (scope, period, subject_kind, subject_name, synthetic)
      ) WITHOUT ROWID;
      INSERT INTO budget_scope_totals_0013 SELECT scope, period, subject_kind, subject_name, synthetic,
        settled_nano_usd, reserved_nano_usd, expired_nano_usd, expired_count FROM budget_scope_totals;
      DROP TABLE budget_scope_totals;
      ALTER TABLE budget_scope_totals_0013 RENAME TO budget_scope_totals;

      CREATE TABLE budget_alerts_0013 (
        id INTEGER PRIMARY KEY,
        scope TEXT NOT NULL CHECK (scope IN ('run', 'day', 'month')),
        subject_kind TEXT NOT NULL CHECK (subject_kind IN ('all', 'pipeline', 'tag', 'team', 'project')),
        subject_name TEXT NOT NULL DEFAULT '',
        period TEXT NOT NULL,
        fraction REAL NOT NULL CHECK (fraction > 0 AND fraction <= 1),
        used_nano_usd INTEGER NOT NULL,
        limit_nano_usd INTEGER NOT NULL,
        run_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (scope, subject_kind, subject_name, period, fraction)
      );
      INSERT INTO budget_alerts_0013 SELECT id, scope, subject_kind, subject_name, period, fraction, used_nano_usd, limit_nano_usd,
        run_id, created_at FROM budget_alerts;
      DROP TABLE budget_alerts;
      ALTER TABLE budget_alerts_0013 RENAME TO budget_alerts;

      CREATE TABLE team_budget_limits (
        team TEXT NOT NULL,
        project TEXT NOT NULL DEFAULT '',
        scope TEXT NOT NULL CHECK (scope IN ('day', 'month')),
        limit_nano_usd INTEGER NOT NULL CHECK (limit_nano_usd >= 0),
        set_by TEXT NOT NULL,
        set_at TEXT NOT NULL,
        PRIMARY KEY (team, project, scope)
      );
    `,
  },
  {
    // Issue 16: an ended batch's answers are kept as soon as orch sees them (`orch run` polling,
    // or `orch batch collect` while no run waits), so `orch run --resume` takes each call's answer
    // from here, without asking the vendor again, and records it (and its cost) once. JSON of the
    // call's BatchAnswer (text scrubbed of secrets): an answer, or why the batch gave none.
    name: "0014_batch_answers",
    sql: `
      ALTER TABLE batch_calls ADD COLUMN answer_json TEXT;
    `,
  },
  {
    // Issue 14, as PostgreSQL's 0005_in_flight_calls: single flight across the processes sharing
    // this file (store/in-flight-repository.ts). One row per cache key: who calls, until when,
    // and once released the entry its answer was kept in. A deleted entry leaves the row pointing
    // at nothing (a waiter then calls on its own). The index on entry_id, which PostgreSQL's
    // migration lacks, keeps deleting cache entries from scanning this table once per entry.
    name: "0015_in_flight_calls",
    sql: `
      CREATE TABLE in_flight_calls (
        cache_key TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('in-flight', 'answered', 'failed')),
        claimed_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        entry_id INTEGER REFERENCES cached_answers (id) ON DELETE SET NULL,
        released_at TEXT
      );
      CREATE INDEX in_flight_calls_released_at ON in_flight_calls (released_at) WHERE state <> 'in-flight';
      CREATE INDEX in_flight_calls_entry ON in_flight_calls (entry_id);
    `,
  },
];
