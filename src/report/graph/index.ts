/** The pipeline graph: model, dagre layout, and its renderings (SVG, HTML, DOT, JSON layout, text). */
export { pipelineGraph } from "./pipeline-graph.js";
export type { GraphEdge, GraphNode, PipelineGraph, StepRunFacts } from "./pipeline-graph.js";
export { layoutGraph, nodeLines } from "./layout-graph.js";
export type { GraphLayout, PlacedEdge, PlacedNode } from "./layout-graph.js";
export { renderSvg, statusColours } from "./render-svg.js";
export { renderDot } from "./render-dot.js";
export { renderGraphText } from "./render-text.js";
export { renderGraphHtml } from "./render-html.js";
export { graphOfRecordedRun, latestRunAlias, loadPipelineGraph, pipelineOfRecordedRun } from "./load-graph.js";
