import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { migrate, openDatabase } from "../../src/store/database.js";
import { migrations } from "../../src/store/migrations.js";

const expectedColumns: Record<string, string[]> = {
  runs: ["id", "pipeline_name", "pipeline_path", "policy_path", "status", "inputs_json", "started_at", "finished_at", "results_directory", "process_id", "exit_code",
    "resumed_at", "resume_count"],
  step_executions: [
    "id", "run_id", "step", "status", "started_at", "finished_at", "provider", "model", "output", "output_sha256", "output_file",
    "error_kind", "error_message", "skip_reason", "retry_after", "attempts", "input_tokens", "output_tokens", "cost_usd",
    "result_json",
  ],
  llm_calls: [
    "id", "run_id", "step_execution_id", "step", "attempt", "pipeline_name", "task", "provider", "provider_type", "model", "prompt_sha256",
    "status", "input_tokens", "output_tokens", "cached_input_tokens", "reasoning_tokens", "cost_usd", "latency_ms", "error_kind",
    "error_message", "synthetic", "reservation_id", "started_at", "finished_at", "item_index", "cache_key", "rejection_reason",
    "checker_output", "cache_write_tokens", "cache_write_1h_tokens", "provider_cache_saved_nano", "verdict", "verdict_at", "language",
  ],
  budget_reservations: [
    "id", "run_id", "pipeline_name", "day", "month", "reserved_nano_usd", "settled_nano_usd", "status", "process_id", "created_at",
    "expires_at", "closed_at", "synthetic", "team", "project",
  ],
  budget_reservation_tags: ["reservation_id", "tag"],
  cached_answers: [
    "id", "cache_key", "run_id", "step", "item_index", "provider", "model", "answer", "input_tokens", "output_tokens", "cost_usd",
    "state", "shareable", "call_id", "created_at", "hits", "last_hit_at",
  ],
  cached_answer_uses: ["id", "entry_id", "run_id", "step", "item_index", "used_at"],
  budget_alerts: [
    "id", "scope", "subject_kind", "subject_name", "period", "fraction", "used_nano_usd", "limit_nano_usd", "run_id", "created_at",
  ],
  budget_overruns: [
    "id", "reservation_id", "run_id", "pipeline_name", "day", "month", "step", "item_index", "attempt", "provider", "model", "synthetic",
    "reserved_nano_usd", "settled_nano_usd", "overrun_nano_usd", "created_at",
  ],
  ledger_settings: ["name", "value", "set_at"],
  llm_call_texts: ["call_id", "kept", "messages_json", "answer", "answer_sha256"],
  budget_scope_totals: [
    "scope", "period", "subject_kind", "subject_name", "synthetic", "settled_nano_usd", "reserved_nano_usd", "expired_nano_usd", "expired_count",
  ],
  team_budget_limits: ["team", "project", "scope", "limit_nano_usd", "set_by", "set_at"],
  batch_jobs: ["id", "run_id", "provider", "vendor_batch_id", "submitted_at", "deadline_at", "status"],
  batch_calls: ["batch_job_id", "custom_id", "cache_key", "step", "item", "status", "answer_json"],
  in_flight_calls: ["cache_key", "holder", "state", "claimed_at", "expires_at", "entry_id", "released_at"],
};

describe("migrations", () => {
  it("migrate a blank database to the expected schema and record every migration", () => {
    const database = openDatabase(path.join(mkdtempSync(path.join(os.tmpdir(), "orch-db-")), "orch.db"));
    for (const [table, columns] of Object.entries(expectedColumns)) {
      const actual = (database.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((column) => column.name);
      assert.deepEqual(actual, columns, table);
    }
    const recorded = (database.prepare("SELECT name FROM schema_migrations ORDER BY name").all() as { name: string }[]).map((row) => row.name);
    assert.deepEqual(recorded, migrations.map((migration) => migration.name));
    assert.equal((database.pragma("integrity_check") as { integrity_check: string }[])[0]?.integrity_check, "ok");
    assert.equal(database.pragma("journal_mode", { simple: true }), "wal");
    database.close();
  });

  it("apply each migration once, even when opened again", () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "orch-db-")), "orch.db");
    openDatabase(file).close();
    const database = openDatabase(file);
    assert.deepEqual(migrate(database, migrations), []);
    database.close();
  });

  it("have unique names in a stable order", () => {
    const names = migrations.map((migration) => migration.name);
    assert.equal(new Set(names).size, names.length);
    assert.deepEqual([...names].sort(), names);
  });

  it("enforce status values with CHECK constraints", () => {
    const database = openDatabase(":memory:");
    assert.throws(
      () => database.prepare("INSERT INTO runs (id, pipeline_name, pipeline_path, status, inputs_json, started_at) VALUES ('r', 'p', 'f', 'bogus', '{}', 'now')").run(),
      /CHECK constraint failed/,
    );
    database.close();
  });

  it("0013 keeps the totals and alerts rows it rebuilds, and lets them hold team and project subjects", () => {
    const database = openDatabase(":memory:", { migrations: migrations.filter((migration) => migration.name < "0013") });
    database.prepare(`INSERT INTO budget_scope_totals VALUES ('day', '2026-03-31', 'pipeline', 'notes', 0, 7, 3, 2, 1)`).run();
    database
      .prepare(`INSERT INTO budget_alerts (id, scope, subject_kind, subject_name, period, fraction, used_nano_usd, limit_nano_usd, run_id, created_at)
                VALUES (41, 'month', 'tag', 'drafts', '2026-03', 0.5, 5, 10, 'r1', 't')`)
      .run();
    migrate(database, migrations);
    assert.deepEqual(database.prepare(`SELECT * FROM budget_scope_totals`).all(), [
      { scope: "day", period: "2026-03-31", subject_kind: "pipeline", subject_name: "notes", synthetic: 0, settled_nano_usd: 7, reserved_nano_usd: 3, expired_nano_usd: 2, expired_count: 1 },
    ]);
    assert.equal((database.prepare(`SELECT id, subject_name AS name FROM budget_alerts`).get() as { id: number; name: string }).id, 41);
    database.prepare(`INSERT INTO budget_scope_totals VALUES ('day', '2026-03-31', 'team', 'platform', 0, 1, 0, 0, 0)`).run();
    database.prepare(`INSERT INTO budget_alerts (scope, subject_kind, subject_name, period, fraction, used_nano_usd, limit_nano_usd, run_id, created_at)
                      VALUES ('day', 'project', 'app', '2026-03-31', 0.5, 5, 10, 'r1', 't')`).run();
    assert.throws(() => database.prepare(`INSERT INTO budget_scope_totals VALUES ('day', 'x', 'bogus', 'y', 0, 1, 0, 0, 0)`).run(), /CHECK constraint failed/);
    database.close();
  });
});

describe("opening the database", () => {
  it("creates missing folders, and refuses a place it cannot write with exit 2 and a hint (no hang)", async () => {
    const { openDatabase: open } = await import("../../src/store/database.js");
    const directory = mkdtempSync(path.join(os.tmpdir(), "orch-db-"));
    open(path.join(directory, "a/b/c/orch.db")).close();
    if (process.platform !== "linux") return;
    assert.throws(
      () => open("/proc/orch-cannot-be-here/orch.db"),
      (error: unknown) => {
        const orchError = error as { exitCode: number; message: string; hint: string };
        assert.equal(orchError.exitCode, 2);
        assert.match(orchError.message, /cannot open the orch database at \/proc\/orch-cannot-be-here\/orch\.db/);
        assert.match(orchError.hint, /ORCH_HOME|--db/);
        return true;
      },
    );
  });
});
