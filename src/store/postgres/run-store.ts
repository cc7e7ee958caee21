/**
 * The run log on PostgreSQL: runs, their steps and every LLM call, for the `RunStore` contract.
 * Each write the contract names as one operation is one transaction here, on one connection:
 * a paid call's step, reservation, row, texts and answer are committed together or not at all,
 * and its settlement runs in that same transaction (`settleReservation` on the same client).
 */
import type { NewCachedAnswer } from "../../contracts/answer-cache-store.js";
import type { CallText } from "../../contracts/call-log-store.js";
import type {
  CallRecord,
  CallRow,
  NewRun,
  PaidCallWrite,
  PaidCallWritten,
  ReservationClose,
  ReusedAnswerWrite,
  RunRow,
  RunStatus,
  RunStore,
  StepFinish,
  StepRow,
} from "../../contracts/run-store.js";
import type { SettleOutcome } from "../../contracts/ledger-store.js";
import { finishBatchCall } from "./batch-store.js";
import { inTransaction, type PostgresClient, type PostgresPool } from "./connection.js";
import { releaseReservation, settleReservation } from "./ledger-store.js";
import type { ReservationKeys } from "./reservation-keys.js";
import { allRows, firstRow, runColumns, type Queryable } from "./sql.js";

export class PostgresRunStore implements RunStore {
  constructor(
    private readonly pool: PostgresPool,
    private readonly reservationKeys: ReservationKeys,
  ) {}

