/**
 * The call log: what each call sent and received (written once per call, inside the transaction
 * that records the call), and the read queries behind `orch runs`, `orch show` and `orch diff`.
 * Instants are ISO-8601 UTC strings, so a string comparison orders them.
 */
import type { SqliteDatabase } from "./database.js";
import type { CallText, LoggedCall, RunFilter, RunListRow } from "../contracts/call-log-store.js";
import type { RunRow, StepRow } from "../contracts/run-store.js";

export class CallLogRepository {
  constructor(private readonly database: SqliteDatabase) {}

  recordCallText(callId: number, text: CallText): void {
    this.database
      .prepare(`INSERT INTO llm_call_texts (call_id, kept, messages_json, answer, answer_sha256) VALUES (?, ?, ?, ?, ?)`)
      .run(callId, text.kept, text.messagesJson ?? null, text.answer ?? null, text.answerSha256 ?? null);
  }

  /** Newest first. */
  listRuns(filter: RunFilter): RunListRow[] {
    const conditions: string[] = [];
    const parameters: (string | number)[] = [];
    if (filter.pipeline !== undefined) {
      conditions.push(`(r.pipeline_name = ? OR r.pipeline_path = ?)`);
      parameters.push(filter.pipeline.name, filter.pipeline.file);
    }
    if (filter.status !== undefined) {
      conditions.push(`r.status = ?`);
      parameters.push(filter.status);
    }
    if (filter.sinceIso !== undefined) {
      conditions.push(`r.started_at >= ?`);
      parameters.push(filter.sinceIso);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
    return this.database
      .prepare(
        `SELECT r.*, COALESCE(SUM(CAST(ROUND(c.cost_usd * 1e9) AS INTEGER)), 0) AS cost_nano_usd, COUNT(c.id) AS calls, COALESCE(MAX(c.synthetic), 0) AS synthetic
         FROM runs r LEFT JOIN llm_calls c ON c.run_id = r.id
         ${where}
         GROUP BY r.id ORDER BY r.started_at DESC, r.rowid DESC LIMIT ?`,
      )
      .all(...parameters, filter.limit) as RunListRow[];
  }

  /** The newest run, or undefined in an empty database. */
  latestRun(): RunRow | undefined {
    return this.database.prepare(`SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1`).get() as RunRow | undefined;
  }

  /** The run before the newest one (`latest~1`, for `orch diff` with one argument). */
  runBefore(run: RunRow): RunRow | undefined {
    return this.database
      .prepare(`SELECT * FROM runs WHERE pipeline_name = ? AND (started_at < ? OR (started_at = ? AND rowid < (SELECT rowid FROM runs WHERE id = ?))) ORDER BY started_at DESC, rowid DESC LIMIT 1`)
      .get(run.pipeline_name, run.started_at, run.started_at, run.id) as RunRow | undefined;
  }

  /** Up to `limit` runs whose id starts with `prefix` (a LIKE pattern's wildcards in it are matched literally). */
  runsByPrefix(prefix: string, limit = 5): RunRow[] {
    const escaped = prefix.replace(/[\\%_]/g, (character) => `\\${character}`);
    return this.database.prepare(`SELECT * FROM runs WHERE id LIKE ? ESCAPE '\\' ORDER BY started_at DESC LIMIT ?`).all(`${escaped}%`, limit) as RunRow[];
  }

  steps(runId: string): StepRow[] {
    return this.database.prepare(`SELECT * FROM step_executions WHERE run_id = ? ORDER BY id`).all(runId) as StepRow[];
  }

  /**
   * The route a step's result recorded (`{ matched, candidates, notes, chosen }` as JSON), read
   * alone so a large result (prompts, output) is not parsed for it; undefined without one.
   */
  stepRoute(runId: string, step: string): string | undefined {
    const row = this.database
      .prepare(`SELECT json_extract(result_json, '$.route') AS route FROM step_executions WHERE run_id = ? AND step = ?`)
      .get(runId, step) as { route: string | null } | undefined;
    return row?.route ?? undefined;
  }

  /** Every call of a run, with its texts, in the order they were made. */
  calls(runId: string): LoggedCall[] {
    return this.database
      .prepare(
        `SELECT c.id, c.step, c.item_index, c.attempt, c.provider, c.provider_type, c.model, c.status, c.prompt_sha256, c.input_tokens,
           c.output_tokens, c.cost_usd, c.latency_ms, c.error_kind, c.error_message, c.rejection_reason, c.checker_output, c.synthetic,
           c.started_at, t.kept, t.messages_json, t.answer, t.answer_sha256
         FROM llm_calls c LEFT JOIN llm_call_texts t ON t.call_id = c.id
         WHERE c.run_id = ? ORDER BY c.id`,
      )
      .all(runId) as LoggedCall[];
  }
}
