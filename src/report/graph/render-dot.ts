/** Graphviz DOT text of the graph (`dot -Tsvg` draws it), with run status as a fill colour. */
import { nodeLines } from "./layout-graph.js";
import type { PipelineGraph } from "./pipeline-graph.js";
import { statusColours } from "./render-svg.js";

export function renderDot(graph: PipelineGraph): string {
  const lines = [
    `digraph ${quote(graph.pipeline)} {`,
    `  rankdir=TB;`,
    `  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];`,
  ];
  for (const node of graph.nodes) {
    const colours = statusColours[node.run?.status ?? "plan"];
    lines.push(`  ${quote(node.id)} [label=${quote(nodeLines(node).join("\n"))}, fillcolor=${quote(colours.fill)}, color=${quote(colours.stroke)}];`);
  }
  for (const edge of graph.edges) lines.push(`  ${quote(edge.from)} -> ${quote(edge.to)};`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** A DOT double-quoted ID: quotes and backslashes escaped, new lines as `\n`. */
function quote(text: string): string {
  return `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`;
}
