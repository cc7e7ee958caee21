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
import { Heap } from "../pipeline/heap.js";

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

/**
 * Event-driven: a finishing step updates its dependents' counts of needs left and starts what
 * became ready, at once, instead of rescanning every pending step after each wake (quadratic in
 * the number of steps, and a wake per `Promise.race` over everything running). Among ready steps
 * the one with the longest chain of dependents after it starts first (critical path first), ties
 * in file order: with fewer slots than ready steps, that shortens the makespan.
 */
export async function runSchedule(options: ScheduleOptions): Promise<Map<string, FinalStepStatus>> {
  const final = new Map<string, FinalStepStatus>();
  for (const step of options.done ?? []) final.set(step, "succeeded");
  const position = new Map(options.order.map((step, index) => [step, index]));
  const dependents = new Map<string, string[]>();
  const needsLeft = new Map<string, number>();
  for (const step of options.order) {
    if (final.has(step)) continue;
    let left = 0;
    for (const need of options.needsOf(step)) {
      if (final.has(need)) continue;
      left++;
      const list = dependents.get(need);
      if (list) list.push(step);
      else dependents.set(need, [step]);
    }
    needsLeft.set(step, left);
  }
  const rank = criticalPathLengths(options.order, (step) => dependents.get(step) ?? []);
  const ready = new Heap<string>((a, b) => rank.get(b)! - rank.get(a)! || position.get(a)! - position.get(b)!);
  const cleared = (step: string, need: string) => {
    const status = final.get(need);
    return status === "succeeded" || (status === "skipped" && options.runsAfterSkippedNeeds?.(step) === true);
  };
  let running = 0;
  let stopReason: string | undefined;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  // After steps became final: skips every step a final, uncleared need blocks, and theirs in turn,
  // in topological order; then queues the steps whose needs are all final (and cleared).
  const settleDependents = (of: readonly string[]) => {
    const toCheck = new Heap<string>((a, b) => position.get(a)! - position.get(b)!);
    const checked: string[] = [];
    for (const step of of) for (const dependent of dependents.get(step) ?? []) toCheck.push(dependent);
    while (toCheck.size > 0) {
      const step = toCheck.pop();
      if (final.has(step) || !needsLeft.has(step)) continue;
      checked.push(step);
      const blocker = options.needsOf(step).find((need) => final.has(need) && !cleared(step, need));
      if (blocker === undefined) continue;
      needsLeft.delete(step);
      final.set(step, "skipped");
      options.notRun(step, "skipped", `needs "${blocker}", which ${outcomeWords[final.get(blocker) as Exclude<FinalStepStatus, "succeeded">]}`);
      for (const dependent of dependents.get(step) ?? []) {
        if (needsLeft.has(dependent)) needsLeft.set(dependent, needsLeft.get(dependent)! - 1);
        toCheck.push(dependent);
      }
    }
    for (const step of checked) {
      if (needsLeft.get(step) === 0 && !final.has(step)) {
        needsLeft.delete(step);
        ready.push(step);
      }
    }
  };
  const becameFinal = (step: string) => {
    for (const dependent of dependents.get(step) ?? []) {
      if (needsLeft.has(dependent)) needsLeft.set(dependent, needsLeft.get(dependent)! - 1);
    }
    settleDependents([step]);
  };
  const pump = () => {
    if (stopReason === undefined && options.signal?.aborted) stopReason = "the run was interrupted";
    while (stopReason === undefined && running < options.concurrency && ready.size > 0) {
      const step = ready.pop();
      running++;
      options
        .run(step)
        .catch((): StepOutcome => "failed")
        .then((outcome) => {
          final.set(step, outcome);
          running--;
          if (outcome === "failed" && options.failFast && stopReason === undefined) stopReason = `--fail-fast: "${step}" failed`;
          becameFinal(step);
          pump();
        });
    }
    if (running === 0 && (stopReason !== undefined || ready.size === 0)) finish();
  };

  settleDependents([...final.keys()]);
  for (const step of options.order) {
    if (needsLeft.get(step) === 0 && !final.has(step)) {
      needsLeft.delete(step);
      ready.push(step);
    }
  }
  const onAbort = () => pump();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  pump();
  await finished;
  options.signal?.removeEventListener("abort", onAbort);

  for (const step of options.order) {
    if (final.has(step)) continue;
    final.set(step, "cancelled");
    options.notRun(step, "cancelled", stopReason ?? "not started");
  }
  return final;
}

/** Per step, the number of steps on the longest chain of dependents starting at it (itself included). */
function criticalPathLengths(order: readonly string[], dependentsOf: (step: string) => readonly string[]): Map<string, number> {
  const length = new Map<string, number>();
  for (let index = order.length - 1; index >= 0; index--) {
    const step = order[index]!;
    let longest = 0;
    for (const dependent of dependentsOf(step)) longest = Math.max(longest, length.get(dependent) ?? 0);
    length.set(step, longest + 1);
  }
  return length;
}
