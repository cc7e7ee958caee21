/**
 * The run log's store contract: runs, their steps and every LLM call, with the writes that must be
 * atomic expressed as single operations (each implementation runs one transaction per operation),
 * so the contract needs no transaction object that an asynchronous driver could not honour.
 * Types only: imports nothing but other contracts.
 *
 * Instants are ISO-8601 UTC strings, so comparing strings orders them. Money on these rows is the
 * call's cost in USD as a float (what `llm_calls.cost_usd` holds); the ledger's money is integer
 * nano-dollars (see ledger-store.ts).
 */
import type { NewCachedAnswer } from "./answer-cache-store.js";
import type { CallText } from "./call-log-store.js";
import type { SettledCall, SettleOutcome } from "./ledger-store.js";

export type RunStatus = "running" | "succeeded" | "failed" | "budget_stopped" | "deferred" | "interrupted";
export type StepStatus = "pending" | "running" | "succeeded" | "failed" | "skipped" | "budget_stopped" | "deferred" | "cancelled";
export type CallStatus = "succeeded" | "failed" | "cached";

export interface NewRun {
  id: string;
  pipelineName: string;
  pipelinePath: string;
  policyPath?: string;
  inputs: Record<string, unknown>;
  startedAt: string;
  resultsDirectory?: string;
  processId: number;
}

export interface RunRow {
  id: string;
  pipeline_name: string;
  pipeline_path: string;
  policy_path: string | null;
  status: RunStatus;
  inputs_json: string;
  started_at: string;
  finished_at: string | null;
  results_directory: string | null;
  exit_code: number | null;
}

export interface StepFinish {
  status: StepStatus;
  /** When the step began (kept as is when omitted). */
  startedAt?: string;
  finishedAt: string;
  provider?: string;
  model?: string;
  output?: string;
  outputSha256?: string;
  outputFile?: string;
  errorKind?: string;
  errorMessage?: string;
  skipReason?: string;
  retryAfter?: string;
  /** The step's result document, exactly as written to `<step>.json`. */
  resultJson?: string;
  attempts: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface StepRow {
  id: number;
  run_id: string;
  step: string;
  status: StepStatus;
  started_at: string | null;
  finished_at: string | null;
  provider: string | null;
  model: string | null;
  output: string | null;
  output_file: string | null;
  error_kind: string | null;
  error_message: string | null;
  skip_reason: string | null;
  attempts: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  /** What `<step>.json` holds; null for a step that wrote none (or ended before migration 0004). */
  result_json: string | null;
}

export interface CallRecord {
  runId: string;
  stepExecutionId: number;
  step: string;
  attempt: number;
  pipelineName: string;
  task: string;
  provider: string;
  providerType: string;
  model: string;
  promptSha256: string;
  status: CallStatus;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  /** Prompt tokens written to the provider's cache, 5-minute and 1-hour (0 when none). */
  cacheWriteTokens?: number;
  cacheWrite1hTokens?: number;
  /** What the provider's prompt cache saved on this call against the input price, net of write premiums (nano-dollars; may be negative). */
  providerCacheSavedNano?: number;
  reasoningTokens: number;
  costUsd: number;
  latencyMs?: number;
  errorKind?: string;
  errorMessage?: string;
  synthetic: boolean;
  reservationId?: number;
  startedAt: string;
  finishedAt: string;
  /** The item of a for_each step the call was for (0-based). */
  itemIndex?: number;
  /** The content address of the request (see executor/cache.ts). */
  cacheKey?: string;
}

export interface CallRow {
  id: number;
  run_id: string;
  step: string;
  attempt: number;
  item_index: number | null;
  provider: string;
  model: string;
  status: CallStatus;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  latency_ms: number | null;
  error_kind: string | null;
  error_message: string | null;
  /** Why an answer that came back failed the output checks. */
  rejection_reason: string | null;
  synthetic: number;
  started_at: string;
  finished_at: string;
}

/**
 * How a paid call closes its reservation: settled at its real cost, or released when nothing was
 * used. The reservation closes at the call's `finishedAt` (the run's clock), and the caller is told
 * what the settlement did (`PaidCallWritten.settlement`) to raise overrun events and alerts.
 */
export type ReservationClose =
  | { kind: "settle"; reservationId: number; actualNanoUsd: number; call: SettledCall }
  | { kind: "release"; reservationId: number };

/**
 * A paid call, written in one transaction: its step marked running (at `call.startedAt`), its reservation closed, its
 * row, its texts and, when an answer came back, the answer (a cache entry naming the call). After a
 * crash at any moment either all of it exists or none, so a resumed run finds every answer it paid for.
 */
export interface PaidCallWrite {
  stepExecutionId: number;
  close?: ReservationClose;
  call: CallRecord;
  text: CallText;
  /** The answer to keep; its `callId` is the new call row's. */
  answer?: Omit<NewCachedAnswer, "callId">;
  /** The batch call this answer came from, marked collected with it, so a crash between the two cannot pay for it twice. */
  batchCall?: { batchJobId: number; customId: string };
}

export interface PaidCallWritten {
  callId: number;
  /** The cache entry, when an answer was kept. */
  entryId?: number;
  /** What closing the reservation did (absent when `close` was). */
  settlement?: SettleOutcome;
}

/**
 * An answer served from the cache, written in one transaction: the step marked running, the hit
 * (kept at `call.finishedAt`, so a resumed run finds the serving again), and a `cached` call row
 * (cost 0) with its texts.
 */
export interface ReusedAnswerWrite {
  stepExecutionId: number;
  entryId: number;
  /** Who was served (see `AnswerUse`). */
  use: { runId: string; step: string; itemIndex?: number };
  /**
   * The unit's own answer, paid by this run before a resume, served to it again: the call row is
   * recorded, but it is not a hit of the entry (it saved nothing; the run paid for it).
   */
  replay?: boolean;
  call: CallRecord;
  text: CallText;
}

export interface RunStore {
  /** Creates the run and a pending row per step; returns each step's row id. */
  createRun(run: NewRun, steps: readonly string[]): Promise<Map<string, number>>;
  recordPaidCall(write: PaidCallWrite): Promise<PaidCallWritten>;
  /** Returns the new call row's id. */
  recordReusedAnswer(write: ReusedAnswerWrite): Promise<number>;
  /** Closes a step in one transaction: its row and result document, and its answers marked accepted (shareable from then on). */
  finishStep(stepExecutionId: number, finish: StepFinish, acceptedEntryIds?: readonly number[]): Promise<void>;
  finishRun(id: string, status: RunStatus, finishedAt: string, exitCode: number): Promise<void>;
  getRun(id: string): Promise<RunRow | undefined>;
  listSteps(runId: string): Promise<StepRow[]>;
  listCalls(runId: string): Promise<CallRow[]>;
}
