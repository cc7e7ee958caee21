/** Runs, step executions and LLM calls: the honest log of everything orch did and spent. */
import type { CallRecord, CallRow, NewRun, RunRow, RunStatus, StepFinish, StepRow } from "../contracts/run-store.js";
import type { SqliteDatabase } from "./database.js";

export class RunRepository {
  constructor(private readonly database: SqliteDatabase) {}

  createRun(run: NewRun, steps: readonly string[]): Map<string, number> {
    const insertRun = this.database.prepare(
      `INSERT INTO runs (id, pipeline_name, pipeline_path, policy_path, status, inputs_json, started_at, results_directory, process_id)
       VALUES (@id, @pipelineName, @pipelinePath, @policyPath, 'running', @inputsJson, @startedAt, @resultsDirectory, @processId)`,
    );
    const insertStep = this.database.prepare(`INSERT INTO step_executions (run_id, step, status) VALUES (?, ?, 'pending')`);
    return this.database.transaction(() => {
      insertRun.run({
        id: run.id,
        pipelineName: run.pipelineName,
        pipelinePath: run.pipelinePath,
        policyPath: run.policyPath ?? null,
        inputsJson: JSON.stringify(run.inputs),
        startedAt: run.startedAt,
        resultsDirectory: run.resultsDirectory ?? null,
        processId: run.processId,
      });
      const ids = new Map<string, number>();
      for (const step of steps) ids.set(step, Number(insertStep.run(run.id, step).lastInsertRowid));
      return ids;
    })();
  }

  /** A pending step has begun; called inside the transaction of its first recorded call, so it costs no commit. */
  markStepRunning(stepExecutionId: number, startedAt: string): void {
    this.database.prepare(`UPDATE step_executions SET status = 'running', started_at = ? WHERE id = ? AND status = 'pending'`).run(startedAt, stepExecutionId);
  }

  finishStep(stepExecutionId: number, finish: StepFinish): void {
    this.database
      .prepare(
        `UPDATE step_executions SET status = @status, started_at = COALESCE(@startedAt, started_at), finished_at = @finishedAt, provider = @provider, model = @model,
           output = @output, output_sha256 = @outputSha256, output_file = @outputFile, error_kind = @errorKind,
           error_message = @errorMessage, skip_reason = @skipReason, retry_after = @retryAfter, result_json = @resultJson, attempts = @attempts,
           input_tokens = @inputTokens, output_tokens = @outputTokens, cost_usd = @costUsd
         WHERE id = @id`,
      )
      .run({
        id: stepExecutionId,
        status: finish.status,
        startedAt: finish.startedAt ?? null,
        finishedAt: finish.finishedAt,
        provider: finish.provider ?? null,
        model: finish.model ?? null,
        output: finish.output ?? null,
        outputSha256: finish.outputSha256 ?? null,
        outputFile: finish.outputFile ?? null,
        errorKind: finish.errorKind ?? null,
        errorMessage: finish.errorMessage ?? null,
        skipReason: finish.skipReason ?? null,
        retryAfter: finish.retryAfter ?? null,
        resultJson: finish.resultJson ?? null,
        attempts: finish.attempts,
        inputTokens: finish.inputTokens,
        outputTokens: finish.outputTokens,
        costUsd: finish.costUsd,
      });
  }

  recordCall(call: CallRecord): number {
    const result = this.database
      .prepare(
        `INSERT INTO llm_calls (run_id, step_execution_id, step, attempt, pipeline_name, task, provider, provider_type, model,
           prompt_sha256, status, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_usd, latency_ms,
           error_kind, error_message, synthetic, reservation_id, started_at, finished_at, item_index, cache_key,
           cache_write_tokens, cache_write_1h_tokens, provider_cache_saved_nano)
         VALUES (@runId, @stepExecutionId, @step, @attempt, @pipelineName, @task, @provider, @providerType, @model,
           @promptSha256, @status, @inputTokens, @outputTokens, @cachedInputTokens, @reasoningTokens, @costUsd, @latencyMs,
           @errorKind, @errorMessage, @synthetic, @reservationId, @startedAt, @finishedAt, @itemIndex, @cacheKey,
           @cacheWriteTokens, @cacheWrite1hTokens, @providerCacheSavedNano)`,
      )
      .run({
        ...call,
        latencyMs: call.latencyMs ?? null,
        errorKind: call.errorKind ?? null,
        errorMessage: call.errorMessage ?? null,
        synthetic: call.synthetic ? 1 : 0,
        reservationId: call.reservationId ?? null,
        itemIndex: call.itemIndex ?? null,
        cacheKey: call.cacheKey ?? null,
        cacheWriteTokens: call.cacheWriteTokens ?? 0,
        cacheWrite1hTokens: call.cacheWrite1hTokens ?? 0,
        providerCacheSavedNano: call.providerCacheSavedNano ?? 0,
      });
    return Number(result.lastInsertRowid);
  }

  finishRun(id: string, status: RunStatus, finishedAt: string, exitCode: number): void {
    this.database
      .prepare(`UPDATE runs SET status = ?, finished_at = ?, exit_code = ? WHERE id = ?`)
      .run(status, finishedAt, exitCode, id);
  }

  getRun(id: string): RunRow | undefined {
    return this.database.prepare(`SELECT * FROM runs WHERE id = ?`).get(id) as RunRow | undefined;
  }

  listSteps(runId: string): StepRow[] {
    return this.database.prepare(`SELECT * FROM step_executions WHERE run_id = ? ORDER BY id`).all(runId) as StepRow[];
  }

  listCalls(runId: string): CallRow[] {
    return this.database.prepare(`SELECT * FROM llm_calls WHERE run_id = ? ORDER BY id`).all(runId) as CallRow[];
  }
}
