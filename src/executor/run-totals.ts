/** The end of a run in figures: its status and exit code, and its totals from the events it emitted. */
import { exitCodes } from "../errors/orch-error.js";
import { nanoToUsd, usdToNano } from "../money/nano.js";
import type { RunStatus, StepStatus } from "../contracts/run-store.js";
import type { RunEvent, RunTotals } from "./events.js";
import type { FinalStepStatus } from "./scheduler.js";

/**
 * Precedence: an interruption, then a failed step (1), then budget, deferral or an overrun (3),
 * else success. A run whose steps all succeeded but that overran a reservation keeps its status
 * and exits 3: the money is spent and recorded, and a script must not take it for a clean run.
 */
export function runStatusOf(final: ReadonlyMap<string, FinalStepStatus>, interrupted: boolean, overruns = 0): { status: RunStatus; exitCode: number } {
  const statuses = new Set(final.values());
  if (interrupted) return { status: "interrupted", exitCode: exitCodes.interrupted };
  if (statuses.has("failed")) return { status: "failed", exitCode: exitCodes.stepFailed };
  if (overruns > 0 && !statuses.has("cancelled")) {
    const { status } = runStatusOf(final, false);
    return { status, exitCode: exitCodes.stoppedByBudget };
  }
  if (statuses.has("budget_stopped")) return { status: "budget_stopped", exitCode: exitCodes.stoppedByBudget };
  if (statuses.has("deferred")) return { status: "deferred", exitCode: exitCodes.stoppedByBudget };
  if (statuses.has("cancelled")) return { status: "failed", exitCode: exitCodes.stepFailed };
  return { status: "succeeded", exitCode: exitCodes.success };
}

/** Calls are the attempts a provider answered or failed; cache hits are counted apart, with what they saved. */
export function totalsOf(final: ReadonlyMap<string, FinalStepStatus>, events: readonly RunEvent[]): RunTotals {
  const steps = { pending: 0, running: 0, succeeded: 0, failed: 0, skipped: 0, budget_stopped: 0, deferred: 0, cancelled: 0 } satisfies Record<StepStatus, number>;
  for (const status of final.values()) steps[status]++;
  const totals: RunTotals = { steps, calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, cacheHits: 0, savedUsd: 0, overruns: 0, overrunUsd: 0 };
  // Money summed in whole nano-dollars and converted once: float dollars drift (0.1 + 0.2).
  const nano = { cost: 0, saved: 0, overrun: 0 };
  for (const event of events) {
    if (event.type === "budget-overrun") {
      totals.overruns++;
      nano.overrun += usdToNano(event.overrunUsd);
      continue;
    }
    if (event.type !== "attempt-end") continue;
    if (event.cached) {
      totals.cacheHits++;
      nano.saved += usdToNano(event.savedUsd ?? 0);
      continue;
    }
    totals.calls++;
    totals.inputTokens += event.usage.inputTokens;
    totals.outputTokens += event.usage.outputTokens;
    nano.cost += usdToNano(event.costUsd);
  }
  return { ...totals, costUsd: nanoToUsd(nano.cost), savedUsd: nanoToUsd(nano.saved), overrunUsd: nanoToUsd(nano.overrun) };
}
