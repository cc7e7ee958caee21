/**
 * One attempt at one candidate. First an answer already paid for is looked for (this run's own,
 * the cache, an identical call in flight in this process or, through the store, in another one:
 * flight-across-processes.ts): it costs nothing. Otherwise: reserve the worst case,
 * call (each retry the provider layer makes is reserved and settled on its own, see
 * attempt-reservations.ts), and record the call, its last settlement and its answer in one
 * transaction before anything else. Every path closes every reservation.
 */
import { createHash } from "node:crypto";
import type { PipelineStep } from "../pipeline/model.js";
import type { Candidate } from "../policy/decision.js";
import { nanoToUsd } from "../money/nano.js";
import { formatBalance, formatUsd } from "../money/format-usd.js";
import { billNano, unbatchedPrices, promptCacheSavingNano } from "../providers/pricing.js";
import { ProviderError } from "../providers/provider-error.js";
import { partialUsage } from "../providers/shared/token-estimate.js";
import type { ChatMessage, Provider, ProviderResponse, TokenUsage } from "../providers/provider.js";
import { coverAttempts } from "./attempt-reservations.js";
import { BatchFallback, batchCollectorOf, type BatchCallRef } from "./batch-collector.js";
import { cacheKeyOf, type ReusedAnswer } from "./cache.js";
import { promptLoggingOf } from "./call-log.js";
import { recordPaidCall, recordReusedAnswer } from "./call-records.js";
import { claimOrAwait, type Flight } from "./flight-across-processes.js";
import type { RunContext } from "./run-context.js";
import type { AttemptRecord, UnitRun } from "./work-unit.js";

export type AttemptOutcome =
  | { kind: "refused"; reason: string }
  /** Ctrl-C or the step's deadline came while waiting for another process's identical call: no attempt was made. */
  | { kind: "interrupted" }
  | { kind: "failed"; attempt: AttemptRecord }
  | { kind: "succeeded"; attempt: AttemptRecord; text: string; callId: number; entryId?: number };

export interface AttemptRequest {
  run: UnitRun;
  candidate: Candidate;
  messages: ChatMessage[];
  /** Takes the attempt's number; called only once an attempt is certain (a refusal takes none, so numbers have no gaps). */
  attemptNumber: () => number;
  /** The call's worst case (the candidate's, plus what repair messages add). */
  worstCaseUsd: number;
  /** What is left of the step's `max_cost_usd`, when it has one. */
  spendLeftUsd?: number;
  /** Call at once even for a `batch:` step: its batch failed, expired or passed the deadline. */
  synchronous?: boolean;
}

export async function attemptCandidate(context: RunContext, request: AttemptRequest): Promise<AttemptOutcome> {
  const { run, candidate, messages, worstCaseUsd } = request;
  const { step } = run;
  const provider = context.providers.get(candidate.provider);
  // A step that can wait goes to the vendor's batch API where there is one. Routing priced its
  // candidates at batch prices (routing.ts), so the worst case reserved and the bill are both half.
  const batch = !request.synchronous && step.batch !== undefined && provider.batch !== undefined ? { capability: provider.batch, deadlineMs: step.batch.deadlineMs } : undefined;
  const cacheKey = cacheKeyFor(context, step, candidate, messages);
  const unitRef = { step: step.name, ...(run.item === undefined ? {} : { item: run.item }) };

  // The call is claimed as the one in flight before the first await (when nothing is in flight
  // yet): two identical calls starting together must not both go out. Every path below hands over
  // once — the answer when this call pays for one, else nothing (the waiting ones then go on).
  const inFlight = context.answers.join(cacheKey, step.cache);
  let handOver = inFlight ? () => undefined : once(context.answers.lead(cacheKey, step.cache));
  // Past this process: the claim in the store, taken once nothing here could answer.
  let flight: Flight | undefined;
  try {
    let reused = await context.answers.find(cacheKey, unitRef, step.cache);
    if (!reused && inFlight) {
      reused = await inFlight;
      // The call waited for gave nothing: this one becomes the call in flight, unless another waiter was first.
      if (!reused) handOver = once(context.answers.lead(cacheKey, step.cache));
    }
    if (!reused) {
      flight = await claimOrAwait(context, run, candidate, { cacheKey, unit: unitRef, ...(batch ? { batchDeadlineMs: batch.deadlineMs } : {}) });
      if (flight.kind === "interrupted") return { kind: "interrupted" };
      if (flight.kind === "answered") reused = flight.answer;
    }
    if (reused) {
      // Another process's answer goes to this process's identical calls too, as a paid one would.
      handOver(flight?.kind === "answered" ? reused : undefined);
      context.answers.markUsed(unitRef, reused.entryId);
      return await reuseAnswer(context, request, reused, provider.type, cacheKey);
    }
    const land = flight?.kind === "calling" ? flight.land : async () => undefined;
    return await payFor(context, request, {
      provider,
      batch,
      cacheKey,
      unitRef,
      handOver: async (answer) => {
        handOver(answer);
        await land(answer?.entryId);
      },
    });
  } finally {
    handOver(undefined);
    // A call that threw, or was refused its reservation, answers nobody: waiters elsewhere claim it.
    if (flight?.kind === "calling") await flight.land(undefined);
  }
}

