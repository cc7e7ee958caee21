/** A short text summary for a terminal: each step in execution order with what it needs, and with a run its status, model and cost. */
import { formatUsd } from "../../policy/format.js";
import type { PipelineGraph } from "./pipeline-graph.js";

export function renderGraphText(graph: PipelineGraph): string[] {
  const needs = new Map<string, string[]>();
  for (const edge of graph.edges) needs.set(edge.to, [...(needs.get(edge.to) ?? []), edge.from]);
  const lines = [`${graph.pipeline}: ${graph.nodes.length} steps, ${graph.edges.length} edges${graph.runId ? ` · run ${graph.runId}` : ""}`];
  for (const node of graph.nodes) {
    const upstream = needs.get(node.id);
    const run = node.run ? ` · ${node.run.status}${node.run.model ? ` · ${node.run.model}` : ""}${node.run.attempts > 0 ? ` · ${formatUsd(node.run.costUsd)}` : ""}` : "";
    lines.push(`  ${node.id}${upstream ? ` ← ${upstream.join(", ")}` : ""}  (${node.task}${node.language ? `/${node.language}` : ""} · ${node.quality}${node.pinnedModel ? ` · pinned ${node.pinnedModel}` : ""})${run}`);
  }
  return lines;
}
