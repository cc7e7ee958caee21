/**
 * The run log on PostgreSQL: runs, their steps and every LLM call, for the `RunStore` contract.
 * Each write the contract names as one operation is one transaction here, on one connection:
 * a paid call's step, reservation, row, texts and answer are committed together or not at all,
 * and its settlement runs in that same transaction (`settleReservation` on the same client).
 *
 * Round trips are what a call costs on a shared server, so rows written together go in one
 * statement (data-modifying CTEs), an operation that is one statement is sent without
 * BEGIN/COMMIT (a statement is its own transaction), and the per-call statements are named
 * (`sql.ts` `namedStatement`). What stays a statement of its own is a lock taken in the documented
 * order: the step row first, then the reservation (ledger-store.ts), then new rows.
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
import { allRows, execute, firstRow, namedStatement, runColumns, type Queryable } from "./sql.js";

/** The run and its steps, one row per step in the order given, so ids ascend as SQLite's do. */
const createRunStatement = namedStatement(
  "create_run",
  `WITH run AS (
     INSERT INTO runs (id, pipeline_name, pipeline_path, policy_path, status, inputs_json, started_at, results_directory, process_id)
     VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $8) RETURNING id
   )
   INSERT INTO step_executions (run_id, step, status)
   SELECT run.id, step, 'pending' FROM run, unnest($9::text[]) WITH ORDINALITY AS given (step, position) ORDER BY position
   RETURNING id, step`,
);

/** A pending step has begun (a step already running or finished is left alone). */
const markStepRunningStatement = namedStatement(
  "mark_step_running",
  `UPDATE step_executions SET status = 'running', started_at = $1 WHERE id = $2 AND status = 'pending'`,
);

/** The call's row ($1–$28, `callValues`) and its texts ($29–$32, `textValues`), as CTEs of one statement. */
const callAndTextCtes = `call AS (
     INSERT INTO llm_calls (run_id, step_execution_id, step, attempt, pipeline_name, task, provider, provider_type, model,
       prompt_sha256, status, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_usd, latency_ms,
       error_kind, error_message, synthetic, reservation_id, started_at, finished_at, item_index, cache_key,
       cache_write_tokens, cache_write_1h_tokens, provider_cache_saved_nano)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28)
     RETURNING id
   ), text AS (
     INSERT INTO llm_call_texts (call_id, kept, messages_json, answer, answer_sha256) VALUES ((SELECT id FROM call), $29, $30, $31, $32)
   )`;

const insertCallStatement = namedStatement("insert_call", `WITH ${callAndTextCtes} SELECT id AS "callId", NULL::bigint AS "entryId" FROM call`);

/** The call, its texts and its answer (a pending cache entry, $33–$44 `answerValues`). */
const insertCallAndAnswerStatement = namedStatement(
  "insert_call_answer",
  `WITH ${callAndTextCtes}, answer AS (
     INSERT INTO cached_answers (cache_key, run_id, step, item_index, provider, model, answer, input_tokens, output_tokens, cost_usd,
       state, shareable, call_id, created_at)
     VALUES ($33, $34, $35, $36, $37, $38, $39, $40, $41, $42, 'pending', $43, (SELECT id FROM call), $44)
     RETURNING id
   )
   SELECT call.id AS "callId", answer.id AS "entryId" FROM call, answer`,
);

/**
 * A reused answer: its entry's hit ($33 the instant, $34 the entry; none when $38 says it is a
 * replay of the unit's own answer, which saved nothing), its use ($35–$37), its call row and texts.
 */
const insertReuseStatement = namedStatement(
  "insert_reuse",
  `WITH hit AS (
     UPDATE cached_answers SET hits = hits + 1, last_hit_at = $33 WHERE id = $34 AND NOT $38::boolean
   ), used AS (
     INSERT INTO cached_answer_uses (entry_id, run_id, step, item_index, used_at) VALUES ($34, $35, $36, $37, $33)
   ), ${callAndTextCtes}
   SELECT id AS "callId" FROM call`,
);

/**
 * A step's end and the answers its units accepted, one statement (so one transaction). The step's
 * row is the statement's own; the accepted entries' CTE runs after it, keeping the lock order.
 */
const finishStepStatement = namedStatement(
  "finish_step",
  `WITH accepted AS (
     UPDATE cached_answers SET state = 'accepted' WHERE id = ANY($19::bigint[])
   )
   UPDATE step_executions SET status = $2, started_at = COALESCE($3, started_at), finished_at = $4, provider = $5, model = $6,
     output = $7, output_sha256 = $8, output_file = $9, error_kind = $10, error_message = $11, skip_reason = $12, retry_after = $13,
     result_json = $14, attempts = $15, input_tokens = $16, output_tokens = $17, cost_usd = $18
   WHERE id = $1`,
);

