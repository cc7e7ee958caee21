/**
 * PostgreSQL migrations: append-only and named, like SQLite's (`store/migrations.ts`). A shipped
 * migration is never edited: add a new one. `migrate.ts` applies each in its own transaction, in
 * order, under an advisory lock, and records it in `schema_migrations`.
 *
 * The schema is the SQLite ledger's, in PostgreSQL's types: money is BIGINT nano-dollars, instants
 * are TIMESTAMPTZ, flags are BOOLEAN. Two additions make it work across machines:
 * - every reservation names its process by host name and process id (ids repeat across machines),
 *   and by the process's lease (`ledger_processes`), which tells any machine when that process is gone;
 * - `budget_scope_totals` keeps a running total per (scope, period, subject), updated in the
 *   reservation's own transaction. Its row is what a reservation locks to check-and-reserve
 *   atomically (see `ledger-store.ts`), and it makes the check one row read instead of a sum.
 */
import type { Migration } from "../migrations.js";

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
];
