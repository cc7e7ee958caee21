/**
 * Positions for every node and a polyline for every edge, from dagre (top to bottom).
 * Node sizes come from their label lines, measured with an average glyph width: the SVG is drawn
 * without a browser, so text cannot be measured, only estimated generously.
 */
import { Graph, layout } from "@dagrejs/dagre";
import { formatUsd } from "../../policy/format.js";
import type { GraphNode, PipelineGraph } from "./pipeline-graph.js";

export interface PlacedNode extends GraphNode {
  /** Centre of the node. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Label lines, the first one the step's name. */
  lines: string[];
}

export interface PlacedEdge {
  from: string;
  to: string;
  points: { x: number; y: number }[];
}

export interface GraphLayout {
  pipeline: string;
  runId?: string;
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

export const lineHeight = 16;
const glyphWidth = 7.2;
const paddingX = 14;
const paddingY = 10;

export function nodeLines(node: GraphNode): string[] {
  const lines = [node.id, `${node.task}${node.language ? `/${node.language}` : ""} · ${node.quality}`];
  if (node.pinnedModel) lines.push(`pinned ${node.pinnedModel}`);
  if (node.run) {
    const spent = node.run.attempts > 0 ? ` · ${formatUsd(node.run.costUsd)}` : "";
    lines.push(`${node.run.status.replace("_", " ")}${node.run.model ? ` · ${node.run.model}` : ""}${spent}`);
  }
  return lines;
}

export function layoutGraph(graph: PipelineGraph): GraphLayout {
  const dagreGraph = new Graph();
  dagreGraph.setGraph({ rankdir: "TB", nodesep: 28, ranksep: 44, marginx: 12, marginy: 12 });
  dagreGraph.setDefaultEdgeLabel(() => ({}));
  const lines = new Map(graph.nodes.map((node) => [node.id, nodeLines(node)]));
  for (const node of graph.nodes) {
    const text = lines.get(node.id)!;
    const longest = Math.max(...text.map((line) => line.length));
    dagreGraph.setNode(node.id, { width: Math.ceil(longest * glyphWidth + 2 * paddingX), height: text.length * lineHeight + 2 * paddingY });
  }
  for (const edge of graph.edges) dagreGraph.setEdge(edge.from, edge.to);
  layout(dagreGraph);

  const size = dagreGraph.graph();
  return {
    pipeline: graph.pipeline,
    ...(graph.runId === undefined ? {} : { runId: graph.runId }),
    width: Math.ceil(size.width ?? 0),
    height: Math.ceil(size.height ?? 0),
    nodes: graph.nodes.map((node) => {
      const placed = dagreGraph.node(node.id) as { x: number; y: number; width: number; height: number };
      return { ...node, x: placed.x, y: placed.y, width: placed.width, height: placed.height, lines: lines.get(node.id)! };
    }),
    edges: graph.edges.map((edge) => ({
      ...edge,
      points: ((dagreGraph.edge(edge.from, edge.to) as { points?: { x: number; y: number }[] }).points ?? []).map((point) => ({ x: point.x, y: point.y })),
    })),
  };
}
