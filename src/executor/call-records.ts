/**
 * Writing attempts down. A paid call is recorded in one store operation with its ledger settlement
 * and, when an answer came back, the answer itself (a cache entry): after a crash at any moment
 * either all three exist or none, so a resumed run finds every answer it paid for. The call log's
 * texts (the messages sent, the answer) are one more insert in the same transaction.
 */
import { createHash } from "node:crypto";
import type { Reservation } from "../budget/ledger.js";
import type { ChatMessage } from "../providers/provider.js";
import type { ReusedAnswer } from "./cache.js";
import { callTextOf } from "./call-log.js";
import type { RunContext } from "./run-context.js";
import type { AttemptRecord, UnitRun } from "./work-unit.js";

export interface PaidCall {
  record: AttemptRecord;
  providerType: string;
  messages: readonly ChatMessage[];
  cacheKey: string;
  /** The call's latest reservation (its last attempt's), named on its row. */
  reservation: Reservation;
  /** The reservation still open, settled here at the last attempt's cost (or released when nothing was used). */
  open?: { reservation: Reservation; costUsd: number };
  /** The answer, when the call succeeded. */
  answer?: string;
  /** What the provider's prompt cache saved on the call, net of write premiums, in nano-dollars (pricing.ts `promptCacheSavingNano`). */
  providerCacheSavedNano: number;
  /** The batch call that answered it, marked collected with the record (never before: a crash would lose the answer). */
  batchCall?: { batchJobId: number; customId: string };
}

/**
 * Settles (or releases) the open reservation, records the call and keeps its answer, atomically
 * (one store operation); then raises what the settlement crossed (an overrun, alerts).
 */
export async function recordPaidCall(context: RunContext, run: UnitRun, call: PaidCall): Promise<{ callId: number; entryId?: number }> {
  const { record, open } = call;
  // Scrubbed before the write: the store's write lock is held for inserts only.
  const text = callTextOf(context, run.step, call.messages, call.answer);
  const settles = open !== undefined && (open.costUsd > 0 || call.answer !== undefined);
  const settledCall = { step: run.step.name, ...(run.item === undefined ? {} : { item: run.item }), attempt: record.attempt, provider: record.provider, model: record.model };
  const keepsAnswer = call.answer !== undefined && call.answer.trim() !== "";
  const written = await context.store.runs.recordPaidCall({
    stepExecutionId: run.stepExecutionId,
    ...(open ? { close: context.ledger.closing(open.reservation, settles ? open.costUsd : undefined, settledCall) } : {}),
    call: {
      ...callFields(context, run, record, call.providerType, call.messages, call.cacheKey),
      status: record.status,
      cachedInputTokens: record.usage.cachedInputTokens ?? 0,
      cacheWriteTokens: record.usage.cacheWriteTokens ?? 0,
      cacheWrite1hTokens: record.usage.cacheWrite1hTokens ?? 0,
      providerCacheSavedNano: call.providerCacheSavedNano,
      reasoningTokens: record.usage.reasoningTokens ?? 0,
      costUsd: record.costUsd,
      ...(record.error ? { errorKind: record.error.kind, errorMessage: record.error.message } : {}),
      reservationId: call.reservation.id,
    },
    text,
    ...(keepsAnswer
      ? {
          answer: {
            cacheKey: call.cacheKey,
            runId: context.runId,
            step: run.step.name,
            ...(run.item === undefined ? {} : { itemIndex: run.item }),
            provider: record.provider,
            model: record.model,
            answer: call.answer!,
            inputTokens: record.usage.inputTokens,
            outputTokens: record.usage.outputTokens,
            costUsd: record.costUsd,
            shareable: context.answers.shareable(run.step.cache),
            createdAt: record.finishedAt,
          },
        }
      : {}),
    ...(call.batchCall ? { batchCall: call.batchCall } : {}),
  });
  if (open && settles) await context.ledger.settled(open.reservation, written.settlement);
  return { callId: written.callId, ...(written.entryId === undefined ? {} : { entryId: written.entryId }) };
}

/** A reused answer is a call row too (status `cached`, cost 0, the tokens it saved), so reports count hits. */
export function recordReusedAnswer(
  context: RunContext,
  run: UnitRun,
  record: AttemptRecord,
  reused: ReusedAnswer & { replay: boolean },
  providerType: string,
  messages: readonly ChatMessage[],
  cacheKey: string,
): Promise<number> {
  const text = callTextOf(context, run.step, messages, reused.text);
  return context.store.runs.recordReusedAnswer({
    stepExecutionId: run.stepExecutionId,
    entryId: reused.entryId,
    use: { runId: context.runId, step: run.step.name, ...(run.item === undefined ? {} : { itemIndex: run.item }) },
    ...(reused.replay ? { replay: true } : {}),
    call: {
      ...callFields(context, run, record, providerType, messages, cacheKey),
      status: "cached",
      cachedInputTokens: 0,
      reasoningTokens: 0,
      costUsd: 0,
    },
    text,
  });
}

function callFields(context: RunContext, run: UnitRun, record: AttemptRecord, providerType: string, messages: readonly ChatMessage[], cacheKey: string) {
  return {
    runId: context.runId,
    stepExecutionId: run.stepExecutionId,
    step: run.step.name,
    attempt: record.attempt,
    pipelineName: context.pipeline.name,
    task: run.step.task,
    provider: record.provider,
    providerType,
    model: record.model,
    promptSha256: createHash("sha256").update(JSON.stringify(messages)).digest("hex"),
    inputTokens: record.usage.inputTokens,
    outputTokens: record.usage.outputTokens,
    latencyMs: record.latencyMs,
    synthetic: record.synthetic,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    cacheKey,
    ...(run.item === undefined ? {} : { itemIndex: run.item }),
  };
}
