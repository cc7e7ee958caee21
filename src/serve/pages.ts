/**
 * The dashboard's pages, rendered on the server as plain HTML strings: no bundler, no client
 * framework, nothing for users to build — `orch serve` works from the installed package as is.
 * The only script is on a run's page (run-page-script.ts): node clicks, and while the run goes on,
 * its Server-Sent Events followed to redraw the page's live part.
 */
import type { BudgetStatus } from "../budget/status.js";
import type { MonthForecast } from "../budget/forecast.js";
import { formatUsd } from "../money/format-usd.js";
import type { RunListing } from "../report/call-log/run-listing.js";
import type { RunView, StepView } from "../report/call-log/run-view.js";
import { escapeXml as e } from "../report/html/escape.js";
import { tableHtml } from "../report/html/report-page.js";
import type { Report } from "../report/report-model.js";
import { overviewLines, reportTables } from "../report/report-tables.js";
import { runStatuses } from "./dashboard-data.js";
import { runPageScript } from "./run-page-script.js";

const styles = `body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330}nav{background:#1d2330;padding:8px 16px}nav a{color:#fff;margin-right:16px;text-decoration:none}
main{padding:16px 24px;max-width:1200px}table{border-collapse:collapse;margin:8px 0}th,td{padding:3px 10px;border-bottom:1px solid #e3e6ec;text-align:left}
.number{text-align:right}.empty,.meta{color:#6b7280}pre{background:#f5f6f8;padding:8px;white-space:pre-wrap;max-width:100%}.over{color:#b42318;font-weight:600}
svg .node{cursor:pointer}.panels{display:flex;flex-wrap:wrap;gap:16px 48px;align-items:flex-start}#run-budgets h2{font-size:1.1em;margin-top:0}`;

