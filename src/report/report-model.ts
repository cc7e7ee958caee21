/**
 * The shape of a cost report: plain data, the same for the terminal tables, `--json`, `--csv`
 * and `--html`. Every figure's definition is written next to it, because a report is only as
 * useful as the reader's trust in what each number means.
 */
import type { MonthForecast } from "../budget/forecast.js";
import type { BudgetScope } from "../policy/decision.js";
import type { RunDrillDown } from "./run-drilldown.js";

/** What `--by` groups the breakdown table by. */
import type { BudgetOverrun } from "../budget/overruns.js";

export type GroupBy = "provider" | "model" | "pipeline" | "task" | "day" | "team" | "project";

export const groupByValues: readonly GroupBy[] = ["provider", "model", "pipeline", "task", "day", "team", "project"];

/** The part of a row count and its tokens that share a property (local, free). */
export interface Share {
  calls: number;
  /** calls / calls made; 0 when no call was made. */
  callShare: number;
  tokens: number;
  /** tokens / tokens of the calls made; 0 when there were none. */
  tokenShare: number;
}

export interface Totals {
  /** Every recorded row: calls made plus cache hits. */
  rows: number;
  /** Calls that reached a provider (status succeeded or failed). */
  callsMade: number;
  succeededCalls: number;
  failedCalls: number;
  /** Rows with status `cached`: answered from the cache, no provider called. */
  cachedCalls: number;
  /** Input and output tokens of the calls made (cache hits excluded). */
  inputTokens: number;
  outputTokens: number;
  /** Sum of `cost_usd` of every row, synthetic ones included. */
  spendUsd: number;
  /** The part of `spendUsd` from synthetic answers (mock, replay): priced for practice, not billed. */
  syntheticSpendUsd: number;
  /** Step executions with at least one row in the window; each item of a `for_each` step counts as one. */
  steps: number;
  /** Of those, the ones that kept an answer (an item counts on its own, whatever its siblings did). */
  successfulSteps: number;
  /** spendUsd / successfulSteps: failed attempts and failed steps included in the cost. */
  costPerSuccessfulStepUsd: number | null;
  /** Calls made to a provider running on this machine (ollama, replay, mock). */
  local: Share;
  /** Calls made, answered and billed $0 (local, subscription CLIs, unpriced models); a failed call is never free. */
  free: Share;
}

export interface GroupRow {
  key: string;
  rows: number;
  callsMade: number;
  failedCalls: number;
  cachedCalls: number;
  inputTokens: number;
  outputTokens: number;
  spendUsd: number;
  /** This group's spend / all spend. */
  spendShare: number;
  /** Share of this group's calls made that were answered and cost $0 (failed calls are in the whole, never in the part). */
  freeCallShare: number;
  /** Successful steps whose accepted answer came from a call of this group. */
  successfulSteps: number;
  /** Group spend / its successful steps (all its calls' cost, accepted or not). */
  costPerSuccessfulStepUsd: number | null;
}

