/**
 * `orch run --resume [run-id]`: which run to continue, and what it already did. A resumed run
 * keeps its id, so its results folder, its run budget and its records stay one story; its steps
 * that succeeded are reused (their outputs read back from the store), every other one runs again,
 * and answers it had already paid for come back from its own cache entries at no cost.
 */
import { isProcessAlive } from "../budget/reconcile.js";
import { UsageError } from "../errors/orch-error.js";
import type { InputValues } from "../pipeline/inputs.js";
import type { PipelineModel } from "../pipeline/model.js";
import type { UpstreamOutput } from "../pipeline/render.js";
import type { ResumableRun } from "../contracts/execution-store.js";
import type { OrchStore } from "../contracts/orch-store.js";
import type { StepRow } from "../contracts/run-store.js";
import { parseJsonAnswer } from "./answer-format.js";

export interface ResumePoint {
  runId: string;
  inputs: InputValues;
  resultsDirectory?: string;
}

/** The run to resume: the one named, or the newest of this pipeline that did not succeed and is not running. */
export async function findRunToResume(store: Pick<OrchStore, "executions" | "location">, pipeline: PipelineModel, runId?: string): Promise<ResumePoint> {
  const candidates = runId === undefined ? await store.executions.unfinishedRuns(pipeline.absolutePath) : [await store.executions.getRun(runId)];
  if (runId !== undefined && !candidates[0]) {
    throw new UsageError({ message: `no run "${runId}" in ${store.location}`, hint: "pass the run id printed by the interrupted run, or --resume alone for the latest" });
  }
  const run = candidates.find((candidate): candidate is ResumableRun => candidate !== undefined && !isStillRunning(candidate));
  if (!run) {
    const busy = candidates.find((candidate) => candidate && isStillRunning(candidate));
    if (busy) throw new UsageError({ message: `run ${busy.id} is still running (process ${busy.processId})`, hint: "wait for it, or stop it first" });
    throw new UsageError({ message: `no unfinished run of ${pipeline.file} to resume`, hint: "run it without --resume" });
  }
  if (run.pipelinePath !== pipeline.absolutePath) {
    throw new UsageError({ message: `run ${run.id} ran ${run.pipelinePath}, not ${pipeline.absolutePath}`, hint: `orch run ${run.pipelinePath} --resume ${run.id}` });
  }
  if (run.status === "succeeded") throw new UsageError({ message: `run ${run.id} succeeded: there is nothing to resume`, hint: "run the pipeline without --resume" });
  return { runId: run.id, inputs: JSON.parse(run.inputsJson) as InputValues, ...(run.resultsDirectory ? { resultsDirectory: run.resultsDirectory } : {}) };
}

/** A run left `running` by a process that is gone (killed, crashed) can be resumed; a live one cannot. */
function isStillRunning(run: ResumableRun): boolean {
  return run.status === "running" && run.processId !== null && run.processId !== process.pid && isProcessAlive(run.processId);
}

/** The outputs of a resumed run's succeeded steps, as downstream templates read them. */
export function reusedOutputs(pipeline: PipelineModel, rows: readonly StepRow[]): Map<string, UpstreamOutput> {
  const outputs = new Map<string, UpstreamOutput>();
  for (const row of rows) {
    const step = pipeline.steps.get(row.step);
    if (!step) continue;
    const text = row.output ?? "";
    if (step.forEach) {
      try {
        outputs.set(row.step, JSON.parse(text) as UpstreamOutput);
        continue;
      } catch {
        // Recorded before the step fanned out: read it as a plain output below.
      }
    }
    const parsed = step.output.format === "json" ? parseJsonAnswer(text) : undefined;
    outputs.set(row.step, { output: text, ...(parsed?.ok ? { json: parsed.value } : {}) });
  }
  return outputs;
}
