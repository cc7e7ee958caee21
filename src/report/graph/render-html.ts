/** The graph alone on a self-contained HTML page (inline SVG, no script). */
import { escapeXml } from "../html/escape.js";
import type { GraphLayout } from "./layout-graph.js";
import { renderSvg } from "./render-svg.js";

export function renderGraphHtml(layout: GraphLayout): string {
  const title = `${layout.pipeline}${layout.runId ? ` · run ${layout.runId}` : ""}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeXml(title)}</title>
<style>body { font: 14px system-ui, sans-serif; margin: 24px; color: #1f2933; } svg { max-width: 100%; height: auto; }</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>
${renderSvg(layout)}
</body>
</html>
`;
}