/** Latency of the successful calls made to one `provider:model` (nearest-rank percentiles). */
export interface LatencyRow {
  model: string;
  calls: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface CacheFigures {
  /** Cache lookups: cache hits + first attempts that were not hits (escalations do not look up). */
  lookups: number;
  hits: number;
  /** hits / lookups; 0 with no lookup. */
  hitRate: number;
  /**
   * Money saved: for each hit, what its cache entry cost when paid for; without an entry, the average
   * cost of the successful uncached calls of the same pipeline, step and provider:model (over all
   * history), else of the same task and provider:model.
   */
  savedUsd: number;
  /** Hits with no earlier paid call to price them: counted as $0 saved. */
  unpricedHits: number;
  /** The same request (cache key, or prompt and provider:model) answered again, uncached and successful. */
  repeatedMisses: RepeatedMisses;
}

/** What the vendors' prompt caches did over the window's calls made (see report/provider-cache-savings.ts). */
export interface ProviderCacheFigures {
  /** Calls that read part of their prompt from the provider's cache, and those that wrote to it. */
  callsReading: number;
  callsWriting: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  /** Reads' saving against the input price, minus the writes' premium above it (negative when writes outweighed reads). */
  savedUsd: number;
}

export interface RepeatedMisses {
  /** Distinct requests answered more than once. */
  prompts: number;
  /** Calls beyond the first of each pair: what a cache would have answered. */
  extraCalls: number;
  extraCostUsd: number;
}

/** One pipeline step's escalations over the window. */
export interface EscalationRow {
  pipeline: string;
  step: string;
  /** Step executions; each item of a `for_each` step counts as one. */
  executions: number;
  /** Executions that needed more than one attempt. */
  escalated: number;
  /** Attempts after the first, over all executions. */
  extraAttempts: number;
  /** The cost of the attempts that were not the last one: what starting at the final model would have saved. */
  extraCostUsd: number;
  /** The cost of every attempt of the escalated executions. */
  costUsd: number;
  /** The `provider:model` whose answer an escalated execution kept in the end, and how often. */
  finalModels: Record<string, number>;
  /** The `provider:model` of the last attempt of escalated executions that kept no answer (it failed or was rejected). */
  failedFinalModels: Record<string, number>;
}

export interface EscalationFigures {
  stepExecutions: number;
  escalatedExecutions: number;
  /** escalatedExecutions / stepExecutions. */
  rate: number;
  extraAttempts: number;
  extraCostUsd: number;
  costUsd: number;
  bySteps: EscalationRow[];
}

/** How one budget scope fared over the periods (days, months, runs) of the window. */
export interface BudgetScopeUse {
  scope: BudgetScope;
  subject?: { kind: "pipeline" | "tag"; name: string };
  limitUsd?: number;
  /** Periods with ledger activity. */
  periods: number;
  /** Periods whose use stayed at or under the limit (all of them without a limit). */
  periodsWithinBudget: number;
  /** periodsWithinBudget / periods; null without a limit. */
  withinShare: number | null;
  usedUsd: number;
  /** The busiest period and its use. */
  peakPeriod: string;
  peakUsedUsd: number;
  /** peakUsedUsd / limitUsd. */
  peakFraction: number | null;
}

export interface BudgetFigures {
  policyFile: string | null;
  timeZone: string | null;
  scopes: BudgetScopeUse[];
  /**
   * Days with real ledger activity, and those within budget: the day's spend stayed within every
   * daily limit (global, pipeline, tag). A budget-stopped step does not put a day over (it is the
   * limit holding; see `budgetStoppedSteps`). Null without any daily limit.
   */
  days: { active: number; withinBudget: number; share: number } | null;
  /** Steps stopped by a budget in the window. */
  budgetStoppedSteps: number;
  /** Calls that cost more than their reservation (usage beyond what the request allowed). */
  overruns: { count: number; overrunUsd: number; calls: BudgetOverrun[] };
}

export interface DailySpend {
  day: string;
  spendUsd: number;
  calls: number;
}

export type RecommendationKind = "cheaper-model" | "local-share" | "start-higher" | "repeated-misses";

export interface Recommendation {
  kind: RecommendationKind;
  /** One sentence with the figures, for people. */
  message: string;
  /** The same figures, for machines. */
  figures: Record<string, number | string>;
}

export interface ReportTargets {
  /** Wanted share of calls made locally; from the policy's `targets.local_share`. */
  localShare?: number;
  /** A model costing more than this per successful step is compared with cheaper ones. */
  costPerSuccessUsd: number;
  /** Fewest successes (or executions) before a model or step is judged. */
  minSamples: number;
}

export interface Report {
  generatedAt: string;
  window: { from: string; to: string; label: string; days: string[] };
  groupBy: GroupBy;
  totals: Totals;
  groups: GroupRow[];
  /** Spend per model (`provider:model`), for the chart, largest first. */
  spendByModel: { model: string; spendUsd: number }[];
  daily: DailySpend[];
  latency: LatencyRow[];
  cache: CacheFigures;
  /** The vendors' own prompt caches (Anthropic, OpenAI, Gemini), next to orch's answer cache. */
  providerCache: ProviderCacheFigures;
  escalations: EscalationFigures;
  budget: BudgetFigures;
  /** Month-end spend projected from this month's days so far (budget/forecast.ts), when the report's ledger rows reach this month. */
  forecast?: MonthForecast;
  targets: ReportTargets;
  recommendations: Recommendation[];
  /** The window's runs, newest first (at most `drillDownRunLimit`): steps, attempts, costs, checks. */
  runs: RunDrillDown[];
}
