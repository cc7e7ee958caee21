/**
 * One stream of typed events for a run. The progress UI, `--json` and watch mode all read it;
 * the executor never formats anything for humans.
 */
import type { BudgetAlert } from "../budget/alerts.js";
import type { ProviderErrorKind } from "../providers/provider-error.js";
import type { TokenUsage } from "../providers/provider.js";
import type { RunStatus, StepStatus } from "../store/run-repository.js";

export interface RunTotals {
  steps: Record<StepStatus, number>;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
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
      at: string;
    }
  | { type: "step-start"; step: string; at: string }
  | {
      type: "attempt-start";
      step: string;
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
      attempt: number;
      provider: string;
      model: string;
      status: "succeeded" | "failed";
      usage: TokenUsage;
      costUsd: number;
      latencyMs: number;
      error?: { kind: ProviderErrorKind; message: string };
      at: string;
    }
  /** A candidate passed over at run time: its reservation was refused, or its provider failed. */
  | { type: "candidate-skipped"; step: string; reference: string; reason: string; at: string }
  | { type: "provider-wait"; step: string; provider: string; reason: string; waitMs: number; at: string }
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
      at: string;
    }
  /** A soft alert: a configured fraction of a limit was reached (raised once per period, across processes). */
  | ({ type: "budget-alert" } & BudgetAlert)
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
