/**
 * Makespan of a DAG on a mock answering in 50 ms, at concurrency 16, as a multiple of the lower
 * bound max(critical path, ⌈steps / 16⌉) × 50 ms; the baseline is a minimal timer-based scheduler
 * (a ready list in file order, one `setTimeout` per step) on the same DAG in the same process.
 */
import path from "node:path";
import { performance } from "node:perf_hooks";
import { runPipeline } from "../../../src/executor/run-pipeline.js";
import { openStore } from "../../../src/store/index.js";
import { loadWorkspace } from "../../../src/workspace/load-workspace.js";
import { openProviders } from "../../../src/workspace/open-providers.js";
import { temporaryDirectory } from "../../support/cli.js";
import { writePipeline, writePolicy } from "../support/projects.js";

export interface Dag {
  name: string;
  steps: number;
  needsOf: (index: number) => number[];
}

const latencyMs = 50;
const concurrency = 16;

export function lowerBoundMs(dag: Dag): number {
  const depth: number[] = [];
  for (let index = 0; index < dag.steps; index++) depth[index] = 1 + Math.max(0, ...dag.needsOf(index).map((need) => depth[need]!));
  return Math.max(Math.max(...depth), Math.ceil(dag.steps / concurrency)) * latencyMs;
}

export async function orchMakespanMs(dag: Dag): Promise<number> {
  const directory = temporaryDirectory("orch-bench-dag-");
  writePolicy(directory, { latencyMs });
  const workspace = await loadWorkspace(writePipeline(directory, dag.steps, dag.needsOf));
  const store = await openStore(path.join(directory, "orch.db"));
  const opened = openProviders(workspace.policy, { env: {}, workingDirectory: directory });
  const started = performance.now();
  const outcome = await runPipeline({ pipeline: workspace.pipeline, policy: workspace.policy, inputs: {}, store, providers: opened.set, resultsRoot: path.join(directory, "results"), concurrency });
  const elapsed = performance.now() - started;
  await opened.close();
  await store.close();
  if (outcome.exitCode !== 0) throw new Error(`bench run failed: ${outcome.status}`);
  return elapsed;
}

/** The minimal scheduler: start what is ready, in file order, whenever a slot frees. */
export function minimalMakespanMs(dag: Dag): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now();
    const left = Array.from({ length: dag.steps }, (_, index) => dag.needsOf(index).length);
    const dependents: number[][] = Array.from({ length: dag.steps }, () => []);
    for (let index = 0; index < dag.steps; index++) for (const need of dag.needsOf(index)) dependents[need]!.push(index);
    const ready = left.flatMap((count, index) => (count === 0 ? [index] : []));
    let running = 0;
    let done = 0;
    const pump = () => {
      while (running < concurrency && ready.length > 0) {
        const step = ready.shift()!;
        running++;
        setTimeout(() => {
          running--;
          done++;
          for (const dependent of dependents[step]!) if (--left[dependent]! === 0) ready.push(dependent);
          if (done === dag.steps) resolve(performance.now() - started);
          else pump();
        }, latencyMs);
      }
    };
    pump();
  });
}
