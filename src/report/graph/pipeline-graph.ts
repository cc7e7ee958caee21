/**
 * The pipeline as a graph to draw: one node per step (name, task, quality, pinned model) and one
 * edge per `needs` entry, from the step needed to the step needing it. With a run, each node also
 * carries what that run recorded for the step: status, the model that answered, cost, attempts.
 */
import type { PipelineModel } from "../../pipeline/model.js";
import type { QualityTier } from "../../policy/decision.js";
import type { StepRow, StepStatus } from "../../contracts/run-store.js";

export interface StepRunFacts {
  status: StepStatus;
  /** `provider:model` of the last attempt, when a call was made. */
  model?: string;
  costUsd: number;
  attempts: number;
}

export interface GraphNode {
  id: string;
  task: string;
  language?: string;
  quality: QualityTier;
  pinnedModel?: string;
  run?: StepRunFacts;
}

export interface GraphEdge {
  from: string;
  to: string;
}

export interface PipelineGraph {
  pipeline: string;
  runId?: string;
  /** In the pipeline's execution order. */
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export function pipelineGraph(pipeline: PipelineModel, run?: { id: string; steps: readonly StepRow[] }): PipelineGraph {
  const rows = new Map((run?.steps ?? []).map((row) => [row.step, row]));
  const nodes = pipeline.order.map((name): GraphNode => {
    const step = pipeline.steps.get(name)!;
    const row = rows.get(name);
    return {
      id: name,
      task: step.task,
      ...(step.language === undefined ? {} : { language: step.language }),
      quality: step.quality,
      ...(step.model === undefined ? {} : { pinnedModel: step.model }),
      ...(row ? { run: runFactsOf(row) } : {}),
    };
  });
  const edges = pipeline.order.flatMap((name) => pipeline.steps.get(name)!.needs.map((need) => ({ from: need, to: name })));
  return { pipeline: pipeline.name, ...(run ? { runId: run.id } : {}), nodes, edges };
}

function runFactsOf(row: StepRow): StepRunFacts {
  return {
    status: row.status,
    ...(row.provider && row.model ? { model: `${row.provider}:${row.model}` } : {}),
    costUsd: row.cost_usd,
    attempts: row.attempts,
  };
}