export function page(title: string, body: string, head = ""): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${e(title)}</title>
${head}<style>${styles}</style>
</head>
<body>
<nav><a href="/">Overview</a><a href="/runs">Runs</a><a href="/models">Models and providers</a><a href="/api/openapi.json">API</a></nav>
<main>
<h1>${e(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

function scopeRows(status: BudgetStatus): string {
  const rows = status.scopes
    .filter((scope) => scope.scope !== "run")
    .map((scope) => {
      const name = `${scope.scope} ${scope.period}${scope.subject ? ` (${scope.subject.kind} ${scope.subject.name})` : ""}`;
      const limit = scope.limitUsd === undefined ? "no limit" : formatUsd(scope.limitUsd);
      const left = scope.leftUsd === undefined ? "—" : formatUsd(scope.leftUsd);
      return `<tr data-scope="${e(scope.scope)}"><td>${e(name)}</td><td class="number">${e(formatUsd(scope.spentUsd))}</td><td class="number">${e(formatUsd(scope.reservedUsd))}</td><td class="number">${e(limit)}</td><td class="number">${e(left)}</td></tr>`;
    });
  return `<table id="table-budgets"><thead><tr><th>budget</th><th class="number">spent</th><th class="number">reserved</th><th class="number">limit</th><th class="number">left</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function forecastLine(forecast: MonthForecast | null): string {
  if (!forecast) return `<p class="empty">no forecast: nothing spent this month</p>`;
  const limit = forecast.limitUsd === undefined ? "" : ` against a limit of ${formatUsd(forecast.limitUsd)}`;
  return `<p id="forecast"${forecast.overLimit ? ' class="over"' : ""}>month ${e(forecast.month)}: ${e(formatUsd(forecast.spentUsd))} spent in ${forecast.elapsedDays.toFixed(1)} days, projected ${e(formatUsd(forecast.projectedUsd))}${e(limit)}${forecast.overLimit ? " — over the limit" : ""}</p>`;
}

export function overviewPage(report: Report, budgets: BudgetsNow): string {
  const recommendations =
    report.recommendations.length === 0
      ? `<p class="empty">nothing to recommend from this window's data</p>`
      : `<ol>${report.recommendations.map((advice) => `<li class="recommendation" data-kind="${e(advice.kind)}">${e(advice.message)}</li>`).join("")}</ol>`;
  const body = [
    `<section id="budgets"><h2>Spend today and this month (${e(budgets.timeZone)})</h2>${scopeRows(budgets)}${forecastLine(budgets.forecast)}</section>`,
    `<section id="overview"><h2>${e(report.window.label)} (as <code>orch report</code>)</h2><ul>${overviewLines(report).map((line) => `<li>${e(line)}</li>`).join("")}</ul></section>`,
    `<section id="recommendations"><h2>Recommendations</h2>${recommendations}</section>`,
  ];
  return page("orch dashboard", body.join("\n"));
}

export function runsPage(runs: readonly RunListing[], filter: { pipeline?: string; status?: string }): string {
  const options = ["", ...runStatuses].map((status) => `<option${status === (filter.status ?? "") ? " selected" : ""} value="${status}">${status || "any status"}</option>`).join("");
  const form = `<form method="get" action="/runs"><input name="pipeline" placeholder="pipeline" value="${e(filter.pipeline ?? "")}"> <select name="status">${options}</select> <button>Filter</button></form>`;
  const rows = runs.map(
    (run) =>
      `<tr data-run="${e(run.id)}" data-status="${e(run.status)}"><td><a href="/runs/${encodeURIComponent(run.id)}">${e(run.id)}</a></td><td>${e(run.pipeline)}</td><td>${e(run.status)}</td>` +
      `<td class="number">${e(formatUsd(run.costUsd))}${run.synthetic ? " (synthetic)" : ""}</td><td class="number">${run.calls}</td><td>${e(run.startedAt)}</td></tr>`,
  );
  const table = runs.length === 0 ? `<p class="empty">no run matches</p>` : `<table id="table-runs"><thead><tr><th>run</th><th>pipeline</th><th>status</th><th class="number">cost</th><th class="number">calls</th><th>started</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
  return page("Runs", `${form}\n${table}`);
}

/** Today and this month against each budget, as the overview and a run page show them. */
export type BudgetsNow = BudgetStatus & { forecast: MonthForecast | null };
// The run page leaves the forecast to the overview: it counts reserved money as spent, which would
// read as a jump while calls are in flight.

/**
 * The part of a run page that changes while it runs, re-fetched whole on each event: the DAG and
 * the step table, next to the budgets they spend against (what calls in flight hold is "reserved").
 */
export function runLivePart(run: RunView, svg: string | undefined, budgets: BudgetsNow): string {
  const rows = run.steps.map(
    (step) =>
      `<tr data-step="${e(step.name)}" data-status="${e(step.status)}"><td><a href="/runs/${encodeURIComponent(run.id)}/steps/${encodeURIComponent(step.name)}">${e(step.name)}</a></td>` +
      `<td>${e(step.status)}</td><td>${e(step.chosen ?? "—")}</td><td class="number">${e(formatUsd(step.costUsd))}</td></tr>`,
  );
  const steps =
    `<div id="graph">${svg ?? '<p class="empty">the pipeline file of this run can no longer be read: no graph</p>'}</div>` +
    `<table id="table-steps"><thead><tr><th>step</th><th>status</th><th>model</th><th class="number">cost</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
  const budgetPanel = `<section id="run-budgets"><h2>Budgets now (${e(budgets.timeZone)})</h2>${scopeRows(budgets)}<p class="meta">reserved: the worst case of calls in flight, held until each is billed</p></section>`;
  return (
    `<p id="run-status" data-status="${e(run.status)}">${e(run.pipeline)} · ${e(run.status)} · ${e(formatUsd(run.costUsd))}${run.synthetic ? " (synthetic)" : ""} · started ${e(run.startedAt)}</p>` +
    `<div class="panels"><div>${steps}</div>${budgetPanel}</div>`
  );
}

export function runPage(run: RunView, svg: string | undefined, budgets: BudgetsNow): string {
  // While it runs, the script follows its events; without script, the page refreshes every 2 seconds.
  const head = run.status === "running" ? `<noscript><meta http-equiv="refresh" content="2"></noscript>\n` : "";
  return page(`Run ${run.id}`, `<div id="live">${runLivePart(run, svg, budgets)}</div>\n${runPageScript(run.id)}`, head);
}

function messagesHtml(messages: readonly { role: string; content: unknown }[] | undefined): string {
  if (!messages) return `<p class="empty">not kept (the call log holds only its hash)</p>`;
  return messages.map((message) => `<h4>${e(message.role)}</h4><pre>${e(typeof message.content === "string" ? message.content : JSON.stringify(message.content, null, 2))}</pre>`).join("");
}

export function stepPage(run: RunView, step: StepView): string {
  const route = step.route
    ? `<p>matched ${e(step.route.matched)} · chosen ${e(step.route.chosen ?? "none")}</p><ul id="route-notes">${step.route.notes.map((note) => `<li>${e(note.reference)}: ${note.kept ? "kept" : "passed over"} — ${e(note.reason)}</li>`).join("")}</ul>`
    : `<p class="empty">no route recorded</p>`;
  const prompts = step.prompts.map((prompt) => `<section class="prompt">${prompt.item === null ? "" : `<h3>item ${prompt.item}</h3>`}${messagesHtml(prompt.messages)}</section>`).join("");
  const calls = step.calls
    .map(
      (call) =>
        `<section class="call" data-status="${e(call.status)}"><h3>attempt ${call.attempt}${call.item === null ? "" : ` · item ${call.item}`} · ${e(`${call.provider}:${call.model}`)} · ${e(call.status)} · ${e(formatUsd(call.costUsd))}${call.latencyMs === null ? "" : ` · ${call.latencyMs} ms`}</h3>` +
        (call.error ? `<p class="over">${e(call.error.kind)}: ${e(call.error.message)}</p>` : "") +
        (call.rejection ? `<p class="over">checks refused the answer: ${e(call.rejection)}</p>` : "") +
        (call.checkerOutput ? `<h4>checker output</h4><pre>${e(call.checkerOutput)}</pre>` : "") +
        `<h4>answer</h4>${call.answer === undefined ? `<p class="empty">not kept</p>` : `<pre class="answer">${e(call.answer)}</pre>`}</section>`,
    )
    .join("");
  const body = [
    `<p><a href="/runs/${encodeURIComponent(run.id)}">← run ${e(run.id)}</a> · ${e(step.status)} · ${e(step.chosen ?? "no model")} · ${e(formatUsd(step.costUsd))}</p>`,
    `<section id="route"><h2>Route</h2>${route}</section>`,
    `<section id="prompt"><h2>Prompt</h2>${prompts || '<p class="empty">no prompt recorded</p>'}</section>`,
    `<section id="calls"><h2>Calls and checks</h2>${calls || '<p class="empty">no call made</p>'}</section>`,
  ];
  return page(`Step ${step.name} of run ${run.id}`, body.join("\n"));
}

export function modelsPage(report: Report, providers: readonly { provider: string; type: string; coolingDownUntil: string | null }[]): string {
  const tables = reportTables(report).filter((table) => table.id === "breakdown" || table.id === "latency");
  const rows = providers.map((row) => `<tr data-provider="${e(row.provider)}"><td>${e(row.provider)}</td><td>${e(row.type)}</td><td>${row.coolingDownUntil === null ? "ready" : `cooling down until ${e(row.coolingDownUntil)}`}</td></tr>`);
  const providerTable = providers.length === 0 ? `<p class="empty">no policy found: no provider to show</p>` : `<table id="table-providers"><thead><tr><th>provider</th><th>type</th><th>cool-down</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
  return page("Models and providers", [`<p class="meta">${e(report.window.label)}, as <code>orch report --by model</code></p>`, ...tables.map(tableHtml), `<section><h2>Providers</h2>${providerTable}</section>`].join("\n"));
}