  createRun(run: NewRun, steps: readonly string[]): Promise<Map<string, number>> {
    return inTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO runs (id, pipeline_name, pipeline_path, policy_path, status, inputs_json, started_at, results_directory, process_id)
         VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $8)`,
        [run.id, run.pipelineName, run.pipelinePath, run.policyPath ?? null, JSON.stringify(run.inputs), run.startedAt, run.resultsDirectory ?? null, run.processId],
      );
      // One row per step, in the order given, so ids ascend as SQLite's do.
      const inserted = await client.query<{ id: number; step: string }>(
        `INSERT INTO step_executions (run_id, step, status)
         SELECT $1, step, 'pending' FROM unnest($2::text[]) WITH ORDINALITY AS given (step, position) ORDER BY position
         RETURNING id, step`,
        [run.id, steps],
      );
      const ids = new Map(inserted.rows.map((row) => [row.step, row.id]));
      return new Map(steps.map((step) => [step, ids.get(step)!]));
    });
  }

  recordPaidCall(write: PaidCallWrite): Promise<PaidCallWritten> {
    return inTransaction(this.pool, async (client) => {
      await markStepRunning(client, write.stepExecutionId, write.call.startedAt);
      const settlement = write.close === undefined ? undefined : await closeReservation(client, this.reservationKeys, write.close, write.call.finishedAt);
      const callId = await insertCall(client, write.call);
      await insertCallText(client, callId, write.text);
      const entryId = write.answer === undefined ? undefined : await insertAnswer(client, { ...write.answer, callId });
      if (write.batchCall) await finishBatchCall(client, write.batchCall.batchJobId, write.batchCall.customId, "collected");
      return { callId, ...(entryId === undefined ? {} : { entryId }), ...(settlement === undefined ? {} : { settlement }) };
    });
  }

  recordReusedAnswer(write: ReusedAnswerWrite): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      await markStepRunning(client, write.stepExecutionId, write.call.startedAt);
      const at = write.call.finishedAt;
      // A replay of the unit's own answer saved nothing: not a hit of the entry.
      if (write.replay !== true) await client.query(`UPDATE cached_answers SET hits = hits + 1, last_hit_at = $1 WHERE id = $2`, [at, write.entryId]);
      await client.query(`INSERT INTO cached_answer_uses (entry_id, run_id, step, item_index, used_at) VALUES ($1, $2, $3, $4, $5)`, [
        write.entryId,
        write.use.runId,
        write.use.step,
        write.use.itemIndex ?? null,
        at,
      ]);
      const callId = await insertCall(client, write.call);
      await insertCallText(client, callId, write.text);
      return callId;
    });
  }

  async finishStep(stepExecutionId: number, finish: StepFinish, acceptedEntryIds: readonly number[] = []): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      if (acceptedEntryIds.length > 0) await client.query(`UPDATE cached_answers SET state = 'accepted' WHERE id = ANY($1::bigint[])`, [acceptedEntryIds]);
      await client.query(
        `UPDATE step_executions SET status = $2, started_at = COALESCE($3, started_at), finished_at = $4, provider = $5, model = $6,
           output = $7, output_sha256 = $8, output_file = $9, error_kind = $10, error_message = $11, skip_reason = $12, retry_after = $13,
           result_json = $14, attempts = $15, input_tokens = $16, output_tokens = $17, cost_usd = $18
         WHERE id = $1`,
        [
          stepExecutionId,
          finish.status,
          finish.startedAt ?? null,
          finish.finishedAt,
          finish.provider ?? null,
          finish.model ?? null,
          finish.output ?? null,
          finish.outputSha256 ?? null,
          finish.outputFile ?? null,
          finish.errorKind ?? null,
          finish.errorMessage ?? null,
          finish.skipReason ?? null,
          finish.retryAfter ?? null,
          finish.resultJson ?? null,
          finish.attempts,
          finish.inputTokens,
          finish.outputTokens,
          finish.costUsd,
        ],
      );
    });
  }

  async finishRun(id: string, status: RunStatus, finishedAt: string, exitCode: number): Promise<void> {
    await this.pool.query(`UPDATE runs SET status = $1, finished_at = $2, exit_code = $3 WHERE id = $4`, [status, finishedAt, exitCode, id]);
  }

  getRun(id: string): Promise<RunRow | undefined> {
    return firstRow<RunRow>(this.pool, `SELECT ${runColumns} FROM runs WHERE id = $1`, [id]);
  }

  listSteps(runId: string): Promise<StepRow[]> {
    return stepsOfRun(this.pool, runId);
  }

  listCalls(runId: string): Promise<CallRow[]> {
    return allRows<CallRow>(this.pool, `SELECT * FROM llm_calls WHERE run_id = $1 ORDER BY id`, [runId]);
  }
}

export function stepsOfRun(database: Queryable, runId: string): Promise<StepRow[]> {
  return allRows<StepRow>(database, `SELECT * FROM step_executions WHERE run_id = $1 ORDER BY id`, [runId]);
}

/** A pending step has begun (a step already running or finished is left alone). */
async function markStepRunning(client: PostgresClient, stepExecutionId: number, startedAt: string): Promise<void> {
  await client.query(`UPDATE step_executions SET status = 'running', started_at = $1 WHERE id = $2 AND status = 'pending'`, [startedAt, stepExecutionId]);
}

function closeReservation(client: PostgresClient, reservationKeys: ReservationKeys, close: ReservationClose, closedAt: string): Promise<SettleOutcome> {
  if (close.kind === "settle") return settleReservation(client, reservationKeys, close.reservationId, close.actualNanoUsd, closedAt, close.call);
  return releaseReservation(client, reservationKeys, close.reservationId, closedAt).then((released) => ({ settled: released }));
}

async function insertCall(client: PostgresClient, call: CallRecord): Promise<number> {
  const result = await client.query<{ id: number }>(
    `INSERT INTO llm_calls (run_id, step_execution_id, step, attempt, pipeline_name, task, provider, provider_type, model,
       prompt_sha256, status, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_usd, latency_ms,
       error_kind, error_message, synthetic, reservation_id, started_at, finished_at, item_index, cache_key,
       cache_write_tokens, cache_write_1h_tokens, provider_cache_saved_nano)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28)
     RETURNING id`,
    [
      call.runId,
      call.stepExecutionId,
      call.step,
      call.attempt,
      call.pipelineName,
      call.task,
      call.provider,
      call.providerType,
      call.model,
      call.promptSha256,
      call.status,
      call.inputTokens,
      call.outputTokens,
      call.cachedInputTokens,
      call.reasoningTokens,
      call.costUsd,
      call.latencyMs ?? null,
      call.errorKind ?? null,
      call.errorMessage ?? null,
      call.synthetic ? 1 : 0,
      call.reservationId ?? null,
      call.startedAt,
      call.finishedAt,
      call.itemIndex ?? null,
      call.cacheKey ?? null,
      call.cacheWriteTokens ?? 0,
      call.cacheWrite1hTokens ?? 0,
      call.providerCacheSavedNano ?? 0,
    ],
  );
  return result.rows[0]!.id;
}

async function insertCallText(client: PostgresClient, callId: number, text: CallText): Promise<void> {
  await client.query(`INSERT INTO llm_call_texts (call_id, kept, messages_json, answer, answer_sha256) VALUES ($1, $2, $3, $4, $5)`, [
    callId,
    text.kept,
    text.messagesJson ?? null,
    text.answer ?? null,
    text.answerSha256 ?? null,
  ]);
}

async function insertAnswer(client: PostgresClient, entry: NewCachedAnswer): Promise<number> {
  const result = await client.query<{ id: number }>(
    `INSERT INTO cached_answers (cache_key, run_id, step, item_index, provider, model, answer, input_tokens, output_tokens, cost_usd,
       state, shareable, call_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12, $13)
     RETURNING id`,
    [
      entry.cacheKey,
      entry.runId,
      entry.step,
      entry.itemIndex ?? null,
      entry.provider,
      entry.model,
      entry.answer,
      entry.inputTokens,
      entry.outputTokens,
      entry.costUsd,
      entry.shareable ? 1 : 0,
      entry.callId,
      entry.createdAt,
    ],
  );
  return result.rows[0]!.id;
}
