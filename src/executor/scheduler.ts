/**
 * Runs a DAG of steps with bounded concurrency. Pure scheduling: what a step does is the
 * caller's `run`; this file only decides when each step may start and what to do when one fails.
 *
 * Pre: `order` is topological (every step after its needs). Post: every step ends with exactly
 * one final status; a step whose needs did not all succeed is skipped with the reason (a skipped
 * need does not block a step that `runsAfterSkippedNeeds`), while independent branches go on;
 * with `failFast`, or once `signal` aborts, no new step starts. Steps in `done` (a resumed run's
 * finished steps) count as succeeded from the start and are not run.
 */
export type StepOutcome = "succeeded" | "failed" | "budget_stopped" | "deferred" | "cancelled" | "skipped";
export type FinalStepStatus = StepOutcome;

export interface ScheduleOptions {
  order: readonly string[];
  needsOf(step: string): readonly string[];
  concurrency: number;
  failFast: boolean;
  signal?: AbortSignal;
  /** True for a step that runs even when a need was skipped (`if_needs_skipped: run`). */
  runsAfterSkippedNeeds?(step: string): boolean;
  /** Steps already done: final from the start, never run. */
  done?: ReadonlySet<string>;
  run(step: string): Promise<StepOutcome>;
  /** Called for a step that will not run, with the reason, in topological order. */
  notRun(step: string, status: "skipped" | "cancelled", reason: string): void;
}

const outcomeWords: Record<Exclude<FinalStepStatus, "succeeded">, string> = {
  failed: "failed",
  budget_stopped: "was stopped by the budget",
  deferred: "was deferred",
  skipped: "was skipped",
  cancelled: "was cancelled",
};

export async function runSchedule(options: ScheduleOptions): Promise<Map<string, FinalStepStatus>> {
  const final = new Map<string, FinalStepStatus>();
  for (const step of options.done ?? []) final.set(step, "succeeded");
  const pending = options.order.filter((step) => !final.has(step));
  const cleared = (step: string, need: string) => {
    const status = final.get(need);
    return status === "succeeded" || (status === "skipped" && options.runsAfterSkippedNeeds?.(step) === true);
  };
  const running = new Map<string, Promise<void>>();
  let stopReason: string | undefined;
  const aborted = abortPromise(options.signal);

  const settleNotRunnable = () => {
    for (let index = 0; index < pending.length; index++) {
      const step = pending[index]!;
      const blocker = options.needsOf(step).find((need) => final.has(need) && !cleared(step, need));
      if (blocker !== undefined) {
        pending.splice(index--, 1);
        final.set(step, "skipped");
        options.notRun(step, "skipped", `needs "${blocker}", which ${outcomeWords[final.get(blocker) as Exclude<FinalStepStatus, "succeeded">]}`);
      }
    }
  };

  for (;;) {
    if (stopReason === undefined && options.signal?.aborted) stopReason = "the run was interrupted";
    settleNotRunnable();
    if (stopReason === undefined) {
      for (let index = 0; index < pending.length && running.size < options.concurrency; index++) {
        const step = pending[index]!;
        if (!options.needsOf(step).every((need) => cleared(step, need))) continue;
        pending.splice(index--, 1);
        const task = options
          .run(step)
          .catch((): StepOutcome => "failed")
          .then((outcome) => {
            final.set(step, outcome);
            running.delete(step);
            if (outcome === "failed" && options.failFast && stopReason === undefined) stopReason = `--fail-fast: "${step}" failed`;
          });
        running.set(step, task);
      }
    }
    if (running.size === 0) break;
    await Promise.race(stopReason === undefined ? [...running.values(), aborted] : [...running.values()]);
  }

  for (const step of pending) {
    final.set(step, "cancelled");
    options.notRun(step, "cancelled", stopReason ?? "not started");
  }
  return final;
}

const neverSettles = new Promise<never>(() => {});

function abortPromise(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return neverSettles;
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}
