/**
 * Resuming runs and checking answers on PostgreSQL (`ExecutionStore`): SQLite's queries
 * (`store/execution-repository.ts`). Reopening locks the run's row first, so two processes resuming
 * the same run one after the other each see the other's steps, never a half-reset run.
 */
import type { ExecutionStore, ReopenedRun, ResumableRun } from "../../contracts/execution-store.js";
import type { StepRow } from "../../contracts/run-store.js";
import { inTransaction, type PostgresPool } from "./connection.js";
import { allRows, execute, firstRow, namedStatement } from "./sql.js";

const runColumns = `id, pipeline_name AS "pipelineName", pipeline_path AS "pipelinePath", status, inputs_json AS "inputsJson",
  started_at AS "startedAt", results_directory AS "resultsDirectory", process_id AS "processId"`;

/** A rejected answer: its call's reason, and its entry (when still pending) out of the cache; one statement, the call's row first. */
const rejectAnswerStatement = namedStatement(
  "reject_answer",
  `WITH entry AS (
     UPDATE cached_answers SET state = 'rejected' WHERE id = $4 AND state = 'pending'
   )
   UPDATE llm_calls SET rejection_reason = $1, checker_output = $2 WHERE id = $3`,
);

const recordVerdictStatement = namedStatement("record_verdict", `UPDATE llm_calls SET verdict = $1, verdict_at = $2, language = $3 WHERE id = $4`);

export class PostgresExecutionStore implements ExecutionStore {
  constructor(private readonly pool: PostgresPool) {}

  getRun(runId: string): Promise<ResumableRun | undefined> {
    return firstRow<ResumableRun>(this.pool, `SELECT ${runColumns} FROM runs WHERE id = $1`, [runId]);
  }

  unfinishedRuns(pipelinePath: string, limit = 20): Promise<ResumableRun[]> {
    return allRows<ResumableRun>(
      this.pool,
      `SELECT ${runColumns} FROM runs WHERE pipeline_path = $1 AND status != 'succeeded' ORDER BY started_at DESC, seq DESC LIMIT $2`,
      [pipelinePath, limit],
    );
  }

  reopenRun(runId: string, steps: readonly string[], processId: number, at: string): Promise<ReopenedRun> {
    return inTransaction(this.pool, async (client) => {
      await client.query(
        `UPDATE runs SET status = 'running', finished_at = NULL, exit_code = NULL, process_id = $1, resumed_at = $2,
           resume_count = resume_count + 1 WHERE id = $3`,
        [processId, at, runId],
      );
      // Only steps not there yet: a conflicting row would still draw an id from the sequence, and new
      // steps' ids should follow the existing ones as SQLite's do. The run row's lock (above) keeps
      // a concurrent reopen out; ON CONFLICT covers a createRun racing it.
      await client.query(
        `INSERT INTO step_executions (run_id, step, status)
         SELECT $1, step, 'pending' FROM unnest($2::text[]) WITH ORDINALITY AS given (step, position)
         WHERE NOT EXISTS (SELECT 1 FROM step_executions known WHERE known.run_id = $1 AND known.step = given.step)
         ORDER BY position
         ON CONFLICT (run_id, step) DO NOTHING`,
        [runId, steps],
      );
      await client.query(
        `UPDATE step_executions SET status = 'pending', started_at = NULL, finished_at = NULL, provider = NULL, model = NULL,
           output = NULL, output_sha256 = NULL, output_file = NULL, error_kind = NULL, error_message = NULL, skip_reason = NULL,
           retry_after = NULL, result_json = NULL, attempts = 0, input_tokens = 0, output_tokens = 0, cost_usd = 0
         WHERE run_id = $1 AND status != 'succeeded'`,
        [runId],
      );
      const rows = await allRows<StepRow>(client, `SELECT * FROM step_executions WHERE run_id = $1 ORDER BY id`, [runId]);
      const wanted = new Set(steps);
      return {
        ids: new Map(rows.filter((row) => wanted.has(row.step)).map((row) => [row.step, row.id])),
        succeeded: rows.filter((row) => wanted.has(row.step) && row.status === "succeeded"),
      };
    });
  }

  async lastAttempts(runId: string): Promise<Map<string, number>> {
    const rows = await allRows<{ step: string; itemIndex: number | null; attempt: number }>(
      this.pool,
      `SELECT step, item_index AS "itemIndex", MAX(attempt) AS attempt FROM llm_calls WHERE run_id = $1 GROUP BY step, item_index`,
      [runId],
    );
    return new Map(rows.map((row) => [attemptKey(row.step, row.itemIndex), row.attempt]));
  }

  async rejectAnswer(callId: number, reason: string, checkerOutput: string | undefined, entryId: number | undefined): Promise<void> {
    await execute(this.pool, rejectAnswerStatement, [reason, checkerOutput ?? null, callId, entryId ?? null]);
  }

  async recordVerdict(callId: number, verdict: "accepted" | "rejected", at: string, language: string | undefined): Promise<void> {
    await execute(this.pool, recordVerdictStatement, [verdict, at, language ?? null, callId]);
  }
}

/** The contract's key of `lastAttempts`: `step#item`, the item empty for a plain step. */
function attemptKey(step: string, itemIndex: number | null): string {
  return `${step}#${itemIndex ?? ""}`;
}
