/**
 * What resuming a run and checking answers need beyond `RunRepository`: finding the run to
 * resume, reopening it in place (same id, same results folder, same run budget), resetting the
 * steps that did not succeed, numbering attempts after the ones already recorded, and keeping why
 * an answer was rejected on its call's row.
 */
import type { SqliteDatabase } from "./database.js";
import type { ReopenedRun, ResumableRun } from "../contracts/execution-store.js";
import type { StepRow } from "../contracts/run-store.js";

const runColumns = `id, pipeline_name AS pipelineName, pipeline_path AS pipelinePath, status, inputs_json AS inputsJson,
  started_at AS startedAt, results_directory AS resultsDirectory, process_id AS processId`;

export class ExecutionRepository {
  constructor(private readonly database: SqliteDatabase) {}

  getRun(runId: string): ResumableRun | undefined {
    return this.database.prepare(`SELECT ${runColumns} FROM runs WHERE id = ?`).get(runId) as ResumableRun | undefined;
  }

  /** Runs of this pipeline file that did not succeed, newest first. */
  unfinishedRuns(pipelinePath: string, limit = 20): ResumableRun[] {
    return this.database
      .prepare(`SELECT ${runColumns} FROM runs WHERE pipeline_path = ? AND status != 'succeeded' ORDER BY started_at DESC, rowid DESC LIMIT ?`)
      .all(pipelinePath, limit) as ResumableRun[];
  }

  /**
   * Reopens the run and prepares its steps in one transaction: steps added to the pipeline since
   * get a row, every step that did not succeed is reset to pending. Returns each step's row id and
   * the rows of the steps that succeeded (their outputs are reused).
   */
  reopenRun(runId: string, steps: readonly string[], processId: number, at: string): ReopenedRun {
    return this.database
      .transaction(() => {
        this.database
          .prepare(
            `UPDATE runs SET status = 'running', finished_at = NULL, exit_code = NULL, process_id = ?, resumed_at = ?,
               resume_count = resume_count + 1 WHERE id = ?`,
          )
          .run(processId, at, runId);
        const insert = this.database.prepare(`INSERT OR IGNORE INTO step_executions (run_id, step, status) VALUES (?, ?, 'pending')`);
        for (const step of steps) insert.run(runId, step);
        this.database
          .prepare(
            `UPDATE step_executions SET status = 'pending', started_at = NULL, finished_at = NULL, provider = NULL, model = NULL,
               output = NULL, output_sha256 = NULL, output_file = NULL, error_kind = NULL, error_message = NULL, skip_reason = NULL,
               retry_after = NULL, result_json = NULL, attempts = 0, input_tokens = 0, output_tokens = 0, cost_usd = 0
             WHERE run_id = ? AND status != 'succeeded'`,
          )
          .run(runId);
        const rows = this.database.prepare(`SELECT * FROM step_executions WHERE run_id = ? ORDER BY id`).all(runId) as StepRow[];
        const wanted = new Set(steps);
        return {
          ids: new Map(rows.filter((row) => wanted.has(row.step)).map((row) => [row.step, row.id])),
          succeeded: rows.filter((row) => wanted.has(row.step) && row.status === "succeeded"),
        };
      })
      .immediate();
  }

  /** The highest attempt number recorded per step and item (`step#item`, item empty for plain steps). */
  lastAttempts(runId: string): Map<string, number> {
    const rows = this.database
      .prepare(`SELECT step, item_index AS itemIndex, MAX(attempt) AS attempt FROM llm_calls WHERE run_id = ? GROUP BY step, item_index`)
      .all(runId) as { step: string; itemIndex: number | null; attempt: number }[];
    return new Map(rows.map((row) => [attemptKey(row.step, row.itemIndex ?? undefined), row.attempt]));
  }

  /** `checkerOutput`: the end of what the failing check printed, already scrubbed of secrets. */
  markCallRejected(callId: number, reason: string, checkerOutput?: string): void {
    this.database.prepare(`UPDATE llm_calls SET rejection_reason = ?, checker_output = ? WHERE id = ?`).run(reason, checkerOutput ?? null, callId);
  }

  /** The checks' verdict on a call's answer, when it became known, and the step's language: what routing learns from. */
  recordVerdict(callId: number, verdict: "accepted" | "rejected", at: string, language: string | undefined): void {
    this.database.prepare(`UPDATE llm_calls SET verdict = ?, verdict_at = ?, language = ? WHERE id = ?`).run(verdict, at, language ?? null, callId);
  }
}

export function attemptKey(step: string, itemIndex: number | undefined): string {
  return `${step}#${itemIndex ?? ""}`;
}
