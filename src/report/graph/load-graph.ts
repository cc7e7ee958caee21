/**
 * Loads a pipeline file into a graph, optionally with one run's recorded step results. Only the
 * pipeline is needed: a graph is drawn without its routing policy.
 */
import { loadPipelineFile } from "../../config/load-config.js";
import { OrchError, UsageError } from "../../errors/orch-error.js";
import { buildPipeline } from "../../pipeline/build-pipeline.js";
import type { OrchStore } from "../../contracts/orch-store.js";
import type { RunRow } from "../../contracts/run-store.js";
import type { PipelineModel } from "../../pipeline/model.js";
import { pipelineGraph, type PipelineGraph } from "./pipeline-graph.js";

/** `--run latest`: the newest run of this pipeline file. */
export const latestRunAlias = "latest";

export async function loadPipelineGraph(pipelineFile: string, run?: { store: OrchStore; runId: string; now?: Date }): Promise<PipelineGraph> {
  const pipeline = await buildPipeline(await loadPipelineFile(pipelineFile));
  if (!run) return pipelineGraph(pipeline);
  const row =
    run.runId === latestRunAlias
      ? await run.store.reports.latestRun((run.now ?? new Date()).toISOString(), pipeline.absolutePath)
      : await run.store.runs.getRun(run.runId);
  if (!row) {
    throw new UsageError({
      message: run.runId === latestRunAlias ? `no run of ${pipelineFile} is recorded in ${run.store.location}` : `no run "${run.runId}" in ${run.store.location}`,
      hint: "run ids are printed by `orch run` and kept in the database given by --db (default $ORCH_HOME/orch.db)",
    });
  }
  if (row.pipeline_name !== pipeline.name) {
    throw new UsageError({ message: `run ${row.id} is of pipeline "${row.pipeline_name}", not "${pipeline.name}" (${pipelineFile})`, hint: "pass the pipeline file that run used" });
  }
  return pipelineGraph(pipeline, { id: row.id, steps: await run.store.runs.listSteps(row.id) });
}

/** The pipeline a recorded run ran, read again from its file; undefined when that file is gone, no longer valid or now another pipeline. */
export async function pipelineOfRecordedRun(row: RunRow): Promise<PipelineModel | undefined> {
  try {
    const pipeline = await buildPipeline(await loadPipelineFile(row.pipeline_path));
    return pipeline.name === row.pipeline_name ? pipeline : undefined;
  } catch (error) {
    // A moved or edited pipeline file is a config error: the report goes on without the graph.
    if (OrchError.isInstance(error)) return undefined;
    throw error;
  }
}

/** The graph of a recorded run, from the pipeline file it ran; undefined when that file is gone or no longer valid. */
export async function graphOfRecordedRun(store: Pick<OrchStore, "runs">, row: RunRow): Promise<PipelineGraph | undefined> {
  const pipeline = await pipelineOfRecordedRun(row);
  return pipeline ? pipelineGraph(pipeline, { id: row.id, steps: await store.runs.listSteps(row.id) }) : undefined;
}