interface PaidAttempt {
  provider: ReturnType<RunContext["providers"]["get"]>;
  batch: { capability: NonNullable<Provider["batch"]>; deadlineMs: number } | undefined;
  cacheKey: string;
  unitRef: { step: string; item?: number };
  /** Gives identical calls waiting on this one, in this process and others, its answer (or none); only the first call counts. */
  handOver: (answer: ReusedAnswer | undefined) => Promise<void>;
}

/** Reserve, call, record: the attempt nothing already paid for could answer. */
async function payFor(context: RunContext, request: AttemptRequest, paid: PaidAttempt): Promise<AttemptOutcome> {
  const { run, candidate, messages, worstCaseUsd } = request;
  const { step } = run;
  const { provider, batch, cacheKey, unitRef, handOver } = paid;
  const json = step.output.format === "json";
  if (request.spendLeftUsd !== undefined && worstCaseUsd > request.spendLeftUsd) {
    return { kind: "refused", reason: `its worst case ${formatUsd(worstCaseUsd)} exceeds the ${formatBalance(Math.max(0, request.spendLeftUsd))} left of the step's max_cost_usd` };
  }
  const synthetic = provider.type === "mock" || provider.type === "replay";
  const reservation = await context.ledger.reserve(worstCaseUsd, { tags: step.tags, ...(synthetic ? { synthetic: true } : {}) });
  if (!reservation.ok) return { kind: "refused", reason: reservation.refusal.reason };

  const attempt = request.attemptNumber();
  const reservations = coverAttempts(context.ledger, {
    first: reservation.reservation,
    candidate,
    call: { step: step.name, ...(run.item === undefined ? {} : { item: run.item }), attempt, provider: candidate.provider, model: candidate.model },
    worstCaseUsd,
    ...(request.spendLeftUsd === undefined ? {} : { spendLeftUsd: request.spendLeftUsd }),
    tags: step.tags,
    synthetic,
  });
  const startedAt = context.now().toISOString();
  context.emit({
    type: "attempt-start",
    step: step.name,
    ...(run.item === undefined ? {} : { item: run.item }),
    attempt,
    reference: candidate.reference,
    provider: candidate.provider,
    model: candidate.model,
    synthetic,
    reservedUsd: worstCaseUsd,
    at: startedAt,
  });

  const started = performance.now();
  let response: ProviderResponse | undefined;
  let failure: ProviderError | undefined;
  let fallback: string | undefined;
  let batchCall: (BatchCallRef & { vendorBatchId: string }) | undefined;
  const providerRequest = {
    model: candidate.model,
    messages,
    maxTokens: step.maxTokens,
    ...(candidate.contextWindow === undefined ? {} : { contextWindow: candidate.contextWindow }),
    ...(step.temperature === undefined ? {} : { temperature: step.temperature }),
    ...(json ? { json: true } : {}),
    ...(step.providerCache ? { promptCache: { key: promptCacheKey(context.pipeline.name, step.name), ttl: step.providerCache.ttl } } : {}),
    origin: { runId: context.runId, step: step.name, logPrompt: promptLoggingOf(context, step) === "full" },
  };
  try {
    if (batch) {
      // A call waiting in a batch holds no slot of its step's cap: the other items join the batch.
      const waitOutsideSlot = run.slot ? run.slot.whileWaiting.bind(run.slot) : <T>(wait: () => Promise<T>) => wait();
      const batched = await waitOutsideSlot(() => batchCollectorOf(context).call({
        providerId: candidate.provider,
        capability: batch.capability,
        request: providerRequest,
        cacheKey,
        step: step.name,
        ...(run.item === undefined ? {} : { item: run.item }),
        deadlineMs: batch.deadlineMs,
        signal: run.signal,
      }));
      response = { ...batched.response, latencyMs: Math.round(performance.now() - started) };
      batchCall = { ...batched.batchCall, vendorBatchId: batched.vendorBatchId };
    } else {
      response = await provider.call(providerRequest, run.signal, reservations.gate);
    }
  } catch (error) {
    if (error instanceof BatchFallback && !run.signal.aborted) fallback = error.reason;
    else failure = normaliseFailure(error, candidate.provider, run.signal, context.signal);
  }
  if (fallback !== undefined) {
    // Nothing was answered, so nothing is billed: the half-price reservation goes back, and the
    // same attempt is made as an ordinary call, reserved and checked like any other.
    const open = reservations.open();
    if (open) await context.ledger.release(open);
    // Released before the synchronous call claims the key again (another process may be first).
    await handOver(undefined);
    context.emit({ type: "batch", step: step.name, ...(run.item === undefined ? {} : { item: run.item }), provider: candidate.provider, phase: "fallback", detail: `${fallback}; calling synchronously at the full price`, at: context.now().toISOString() });
    // Batch prices are exactly half, so doubling gives back the full prices and worst case.
    const fullPrice = { ...candidate, ...(candidate.prices ? { prices: unbatchedPrices(candidate.prices) } : {}) };
    return attemptCandidate(context, { ...request, candidate: fullPrice, worstCaseUsd: worstCaseUsd * 2, synchronous: true, attemptNumber: () => attempt });
  }
  // Where an answer enters orch: a server that echoes the prompt or a header could hand back a
  // key. Everything downstream (cache, outputs, files, repair prompts, results) holds the scrubbed text.
  if (response) response = { ...response, text: context.redact(response.text) };

  // An answer without token counts is charged its worst case (the most it could cost, held by its
  // reservation); its tokens are estimated as a broken stream's are, for the row and the reports.
  const chargedWorstCase = response?.usageMissing === true && response.reportedCostUsd === undefined && candidate.prices !== undefined;
  const usage = (response?.usageMissing ? partialUsage(messages, response.text) : response?.usage) ?? failure?.usage ?? { inputTokens: 0, outputTokens: 0 };
  // The attempt that ended the call is billed for what earlier (failed, settled) attempts did not account for.
  const lastAttemptCostUsd = chargedWorstCase ? worstCaseUsd : nanoToUsd(billNano(reservations.remainingUsage(usage), candidate.prices, response?.reportedCostUsd));
  const costUsd = reservations.settledUsd() + lastAttemptCostUsd;
  const finishedAt = context.now().toISOString();
  if (failure?.kind !== "aborted") {
    context.health.record(candidate.provider, failure ? { ok: false, kind: failure.kind } : { ok: true }, Date.parse(finishedAt));
  }
  const record: AttemptRecord = {
    attempt,
    ...(run.item === undefined ? {} : { item: run.item }),
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
  let stored: { callId: number; entryId?: number };
  let shared: ReusedAnswer | undefined;
  try {
    stored = await recordPaidCall(context, run, {
      record,
      providerType: provider.type,
      messages,
      cacheKey,
      reservation: reservations.latest(),
      ...(reservations.open() ? { open: { reservation: reservations.open()!, costUsd: lastAttemptCostUsd } } : {}),
      ...(response ? { answer: response.text } : {}),
      // Priced at the table, like the bill without a reported cost; a free call saves nothing.
      providerCacheSavedNano: candidate.prices ? promptCacheSavingNano(usage, candidate.prices) : 0,
      ...(batchCall ? { batchCall: { batchJobId: batchCall.batchJobId, customId: batchCall.customId } } : {}),
    });
    if (response && stored.entryId !== undefined) {
      shared = { entryId: stored.entryId, text: response.text, provider: record.provider, model: record.model, usage, originalCostUsd: costUsd, paidByRun: context.runId, source: "in-flight" };
    }
  } finally {
    // Identical calls waiting on this one get its answer (or go and call themselves).
    await handOver(shared);
  }
  if (response && stored.entryId !== undefined) context.answers.markUsed(unitRef, stored.entryId);
  if (chargedWorstCase) {
    context.emit({
      type: "usage-missing",
      step: step.name,
      ...(run.item === undefined ? {} : { item: run.item }),
      attempt,
      provider: record.provider,
      model: record.model,
      ...(batchCall ? { batchId: batchCall.vendorBatchId } : {}),
      chargedUsd: lastAttemptCostUsd,
      at: finishedAt,
    });
  }
  emitAttemptEnd(context, step.name, record, response?.finishReason);
  if (!response) return { kind: "failed", attempt: record };
  return { kind: "succeeded", attempt: record, text: response.text, callId: stored.callId, ...(stored.entryId === undefined ? {} : { entryId: stored.entryId }) };
}

/** The first call wins; later ones do nothing (a hand-over settles its waiters once). */
function once<T>(handOver: (value: T) => void): (value: T) => void {
  let done = false;
  return (value) => {
    if (done) return;
    done = true;
    handOver(value);
  };
}

/**
 * OpenAI's `prompt_cache_key` for a step: every call of it (every item of a for_each) shares the
 * stable prefix, so they share a key. Hashed, so names do not leave the machine as written.
 */
export function promptCacheKey(pipeline: string, step: string): string {
  return `orch-${createHash("sha256").update(`${pipeline}\0${step}`).digest("hex").slice(0, 32)}`;
}

/** The content address of calling this candidate with these messages for this step. */
export function cacheKeyFor(context: RunContext, step: PipelineStep, candidate: Candidate, messages: readonly ChatMessage[]): string {
  return cacheKeyOf({
    provider: candidate.provider,
    providerType: context.providers.get(candidate.provider).type,
    answerer: context.providers.answererOf(candidate.provider),
    model: candidate.model,
    messages,
    maxTokens: step.maxTokens,
    ...(candidate.contextWindow === undefined ? {} : { contextWindow: candidate.contextWindow }),
    ...(step.temperature === undefined ? {} : { temperature: step.temperature }),
    json: step.output.format === "json",
    ...(step.output.schema ? { schemaDigest: step.output.schema.digest } : {}),
  });
}

async function reuseAnswer(context: RunContext, request: AttemptRequest, reused: ReusedAnswer, providerType: string, cacheKey: string): Promise<AttemptOutcome> {
  const at = context.now().toISOString();
  const replay = replaysOwnPayment(context, reused);
  const record: AttemptRecord = {
    attempt: request.attemptNumber(),
    ...(request.run.item === undefined ? {} : { item: request.run.item }),
    reference: request.candidate.reference,
    provider: reused.provider,
    model: reused.model,
    status: "succeeded",
    cached: true,
    usage: reused.usage,
    costUsd: 0,
    // An answer this step paid for before a resume is replayed, not saved: it is in the run's cost already.
    savedUsd: replay ? 0 : reused.originalCostUsd,
    latencyMs: 0,
    synthetic: providerType === "mock" || providerType === "replay",
    startedAt: at,
    finishedAt: at,
  };
  const callId = await recordReusedAnswer(context, request.run, record, { ...reused, replay }, providerType, request.messages, cacheKey);
  emitAttemptEnd(context, request.run.step.name, record);
  return { kind: "succeeded", attempt: record, text: reused.text, callId, entryId: reused.entryId };
}

/** This unit's own answer, paid by this run before a resume (a resumed run finds it again, step 1 of cache.ts). */
function replaysOwnPayment(context: RunContext, reused: ReusedAnswer): boolean {
  return reused.source === "run" && reused.paidByRun === context.runId;
}

function emitAttemptEnd(context: RunContext, step: string, record: AttemptRecord, finishReason?: string): void {
  context.emit({
    type: "attempt-end",
    step,
    ...(record.item === undefined ? {} : { item: record.item }),
    attempt: record.attempt,
    provider: record.provider,
    model: record.model,
    status: record.status,
    ...(record.cached ? { cached: true as const, savedUsd: record.savedUsd ?? 0 } : {}),
    usage: record.usage,
    costUsd: record.costUsd,
    latencyMs: record.latencyMs,
    ...(record.error ? { error: record.error } : {}),
    ...(finishReason === undefined ? {} : { finishReason }),
    at: record.finishedAt,
  });
}

/** Anything a provider throws becomes a ProviderError; the step's deadline is told apart from Ctrl-C. */
function normaliseFailure(error: unknown, provider: string, unitSignal: AbortSignal, runSignal: AbortSignal): ProviderError {
  if (runSignal.aborted) {
    return new ProviderError({ kind: "aborted", provider, message: "the call was aborted", ...usageOf(error) });
  }
  if (unitSignal.aborted) {
    return new ProviderError({ kind: "timeout", provider, message: "the step's timeout was reached", ...usageOf(error) });
  }
  if (ProviderError.isInstance(error)) return error;
  return new ProviderError({ kind: "unavailable", provider, message: error instanceof Error ? error.message : String(error), cause: error });
}

function usageOf(error: unknown): { usage?: TokenUsage } {
  return ProviderError.isInstance(error) && error.usage ? { usage: error.usage } : {};
}
