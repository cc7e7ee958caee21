/**
 * PostgreSQL migrations from a blank database: every table and column the ledger needs, applied
 * once; and several processes migrating one blank database at once (the advisory lock) all succeed,
 * with each migration applied exactly once.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { openPostgresPool, type PostgresPool } from "../../../src/store/postgres/connection.js";
import { migratePostgres } from "../../../src/store/postgres/migrate.js";
import { postgresMigrations } from "../../../src/store/postgres/migrations.js";
import { createTestDatabase, postgresSkip, type TestDatabase } from "../../support/postgres.js";

const expectedColumns: Record<string, string[]> = {
  schema_migrations: ["name", "applied_at"],
  budget_reservations: [
    "id", "run_id", "pipeline_name", "day", "month", "reserved_nano_usd", "settled_nano_usd", "status", "synthetic", "process_id",
    "host_name", "lease_id", "created_at", "expires_at", "closed_at", "team", "project",
  ],
  ledger_processes: ["id", "host_name", "process_id", "started_at"],
  budget_reservation_tags: ["reservation_id", "tag"],
  budget_scope_totals: [
    "scope", "period", "subject_kind", "subject_name", "settled_real", "reserved_real", "expired_real", "expired_count_real",
    "settled_synthetic", "reserved_synthetic", "expired_synthetic", "expired_count_synthetic",
  ],
  budget_overruns: [
    "id", "reservation_id", "run_id", "pipeline_name", "day", "month", "step", "item_index", "attempt", "provider", "model", "synthetic",
    "reserved_nano_usd", "settled_nano_usd", "overrun_nano_usd", "created_at",
  ],
  budget_alerts: ["id", "scope", "subject_kind", "subject_name", "period", "fraction", "used_nano_usd", "limit_nano_usd", "run_id", "created_at"],
  ledger_settings: ["name", "value", "set_at"],
  team_budget_limits: ["team", "project", "scope", "limit_nano_usd", "set_by", "set_at"],
  // The run log, cache and batches: SQLite's columns in SQLite's order (runs adds `seq`, SQLite's rowid).
  runs: [
    "id", "pipeline_name", "pipeline_path", "policy_path", "status", "inputs_json", "started_at", "finished_at", "results_directory", "process_id",
    "exit_code", "resumed_at", "resume_count", "seq",
  ],
  step_executions: [
    "id", "run_id", "step", "status", "started_at", "finished_at", "provider", "model", "output", "output_sha256", "output_file", "error_kind",
    "error_message", "skip_reason", "retry_after", "attempts", "input_tokens", "output_tokens", "cost_usd", "result_json",
  ],
  llm_calls: [
    "id", "run_id", "step_execution_id", "step", "attempt", "pipeline_name", "task", "provider", "provider_type", "model", "prompt_sha256", "status",
    "input_tokens", "output_tokens", "cached_input_tokens", "reasoning_tokens", "cost_usd", "latency_ms", "error_kind", "error_message", "synthetic",
    "reservation_id", "started_at", "finished_at", "item_index", "cache_key", "rejection_reason", "checker_output", "cache_write_tokens",
    "cache_write_1h_tokens", "provider_cache_saved_nano", "verdict", "verdict_at", "language",
  ],
  llm_call_texts: ["call_id", "kept", "messages_json", "answer", "answer_sha256"],
  cached_answers: [
    "id", "cache_key", "run_id", "step", "item_index", "provider", "model", "answer", "input_tokens", "output_tokens", "cost_usd", "state", "shareable",
    "call_id", "created_at", "hits", "last_hit_at",
  ],
  cached_answer_uses: ["id", "entry_id", "run_id", "step", "item_index", "used_at"],
  batch_jobs: ["id", "run_id", "provider", "vendor_batch_id", "submitted_at", "deadline_at", "status"],
  batch_calls: ["batch_job_id", "custom_id", "cache_key", "step", "item", "status", "answer_json"],
  in_flight_calls: ["cache_key", "holder", "state", "claimed_at", "expires_at", "entry_id", "released_at"],
};

describe("PostgreSQL migrations", { skip: postgresSkip() }, () => {
  const databases: TestDatabase[] = [];
  const pools: PostgresPool[] = [];
  const blankDatabase = async () => {
    const database = await createTestDatabase();
    databases.push(database);
    return database;
  };
  const poolFor = (url: string) => {
    const pool = openPostgresPool({ url, maxConnections: 2 });
    pools.push(pool);
    return pool;
  };
  after(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    for (const database of databases) await database.drop();
  });

  it("builds every table and column from a blank database, once", async () => {
    const pool = poolFor((await blankDatabase()).url);
    assert.deepEqual(await migratePostgres(pool), ["0001_ledger", "0002_team_budgets", "0003_run_log", "0004_answer_cache_batches", "0005_in_flight_calls", "0006_batch_answers", "0007_ledger_functions", "0008_in_flight_entry"]);
    const rows = await pool.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    );
    const columns: Record<string, string[]> = {};
    for (const row of rows.rows) (columns[row.table_name] ??= []).push(row.column_name);
    assert.deepEqual(columns, Object.fromEntries(Object.entries(expectedColumns).sort(([a], [b]) => (a < b ? -1 : 1))));
    const functions = await pool.query<{ name: string }>(
      `SELECT DISTINCT proname::text COLLATE "C" AS name FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY 1`,
    );
    assert.deepEqual(
      functions.rows.map((row) => row.name),
      ["orch_apply_totals", "orch_close_reservation", "orch_real_avg", "orch_real_avg_final", "orch_real_sum", "orch_real_sum_final", "orch_real_sum_step", "orch_reserve"],
    );
    const entryIndex = await pool.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename = 'in_flight_calls' AND indexname = 'in_flight_calls_entry'`);
    assert.match(entryIndex.rows[0]?.indexdef ?? "no index", /\(entry_id\) WHERE \(entry_id IS NOT NULL\)$/, "deleting an answer finds the claims pointing at it by index");
    assert.deepEqual(await migratePostgres(pool), [], "a second run finds nothing to do");
  });

  it("lets several processes migrate one blank database at once: each migration is applied exactly once", async () => {
    const { url } = await blankDatabase();
    // Separate pools stand for separate processes: separate connections, no shared state but the server.
    const migrators = [1, 2, 3, 4].map(() => poolFor(url));
    const applied = await Promise.all(migrators.map((pool) => migratePostgres(pool)));
    assert.deepEqual(applied.flat().sort(), postgresMigrations.map((migration) => migration.name).sort());
    const recorded = await migrators[0]!.query<{ name: string }>(`SELECT name FROM schema_migrations ORDER BY name`);
    assert.deepEqual(
      recorded.rows.map((row) => row.name),
      postgresMigrations.map((migration) => migration.name),
    );
  });

  it("rolls a failing migration back whole and names it", async () => {
    const pool = poolFor((await blankDatabase()).url);
    const broken = [...postgresMigrations, { name: "9999_broken", sql: `CREATE TABLE half_done (id INTEGER); SELECT no_such_function();` }];
    await assert.rejects(migratePostgres(pool, broken), /PostgreSQL migration 9999_broken failed: .*no_such_function/);
    const halfDone = await pool.query(`SELECT to_regclass('half_done') AS exists`);
    assert.equal(halfDone.rows[0].exists, null, "nothing of the failed migration stays");
    const recorded = await pool.query<{ name: string }>(`SELECT name FROM schema_migrations ORDER BY name`);
    assert.deepEqual(recorded.rows.map((row) => row.name), ["0001_ledger", "0002_team_budgets", "0003_run_log", "0004_answer_cache_batches", "0005_in_flight_calls", "0006_batch_answers", "0007_ledger_functions", "0008_in_flight_entry"], "the ones before it stay applied");
  });
});
