/**
 * The report's per-run drill-down: for each run of the window (newest first), every step (and
 * `for_each` item) with its attempts — model, status, tokens, cost, and the checks' verdict with
 * what the checker printed. Pure, from the window's call rows. Prompts and answers live in the
 * call log; `callId` lets the HTML page put each attempt's beside it.
 */
import { addUsd } from "../money/nano.js";
import type { CallFact } from "./call-facts.js";

export interface DrillDownAttempt {
  /** The call's row id (`llm_calls.id`): the key of its prompt and answer in the call log. */
  callId: number;
  attempt: number;
  /** `provider:model`. */
  model: string;
  status: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Why the output checks refused the answer. */
  rejection?: string;
  /** The end of what the failing checker printed. */
  checkerOutput?: string;
  /** Why the call failed (the provider's error kind). */
  errorKind?: string;
}

export interface DrillDownStep {
  step: string;
  /** The item of a `for_each` step; absent for a plain step. */
  item?: number;
  /** The step execution's final status. */
  status: string | null;
  costUsd: number;
  attempts: DrillDownAttempt[];
}

export interface RunDrillDown {
  runId: string;
  pipeline: string;
  /** The first call's start. */
  startedAt: string;
  /** Recorded attempts: calls made and answers reused from the cache. */
  calls: number;
  costUsd: number;
  steps: DrillDownStep[];
}

/** Newest runs kept on the page: enough to look back, small enough to open. */
export const drillDownRunLimit = 50;

export function runDrillDowns(facts: readonly CallFact[]): RunDrillDown[] {
  const runs = new Map<string, RunDrillDown>();
  const steps = new Map<string, DrillDownStep>();
  for (const { row, model } of facts) {
    const run = runs.get(row.runId) ?? { runId: row.runId, pipeline: row.pipelineName, startedAt: row.startedAt, calls: 0, costUsd: 0, steps: [] };
    runs.set(row.runId, run);
    run.calls++;
    run.costUsd = addUsd(run.costUsd, row.costUsd);
    const key = `${row.runId}\0${row.step}\0${row.itemIndex ?? ""}`;
    let step = steps.get(key);
    if (!step) {
      step = { step: row.step, ...(row.itemIndex === null ? {} : { item: row.itemIndex }), status: row.stepStatus, costUsd: 0, attempts: [] };
      steps.set(key, step);
      run.steps.push(step);
    }
    step.costUsd = addUsd(step.costUsd, row.costUsd);
    step.attempts.push({
      callId: row.id,
      attempt: row.attempt,
      model,
      status: row.status,
      inputTokens: row.inputTokens,
      outputTokens: row.outputTokens,
      costUsd: row.costUsd,
      ...(row.rejectionReason ? { rejection: row.rejectionReason } : {}),
      ...(row.checkerOutput ? { checkerOutput: row.checkerOutput } : {}),
      ...(row.errorKind ? { errorKind: row.errorKind } : {}),
    });
  }
  return [...runs.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.runId.localeCompare(a.runId)).slice(0, drillDownRunLimit);
}
