/** Words and lines shared by the plain and the listr2 renderers. */
import path from "node:path";
import { formatUsd } from "../../money/format-usd.js";
import { nanoToUsd, usdToNano } from "../../money/nano.js";
import type { RunEvent, RunTotals } from "../../executor/events.js";
import type { Style } from "../output.js";

type StepEnd = Extract<RunEvent, { type: "step-end" }>;
type RunEnd = Extract<RunEvent, { type: "run-end" }>;
type Overrun = Extract<RunEvent, { type: "budget-overrun" }>;

/** `! overrun: draft attempt 1 (openai:gpt-5.4) settled $0.0410 against $0.0120 reserved: $0.0290 over` */
export function overrunLine(event: Overrun): string {
  const item = event.item === undefined ? "" : ` [item ${event.item}]`;
  const money = event.synthetic ? " (synthetic)" : "";
  return (
    `! overrun: ${event.step}${item} attempt ${event.attempt} (${event.provider}:${event.model}) settled ${formatUsd(event.settledUsd)} ` +
    `against ${formatUsd(event.reservedUsd)} reserved: ${formatUsd(event.overrunUsd)} over${money}; the provider reported usage beyond what the request allowed`
  );
}

type UsageMissing = Extract<RunEvent, { type: "usage-missing" }>;

/** `! review [item 0] openai:gpt-4.1-mini (batch batch_…) answered without token counts: charged its worst case $0.0005 (its reservation)` */
export function usageMissingLine(event: UsageMissing, stepWidth = 0): string {
  const item = event.item === undefined ? "" : ` [item ${event.item}]`;
  const batch = event.batchId === undefined ? "" : ` (batch ${event.batchId})`;
  return `! ${event.step.padEnd(stepWidth)}${item} ${event.provider}:${event.model}${batch} answered without token counts: charged its worst case ${formatUsd(event.chargedUsd)} (its reservation)`;
}

export function formatTokens(count: number): string {
  return count.toLocaleString("en-US");
}

export function formatDuration(milliseconds: number): string {
  return milliseconds < 1000 ? `${milliseconds}ms` : `${(milliseconds / 1000).toFixed(1)}s`;
}

/** `mock:small ×12, mock:large ×3`, most used first. */
export function modelsSummary(models: readonly { target: string; items: number }[]): string {
  return [...models]
    .sort((a, b) => b.items - a.items || a.target.localeCompare(b.target))
    .map((model) => `${model.target} ×${model.items}`)
    .join(", ");
}

/**
 * `offline:mock-small (mock) · 312→120 tokens · $0.000123`; a for_each step names every model its
 * items were answered by, counted (`mock:small ×12, mock:large ×3 (mock)`), not one item's.
 */
export function stepDetail(event: StepEnd): string {
  const parts: string[] = [];
  const mock = event.synthetic ? " (mock)" : "";
  if (event.models?.length) parts.push(`${modelsSummary(event.models)}${mock}`);
  else if (event.provider) parts.push(`${event.provider}:${event.model}${mock}`);
  if (event.reused) parts.push("done before this resume, output reused");
  else if (event.cached && event.costUsd === 0) parts.push("cached · $0");
  else if (event.attempts > 0) parts.push(`${formatTokens(event.usage.inputTokens)}→${formatTokens(event.usage.outputTokens)} tokens`, `${formatUsd(event.costUsd)}`);
  if (event.items !== undefined) parts.push(`${event.items} item${event.items === 1 ? "" : "s"}${itemProblems(event)}`);
  // More attempts than units of work: some answers were retried or escalated (one attempt per item is the norm).
  if (event.attempts > (event.items ?? 1)) parts.push(`${event.attempts} attempts`);
  if (event.outputFile) parts.push(`→ ${event.outputFile}`);
  return parts.join(" · ");
}

/** ` (2 failed, 3 allowed)` with allow_failures, else ` (2 not succeeded)`; empty when all succeeded. */
export function itemProblems(event: StepEnd): string {
  if (event.failuresAllowed && event.failuresAllowed.failed > 0 && event.status === "succeeded") return ` (${event.failuresAllowed.failed} failed, ${event.failuresAllowed.allowed} allowed)`;
  return event.itemsNotSucceeded ? ` (${event.itemsNotSucceeded} not succeeded)` : "";
}

export const statusSymbols: Record<StepEnd["status"], string> = {
  pending: "·",
  running: "▶",
  succeeded: "✓",
  failed: "✗",
  skipped: "↷",
  budget_stopped: "$",
  deferred: "⏸",
  cancelled: "■",
};

/** The symbol of a step's end line: a cached step is told apart from one that ran. */
export function endSymbol(event: StepEnd): string {
  return event.status === "succeeded" && (event.cached || event.reused) ? "≡" : statusSymbols[event.status];
}

export function colourFor(style: Style, status: StepEnd["status"]): (text: string) => string {
  if (status === "succeeded") return style.green;
  if (status === "failed") return style.red;
  return style.yellow;
}

export function offlineNotice(syntheticProviders: readonly string[]): string | undefined {
  if (syntheticProviders.length === 0) return undefined;
  return `offline: ${syntheticProviders.join(", ")} answer with mock text — no API is called and no key is needed`;
}

export function summaryLines(event: RunEnd, style: Style, databaseFile: string): string[] {
  const totals: RunTotals = event.totals;
  const counts = Object.entries(totals.steps)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status.replace("_", " ")}`)
    .join(", ");
  const statusText = event.status === "succeeded" ? style.green(event.status) : style.red(event.status.replace("_", " "));
  const relativeResults = path.relative(process.cwd(), event.resultsDirectory) || event.resultsDirectory;
  return [
    "",
    `${style.bold("Run")} ${event.runId} ${statusText} in ${formatDuration(event.durationMs)} (exit ${event.exitCode})`,
    `  steps    ${counts}`,
    `  calls    ${totals.calls} · tokens ${formatTokens(totals.inputTokens)} in / ${formatTokens(totals.outputTokens)} out · cost ${formatUsd(totals.costUsd)}${
      totals.cacheHits > 0 ? ` · ${totals.cacheHits} cached (saved ${formatUsd(totals.savedUsd)})` : ""
    }`,
    ...(totals.earlier ? [`  resumed  earlier processes of this run paid ${formatUsd(totals.earlier.costUsd)} for ${totals.earlier.calls} call${totals.earlier.calls === 1 ? "" : "s"} · run total ${formatUsd(runCostUsd(totals))}`] : []),
    ...(totals.overruns > 0
      ? [style.red(`  overrun  ${totals.overruns} call${totals.overruns === 1 ? "" : "s"} cost ${formatUsd(totals.overrunUsd)} more than reserved (recorded in the ledger; exit 3)`)]
      : []),
    `  results  ${relativeResults}/  (run.json and one file per step)`,
    `  database ${databaseFile}`,
  ];
}

/** What the whole run cost: this process's calls and, for a resumed run, its earlier processes' (each call once). */
export function runCostUsd(totals: RunTotals): number {
  return totals.earlier ? nanoToUsd(usdToNano(totals.earlier.costUsd) + usdToNano(totals.costUsd)) : totals.costUsd;
}
