/**
 * One attempt at one candidate: reserve its worst case, call, then settle to the real cost (or
 * release when nothing was used), and record the call. Every path closes the reservation.
 */
import { createHash } from "node:crypto";
import type { PipelineStep } from "../pipeline/model.js";
import type { Candidate } from "../policy/decision.js";
import { costOfUsage } from "../providers/pricing.js";
import { ProviderError, type ProviderErrorKind } from "../providers/provider-error.js";
import type { ChatMessage, ProviderResponse, TokenUsage } from "../providers/provider.js";
import type { RunContext } from "./run-context.js";

export interface AttemptRecord {
  attempt: number;
  reference: string;
  provider: string;
  model: string;
  status: "succeeded" | "failed";
  usage: TokenUsage;
  costUsd: number;
  latencyMs: number;
  synthetic: boolean;
  error?: { kind: ProviderErrorKind; message: string };
  /** Set when the answer came back but was not accepted (invalid JSON, …). */
  rejected?: string;
  startedAt: string;
  finishedAt: string;
}

export type AttemptOutcome =
  | { kind: "refused"; reason: string }
  | { kind: "failed"; attempt: AttemptRecord }
  | { kind: "succeeded"; attempt: AttemptRecord; text: string };

export async function attemptCandidate(
  context: RunContext,
  step: PipelineStep,
  messages: ChatMessage[],
  candidate: Candidate,
  attemptNumber: number,
  stepExecutionId: number,
): Promise<AttemptOutcome> {
  const worstCaseUsd = candidate.estimatedCostUsd.max;
  const reservation = context.ledger.reserve(worstCaseUsd, { tags: step.tags });
  if (!reservation.ok) return { kind: "refused", reason: reservation.refusal.reason };

  const provider = context.providers.get(candidate.provider);
  const startedAt = context.now().toISOString();
  context.emit({
    type: "attempt-start",
    step: step.name,
    attempt: attemptNumber,
    reference: candidate.reference,
    provider: candidate.provider,
    model: candidate.model,
    synthetic: provider.type === "mock" || provider.type === "replay",
    reservedUsd: worstCaseUsd,
    at: startedAt,
  });

  const signal = step.timeoutSeconds ? AbortSignal.any([context.signal, AbortSignal.timeout(step.timeoutSeconds * 1000)]) : context.signal;
  const started = performance.now();
  let response: ProviderResponse | undefined;
  let failure: ProviderError | undefined;
  try {
    response = await provider.call(
      {
        model: candidate.model,
        messages,
        maxTokens: step.maxTokens,
        ...(step.temperature === undefined ? {} : { temperature: step.temperature }),
        ...(step.output?.format === "json" ? { json: true } : {}),
        origin: { runId: context.runId, step: step.name },
      },
      signal,
    );
  } catch (error) {
    failure = normaliseFailure(error, candidate.provider, signal, context.signal);
  }

  const usage = response?.usage ?? failure?.usage ?? { inputTokens: 0, outputTokens: 0 };
  const costUsd = response?.reportedCostUsd ?? (candidate.prices ? costOfUsage(usage, candidate.prices) : 0);
  if (costUsd > 0 || response) context.ledger.settle(reservation.reservation, costUsd);
  else context.ledger.release(reservation.reservation);

  const finishedAt = context.now().toISOString();
  if (failure?.kind !== "aborted") {
    context.health.record(candidate.provider, failure ? { ok: false, kind: failure.kind } : { ok: true }, Date.parse(finishedAt));
  }
  const record: AttemptRecord = {
    attempt: attemptNumber,
    reference: candidate.reference,
    provider: candidate.provider,
    model: response?.model ?? candidate.model,
    status: response ? "succeeded" : "failed",
    usage,
    costUsd,
    latencyMs: response?.latencyMs ?? Math.round(performance.now() - started),
    synthetic: response?.synthetic === true,
    ...(failure ? { error: { kind: failure.kind, message: context.redact(failure.message) } } : {}),
    startedAt,
    finishedAt,
  };
  context.runs.recordCall({
    runId: context.runId,
    stepExecutionId,
    step: step.name,
    attempt: attemptNumber,
    pipelineName: context.pipeline.name,
    task: step.task,
    provider: candidate.provider,
    providerType: provider.type,
    model: record.model,
    promptSha256: createHash("sha256").update(JSON.stringify(messages)).digest("hex"),
    status: record.status,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cachedInputTokens: usage.cachedInputTokens ?? 0,
    reasoningTokens: usage.reasoningTokens ?? 0,
    costUsd,
    latencyMs: record.latencyMs,
    ...(record.error ? { errorKind: record.error.kind, errorMessage: record.error.message } : {}),
    synthetic: record.synthetic,
    reservationId: reservation.reservation.id,
    startedAt,
    finishedAt,
  });
  context.emit({
    type: "attempt-end",
    step: step.name,
    attempt: attemptNumber,
    provider: candidate.provider,
    model: record.model,
    status: record.status,
    usage,
    costUsd,
    latencyMs: record.latencyMs,
    ...(record.error ? { error: record.error } : {}),
    at: finishedAt,
  });
  return response ? { kind: "succeeded", attempt: record, text: response.text } : { kind: "failed", attempt: record };
}

/** Anything a provider throws becomes a ProviderError; a timeout of the step is told apart from Ctrl-C. */
function normaliseFailure(error: unknown, provider: string, stepSignal: AbortSignal, runSignal: AbortSignal): ProviderError {
  if (runSignal.aborted) {
    return new ProviderError({ kind: "aborted", provider, message: "the call was aborted", ...usageOf(error) });
  }
  if (stepSignal.aborted) {
    return new ProviderError({ kind: "timeout", provider, message: "the step's timeout was reached", ...usageOf(error) });
  }
  if (ProviderError.isInstance(error)) return error;
  return new ProviderError({ kind: "unavailable", provider, message: error instanceof Error ? error.message : String(error), cause: error });
}

function usageOf(error: unknown): { usage?: TokenUsage } {
  return ProviderError.isInstance(error) && error.usage ? { usage: error.usage } : {};
}
