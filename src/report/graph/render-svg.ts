/** The laid-out graph as a standalone SVG: rounded boxes coloured by run status, edges with arrowheads. */
import type { StepStatus } from "../../contracts/run-store.js";
import { escapeXml } from "../html/escape.js";
import { lineHeight, type GraphLayout, type PlacedEdge, type PlacedNode } from "./layout-graph.js";

/** Fill and border per step status; a plain graph (no run) uses `plan`. */
export const statusColours: Record<StepStatus | "plan", { fill: string; stroke: string }> = {
  plan: { fill: "#f4f6f8", stroke: "#6b7b8c" },
  pending: { fill: "#f4f6f8", stroke: "#9aa5b1" },
  running: { fill: "#e3f0fb", stroke: "#3b82c4" },
  succeeded: { fill: "#e3f6ec", stroke: "#2e9e6f" },
  failed: { fill: "#fbe6e3", stroke: "#c0392b" },
  skipped: { fill: "#eeeeee", stroke: "#9aa5b1" },
  budget_stopped: { fill: "#fdf1de", stroke: "#d08c2f" },
  deferred: { fill: "#efe7f8", stroke: "#8e5cc2" },
  cancelled: { fill: "#eeeeee", stroke: "#6b7b8c" },
};

export function renderSvg(layout: GraphLayout): string {
  const title = `${layout.pipeline}${layout.runId ? ` · run ${layout.runId}` : ""}`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="orch-graph" viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}" ` +
    `role="img" aria-label="${escapeXml(title)}" font-family="system-ui, sans-serif" font-size="12">` +
    `<title>${escapeXml(title)}</title>` +
    `<defs><marker id="orch-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">` +
    `<path d="M 0 0 L 10 5 L 0 10 z" fill="#6b7b8c"/></marker></defs>` +
    layout.edges.map(edgeSvg).join("") +
    layout.nodes.map(nodeSvg).join("") +
    `</svg>`
  );
}

function edgeSvg(edge: PlacedEdge): string {
  const path = edge.points.map((point, index) => `${index === 0 ? "M" : "L"} ${round(point.x)} ${round(point.y)}`).join(" ");
  return `<path class="edge" data-from="${escapeXml(edge.from)}" data-to="${escapeXml(edge.to)}" d="${path}" fill="none" stroke="#6b7b8c" stroke-width="1.4" marker-end="url(#orch-arrow)"/>`;
}

function nodeSvg(node: PlacedNode): string {
  const colours = statusColours[node.run?.status ?? "plan"];
  const left = node.x - node.width / 2;
  const top = node.y - node.height / 2;
  const firstBaseline = node.y - ((node.lines.length - 1) * lineHeight) / 2 + 4;
  const text = node.lines
    .map((line, index) => `<text x="${round(node.x)}" y="${round(firstBaseline + index * lineHeight)}" text-anchor="middle"${index === 0 ? ' font-weight="600"' : ' fill="#3e4852"'}>${escapeXml(line)}</text>`)
    .join("");
  return (
    `<g class="node" data-step="${escapeXml(node.id)}"${node.run ? ` data-status="${node.run.status}"` : ""}>` +
    `<rect x="${round(left)}" y="${round(top)}" width="${round(node.width)}" height="${round(node.height)}" rx="8" fill="${colours.fill}" stroke="${colours.stroke}" stroke-width="1.5"/>` +
    `${text}</g>`
  );
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
