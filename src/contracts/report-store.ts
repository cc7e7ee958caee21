/**
 * The read-only queries behind `orch report`, `orch graph --run` and the dashboard, as a store
 * contract. They return plain rows; every figure (shares, percentiles, savings, recommendations) is
 * computed in `src/report/` from them. Types only.
 *
 * Instants are ISO-8601 UTC strings as the executor writes them (`Date.toISOString()`), so a
 * string comparison orders them.
 */
import type { CallStatus, RunRow, StepStatus } from "./run-store.js";

/** One LLM call, with what became of its step. */

export interface ReportCallRow {
  id: number;
  runId: string;
  stepExecutionId: number | null;
  step: string;
  /** The item of a `for_each` step; null for a plain step. */
  itemIndex: number | null;
  attempt: number;
  /** The highest attempt recorded for the same step execution and item (the last candidate tried). */
  lastAttempt: number;
  pipelineName: string;
  task: string;
  provider: string;
  providerType: string;
  model: string;
  promptSha256: string;
  /** The cache's content address of the request; null for calls recorded before the cache existed. */
  cacheKey: string | null;
  status: CallStatus;
  /**
   * A `cached` row serving its unit's own answer again, paid by the same run earlier (a resumed
   * run replays it): a hit that saved nothing.
   */
  replaysOwnAnswer: boolean;
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens the provider's own cache served, and wrote (5-minute and 1-hour together). */
  cachedInputTokens: number;
  cacheWriteTokens: number;
  /** What the provider's prompt cache saved on the call, net of write premiums (nano-dollars; may be negative). */
  providerCacheSavedNano: number;
  costUsd: number;
  latencyMs: number | null;
  errorKind: string | null;
  /** Set when the answer came back but the output checks refused it. */
  rejectionReason: string | null;
  /** The end of what the failing checker printed (scrubbed), when it printed anything. */
  checkerOutput: string | null;
  synthetic: boolean;
  startedAt: string;
  /** Null when the call has no step execution (never, as the executor records calls today). */
  stepStatus: StepStatus | null;
  /** The team and project its run spent for (from the run's ledger rows); absent when the policy named none. */
  team?: string;
  project?: string;
}
/** The average cost of the successful, uncached calls of one provider:model, for one step or one task. */

export interface AverageCostRow {
  pipelineName: string;
  step: string;
  task: string;
  provider: string;
  model: string;
  calls: number;
  averageCostUsd: number;
}

export interface CachedAnswerCostRow {
  cacheKey: string;
  costUsd: number;
}
/** What the ledger counted, summed per calendar day, run and pipeline (the ledger's own calendar keys). */

export interface LedgerUseRow {
  day: string;
  month: string;
  runId: string;
  pipelineName: string;
  /** 1 for synthetic money (mock, replay): it counts in its run, never in a day or a month. */
  synthetic: number;
  /** Settled amounts + open and expired reservations at their worst case, as the ledger counts them. */
  usedNanoUsd: number;
}

export interface LedgerTagUseRow {
  tag: string;
  day: string;
  month: string;
  /** 1 for synthetic money (mock, replay). */
  synthetic: number;
  usedNanoUsd: number;
}
/** A step the budget stopped: no candidate fitted under a limit. */

export interface BudgetStopRow {
  runId: string;
  pipelineName: string;
  step: string;
  finishedAt: string;
}

export interface ReportStore {
  /** Calls started in [fromIso, toIso), oldest first. */
  callsBetween(fromIso: string, toIso: string): Promise<ReportCallRow[]>;
  /**
   * Over all time, not just the report's window: a cache hit today saves what a call cost when the
   * answer was first computed, perhaps last month.
   */
  averageSuccessfulCosts(): Promise<AverageCostRow[]>;
  /**
   * What the answers behind the window's cache hits cost when they were first paid for, by cache key
   * (averaged over the entries of a key: they answer the same request).
   */
  cachedAnswerCosts(fromIso: string, toIso: string): Promise<CachedAnswerCostRow[]>;
  /** Ledger use for calendar months in [fromMonth, toMonth] (keys `YYYY-MM`, inclusive). */
  ledgerUse(fromMonth: string, toMonth: string): Promise<LedgerUseRow[]>;
  ledgerUseByTag(fromMonth: string, toMonth: string): Promise<LedgerTagUseRow[]>;
  /** Steps stopped by a budget, finished in [fromIso, toIso). */
  budgetStopsBetween(fromIso: string, toIso: string): Promise<BudgetStopRow[]>;
  /** Every pipeline name runs or ledger rows were recorded under, for `--pipeline` and its suggestions. */
  pipelineNames(): Promise<string[]>;
  /** Whether a run of this id was recorded (its run row, or money the ledger counted for it). */
  runKnown(runId: string): Promise<boolean>;
  /** The newest run started before `beforeIso`, optionally of one pipeline file. */
  latestRun(beforeIso: string, pipelinePath?: string): Promise<RunRow | undefined>;
}