const finishRunStatement = namedStatement("finish_run", `UPDATE runs SET status = $1, finished_at = $2, exit_code = $3 WHERE id = $4`);

export class PostgresRunStore implements RunStore {
  constructor(
    private readonly pool: PostgresPool,
    private readonly reservationKeys: ReservationKeys,
  ) {}

  async createRun(run: NewRun, steps: readonly string[]): Promise<Map<string, number>> {
    const inserted = await execute<{ id: number; step: string }>(this.pool, createRunStatement, [
      run.id,
      run.pipelineName,
      run.pipelinePath,
      run.policyPath ?? null,
      JSON.stringify(run.inputs),
      run.startedAt,
      run.resultsDirectory ?? null,
      run.processId,
      steps,
    ]);
    const ids = new Map(inserted.rows.map((row) => [row.step, row.id]));
    return new Map(steps.map((step) => [step, ids.get(step)!]));
  }

  recordPaidCall(write: PaidCallWrite): Promise<PaidCallWritten> {
    return inTransaction(this.pool, async (client) => {
      await markStepRunning(client, write.stepExecutionId, write.call.startedAt);
      const settlement = write.close === undefined ? undefined : await closeReservation(client, this.reservationKeys, write.close, write.call.finishedAt);
      const { callId, entryId } = await insertCall(client, write.call, write.text, write.answer);
      if (write.batchCall) await finishBatchCall(client, write.batchCall.batchJobId, write.batchCall.customId, "collected");
      return { callId, ...(entryId === null ? {} : { entryId }), ...(settlement === undefined ? {} : { settlement }) };
    });
  }

  recordReusedAnswer(write: ReusedAnswerWrite): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      await markStepRunning(client, write.stepExecutionId, write.call.startedAt);
      const inserted = await execute<{ callId: number }>(client, insertReuseStatement, [
        ...callValues(write.call),
        ...textValues(write.text),
        write.call.finishedAt,
        write.entryId,
        write.use.runId,
        write.use.step,
        write.use.itemIndex ?? null,
        write.replay === true,
      ]);
      return inserted.rows[0]!.callId;
    });
  }

  async finishStep(stepExecutionId: number, finish: StepFinish, acceptedEntryIds: readonly number[] = []): Promise<void> {
    await execute(this.pool, finishStepStatement, [
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
      acceptedEntryIds,
    ]);
  }

  async finishRun(id: string, status: RunStatus, finishedAt: string, exitCode: number): Promise<void> {
    await execute(this.pool, finishRunStatement, [status, finishedAt, exitCode, id]);
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

async function markStepRunning(client: PostgresClient, stepExecutionId: number, startedAt: string): Promise<void> {
  await execute(client, markStepRunningStatement, [startedAt, stepExecutionId]);
}

function closeReservation(client: PostgresClient, reservationKeys: ReservationKeys, close: ReservationClose, closedAt: string): Promise<SettleOutcome> {
  if (close.kind === "settle") return settleReservation(client, reservationKeys, close.reservationId, close.actualNanoUsd, closedAt, close.call);
  return releaseReservation(client, reservationKeys, close.reservationId, closedAt).then((released) => ({ settled: released }));
}

/** The call's row and texts, and its answer when there is one: one statement. */
async function insertCall(client: PostgresClient, call: CallRecord, text: CallText, answer: Omit<NewCachedAnswer, "callId"> | undefined): Promise<{ callId: number; entryId: number | null }> {
  const values = [...callValues(call), ...textValues(text)];
  const inserted =
    answer === undefined
      ? await execute<{ callId: number; entryId: null }>(client, insertCallStatement, values)
      : await execute<{ callId: number; entryId: number }>(client, insertCallAndAnswerStatement, [...values, ...answerValues(answer)]);
  return inserted.rows[0]!;
}

function callValues(call: CallRecord): unknown[] {
  return [
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
  ];
}

function textValues(text: CallText): unknown[] {
  return [text.kept, text.messagesJson ?? null, text.answer ?? null, text.answerSha256 ?? null];
}

/** An answer's entry, without its call (the statement takes the call's new id). */
function answerValues(entry: Omit<NewCachedAnswer, "callId">): unknown[] {
  return [
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
    entry.createdAt,
  ];
}
