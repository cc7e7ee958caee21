/**
 * One stream of typed events for a run. The progress UI, `--json` and watch mode all read it;
 * the executor never formats anything for humans.
 */
import type { BudgetAlert } from "../budget/alerts.js";
import type { BudgetOverrun } from "../budget/overruns.js";
import type { ProviderErrorKind } from "../providers/provider-error.js";
import type { TokenUsage } from "../providers/provider.js";
import type { RunStatus, StepStatus } from "../contracts/run-store.js";

export interface RunTotals {
  steps: Record<StepStatus, number>;
  /** Calls made to a provider (cache hits are not calls). */
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Answers reused instead of paid for, and what their calls had cost. */
  cacheHits: number;
  savedUsd: number;
  /** Settlements above their reservation (usage beyond what the request allowed): the run exits 3. */
  overruns: number;
  /** What those settlements cost beyond their reservations. */
  overrunUsd: number;
  /**
   * A resumed run only: the calls its earlier processes paid for (the figures above are this
   * process's). The run's cost is `earlier.costUsd + costUsd`, each paid call counted once: an answer
   * paid before the kill and reused now is a cache hit here that saved nothing (`savedUsd` 0).
   */
  earlier?: { calls: number; costUsd: number };
}

export type RunEvent =
  | {
      type: "run-start";
      runId: string;
      pipeline: string;
      steps: string[];
      resultsDirectory: string;
      /** Providers of this run that answer without a real model (mock, replay). */
      syntheticProviders: string[];
      /** Set when the run continues an earlier one (`--resume`): the steps already done are reused. */
      resumed?: true;
      at: string;
    }
  | { type: "step-start"; step: string; at: string }
  | {
      type: "attempt-start";
      step: string;
      /** The item of a for_each step (0-based). */
      item?: number;
      attempt: number;
      reference: string;
      provider: string;
      model: string;
      synthetic: boolean;
      reservedUsd: number;
      at: string;
    }
  | {
      type: "attempt-end";
      step: string;
      item?: number;
      attempt: number;
      provider: string;
      model: string;
      status: "succeeded" | "failed";
      /** Served from the cache (or from this run's earlier answers): no call, cost 0; `usage` is what it saved. */
      cached?: true;
      /** For a cached attempt: what the call that produced the answer cost. */
      savedUsd?: number;
      usage: TokenUsage;
      costUsd: number;
      latencyMs: number;
      error?: { kind: ProviderErrorKind; message: string };
      /** Why the model stopped, as its API says (`stop`, `length`, `end_turn`…), when it said; traces report it. */
      finishReason?: string;
      at: string;
    }
  /** An answer came back but failed the step's output checks; the step moves on (escalates) if it can. */
  /** `checkerOutput`: the end of what the failing validator printed (scrubbed), when it printed anything. */
  | { type: "answer-rejected"; step: string; item?: number; attempt: number; provider: string; model: string; reason: string; checkerOutput?: string; at: string }
  /** A candidate passed over at run time: its reservation was refused, or its provider failed. */
  | { type: "candidate-skipped"; step: string; reference: string; reason: string; at: string }
  /**
   * The step's next call waits: for a provider's limits or a retry's back-off (`waitMs`: how
   * long), or, with `holder`, for an identical call another process is making (single flight
   * across processes: its answer is served here at no cost; `waitMs`: the longest it can take).
   */
  | { type: "provider-wait"; step: string; provider: string; reason: string; waitMs: number; holder?: string; at: string }
  | {
      type: "step-end";
      step: string;
      status: StepStatus;
      provider?: string;
      model?: string;
      synthetic: boolean;
      usage: TokenUsage;
      costUsd: number;
      attempts: number;
      outputFile?: string;
      /** Why it failed, was skipped or stopped by budget. */
      reason?: string;
      /** Every accepted answer came from the cache: nothing was paid. */
      cached?: true;
      /** Done in an earlier attempt of this run (`--resume`): its output was reused, nothing ran. */
      reused?: true;
      /** For a for_each step: how many items it ran over. */
      items?: number;
      /** For a for_each step: items that did not succeed. */
      itemsNotSucceeded?: number;
      /** For a for_each step with `allow_failures`: its failed items and how many it tolerates (it succeeded when failed ≤ allowed). */
      failuresAllowed?: { failed: number; allowed: number };
      /**
       * For a for_each step: the model each item's accepted answer came from, counted, most used
       * first (`provider`/`model` above are only the first item's).
       */
      models?: { target: string; items: number }[];
      at: string;
    }
  /** A for_each step listed its items and starts on them (at most its `concurrency` at once). */
  | { type: "items-start"; step: string; count: number; at: string }
  /** One item of a for_each step is done: its status, and the model whose answer was kept. */
  | { type: "item-end"; step: string; item: number; status: StepStatus; provider?: string; model?: string; cached?: true; at: string }
  /**
   * A call of a `batch:` step and its batch: `submitted` (why it went to a batch: the step can wait,
   * at 50% of the price), `collecting` (a batch from before a restart), `progress` (answers so far),
   * `fallback` (failed, expired or past the deadline: called synchronously instead).
   */
  | { type: "batch"; step: string; item?: number; provider: string; batchId?: string; phase: "submitted" | "collecting" | "progress" | "fallback"; detail: string; at: string }
  /**
   * A paid call was answered without token counts (an API that left `usage` out, a batch result
   * without it): it is charged its reservation's worst case, `chargedUsd`, the most it could have
   * cost, instead of $0 or an estimate that could fall short. `batchId`: the vendor's batch that
   * answered it. Its `attempt-end` carries estimated tokens and this cost.
   */
  | { type: "usage-missing"; step: string; item?: number; attempt: number; provider: string; model: string; batchId?: string; chargedUsd: number; at: string }
  /** A soft alert: a configured fraction of a limit was reached (raised once per period, across processes). */
  | ({ type: "budget-alert" } & BudgetAlert)
  /** A call cost more than its reservation (the provider reported usage beyond what was allowed); recorded in the ledger. */
  | ({ type: "budget-overrun" } & BudgetOverrun)
  | {
      type: "run-end";
      runId: string;
      status: RunStatus;
      exitCode: number;
      totals: RunTotals;
      resultsDirectory: string;
      durationMs: number;
      at: string;
    };

export type RunEventType = RunEvent["type"];
export type EventListener = (event: RunEvent) => void;
