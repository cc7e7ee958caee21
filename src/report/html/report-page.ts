/**
 * `orch report --html FILE`: one self-contained page. Inline CSS, inline SVG, no script, no font or
 * image fetched: it opens the same from a CI artefact, an e-mail or a laptop offline.
 */
import { overviewLines, reportTables, type ReportTable } from "../report-tables.js";
import type { Report } from "../report-model.js";
import { dailySpendChart, spendByModelChart } from "./charts.js";
import { escapeXml } from "./escape.js";
import { formatCount, formatUsd } from "../../policy/format.js";
import { drillDownRunLimit } from "../run-drilldown.js";
import type { CallView } from "../call-log/run-view.js";
import { attemptTextsHtml } from "./attempt-texts.js";

/** The pipeline graph shown with the report: a link to a file written beside it, or an SVG embedded. */
export type ReportGraph = { kind: "link"; href: string; caption: string } | { kind: "inline"; svg: string; caption: string };

export interface ReportPageOptions {
  graph?: ReportGraph;
  dailyLimitUsd?: number;
  /** The call log's rows of the runs shown, by call id: each attempt's prompt and answer. */
  calls?: ReadonlyMap<number, CallView>;
}

export function reportHtml(report: Report, options: ReportPageOptions = {}): string {
  const title = `orch report · ${report.window.label}`;
  const sections = [
    `<h1>${escapeXml(title)}</h1>`,
    `<p class="meta">${escapeXml(report.window.from)} – ${escapeXml(report.window.to)} · generated ${escapeXml(report.generatedAt)}</p>`,
    `<section id="overview"><h2>Overview</h2><ul>${overviewLines(report).map((line) => `<li>${escapeXml(line)}</li>`).join("")}</ul></section>`,
    `<section id="recommendations"><h2>Recommendations</h2>${recommendationList(report)}</section>`,
    `<section><h2>Spend per day</h2>${dailySpendChart(report.daily, options.dailyLimitUsd)}</section>`,
    `<section><h2>Spend by model</h2>${spendByModelChart(report.spendByModel)}</section>`,
    ...reportTables(report).map(tableHtml),
    ...(options.graph ? [graphSection(options.graph)] : []),
    runsSection(report, options.calls),
    `<p class="meta">Definitions: "free" means a call answered and billed $0 (local, subscription, unpriced), never a failed one; "local" a provider on this machine (Ollama, replay, mock). ` +
      `Each item of a for_each step counts as one step execution: a kept answer is a success whatever its sibling items did. ` +
      `Money saved by the cache is what each reused answer cost when it was paid for (or, without its cache entry, the average cost of the same step's successful calls on the same model). ` +
      `An escalation is a step execution that needed more than one attempt; its extra cost is what the attempts before the last one cost; its final model is the one whose answer was kept (escalations that kept none are listed apart).</p>`,
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>${styles}</style>
</head>
<body>
${sections.join("\n")}
</body>
</html>
`;
}

export function tableHtml(table: ReportTable): string {
  const body =
    table.rows.length === 0
      ? `<p class="empty">${escapeXml(table.empty)}</p>`
      : `<table id="table-${table.id}"><thead><tr>${table.headings.map((heading, column) => `<th${column === 0 ? "" : ' class="number"'}>${escapeXml(heading)}</th>`).join("")}</tr></thead>` +
        `<tbody>${table.rows.map((row) => `<tr>${row.map((cell, column) => `<td${column === 0 ? "" : ' class="number"'}>${escapeXml(cell)}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
  return `<section><h2>${escapeXml(table.title)}</h2>${body}</section>`;
}

function recommendationList(report: Report): string {
  if (report.recommendations.length === 0) return `<p class="empty">nothing to recommend from this window's data</p>`;
  return `<ol>${report.recommendations.map((advice) => `<li class="recommendation" data-kind="${advice.kind}">${escapeXml(advice.message)}</li>`).join("")}</ol>`;
}

/**
 * One folded block per run: its steps and items, each attempt with model, status, tokens, cost and
 * the checks' verdict; what a failing checker printed, and the prompt and answer from the call log,
 * unfold under it. No script: `<details>`.
 */
function runsSection(report: Report, calls: ReadonlyMap<number, CallView> | undefined): string {
  if (report.runs.length === 0) return `<section id="runs"><h2>Runs</h2><p class="empty">no runs in this window</p></section>`;
  const headings = ["step", "attempt", "model", "status", "tokens in", "tokens out", "cost", "checks"];
  const blocks = report.runs.map((run) => {
    const rows = run.steps.flatMap((step) =>
      step.attempts.map((attempt, index) => {
        const label = index === 0 ? `${step.step}${step.item === undefined ? "" : ` [item ${step.item}]`}${step.status ? ` (${step.status})` : ""}` : "";
        const verdict = attempt.rejection ?? (attempt.errorKind ? `error: ${attempt.errorKind}` : "");
        const printed = attempt.checkerOutput ? `<details><summary>checker output</summary><pre>${escapeXml(attempt.checkerOutput)}</pre></details>` : "";
        const cells = [label, String(attempt.attempt), attempt.model, attempt.status, formatCount(attempt.inputTokens), formatCount(attempt.outputTokens), formatUsd(attempt.costUsd)];
        const texts = attemptTextsHtml(calls?.get(attempt.callId), { runId: run.runId, step: step.step });
        return (
          `<tr>${cells.map((cell, column) => `<td${column >= 4 ? ' class="number"' : ""}>${escapeXml(cell)}</td>`).join("")}<td>${escapeXml(verdict)}${printed}</td></tr>` +
          (texts ? `<tr class="texts"><td colspan="${headings.length}">${texts}</td></tr>` : "")
        );
      }),
    );
    const summary = `${run.runId} · ${run.pipeline} · ${run.startedAt} · ${run.steps.length} step executions · ${run.calls} attempts · ${formatUsd(run.costUsd)}`;
    return (
      `<details class="run" id="run-${escapeXml(run.runId)}"><summary>${escapeXml(summary)}</summary>` +
      `<table><thead><tr>${headings.map((heading, column) => `<th${column >= 4 && column < 7 ? ' class="number"' : ""}>${escapeXml(heading)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table></details>`
    );
  });
  return `<section id="runs"><h2>Runs</h2><p class="meta">Newest first (at most ${drillDownRunLimit}); open a run for its steps, attempts, costs and checks, and an attempt for its prompt and answer.</p>${blocks.join("")}</section>`;
}

function graphSection(graph: ReportGraph): string {
  const body = graph.kind === "link" ? `<p><a id="graph-link" href="${escapeXml(graph.href)}">${escapeXml(graph.href)}</a></p>` : `<div class="graph">${graph.svg}</div>`;
  return `<section id="graph"><h2>Pipeline graph</h2><p class="meta">${escapeXml(graph.caption)}</p>${body}</section>`;
}

const styles = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2933; margin: 24px auto; max-width: 1000px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 8px; border-bottom: 1px solid #e3e6ea; padding-bottom: 4px; }
.meta, .empty { color: #5b6470; }
ul, ol { padding-left: 20px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 8px; border-bottom: 1px solid #eef0f2; text-align: left; white-space: nowrap; }
th { font-weight: 600; color: #5b6470; font-size: 12px; }
td.number, th.number { text-align: right; }
tbody tr:nth-child(odd) { background: #f8f9fb; }
svg { max-width: 100%; height: auto; }
.graph { overflow-x: auto; }
details.run { margin: 6px 0; }
details.run > summary { cursor: pointer; font-variant-numeric: tabular-nums; }
pre { white-space: pre-wrap; margin: 4px 0; font-size: 12px; }
tr.texts td { white-space: normal; background: #fff; }
details.texts > summary { cursor: pointer; color: #5b6470; font-size: 12px; }
details.texts pre { background: #f4f5f7; padding: 6px 8px; max-height: 24em; overflow: auto; }
details.texts .label { margin: 6px 0 0; font-size: 12px; font-weight: 600; color: #5b6470; }
.cut, .hashes { color: #5b6470; }
`;
