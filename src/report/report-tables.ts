/**
 * The report as tables of formatted cells: the terminal and the HTML page print the same tables,
 * so they can never disagree. Figures are formatted here once (money with `formatUsd`).
 */
import { formatCount, formatLimit, formatPercent, formatUsd } from "../policy/format.js";
import type { BudgetScopeUse, Report } from "./report-model.js";

export interface ReportTable {
  /** Stable identifier, used as the HTML table's id. */
  id: string;
  title: string;
  headings: string[];
  rows: string[][];
  /** Shown instead of the table when it has no row. */
  empty: string;
}

/** The vendors' prompt caches, after orch's own: reads and writes, and what they saved net of the write premium. */
function providerCacheLine(figures: Report["providerCache"]): string {
  return (
    `provider cache ${count(figures.callsReading, "call")} read ${formatCount(figures.cachedInputTokens)} tokens, ` +
    `${count(figures.callsWriting, "call")} wrote ${formatCount(figures.cacheWriteTokens)} · saved ${formatUsd(figures.savedUsd)} net of write premiums`
  );
}

export function overviewLines(report: Report): string[] {
  const { totals, cache, escalations } = report;
  const lines = [
    `calls ${formatCount(totals.callsMade)} made (${formatCount(totals.failedCalls)} failed) + ${count(totals.cachedCalls, "cache hit")} · ` +
      `tokens ${formatCount(totals.inputTokens)} in / ${formatCount(totals.outputTokens)} out`,
    `spend ${formatUsd(totals.spendUsd)}${totals.syntheticSpendUsd > 0 ? ` (of which ${formatUsd(totals.syntheticSpendUsd)} synthetic, not billed)` : ""} · ` +
      `steps ${formatCount(totals.successfulSteps)} succeeded of ${formatCount(totals.steps)} · cost per successful step ${money(totals.costPerSuccessfulStepUsd)}`,
    `local ${formatPercent(totals.local.callShare)} of calls, ${formatPercent(totals.local.tokenShare)} of tokens${report.targets.localShare === undefined ? "" : ` (target ${formatPercent(report.targets.localShare)})`} · ` +
      `free ($0) ${formatPercent(totals.free.callShare)} of calls, ${formatPercent(totals.free.tokenShare)} of tokens`,
    `cache ${count(cache.hits, "hit")} of ${count(cache.lookups, "lookup")} (${formatPercent(cache.hitRate)}) · saved ${formatUsd(cache.savedUsd)}` +
      `${cache.unpricedHits > 0 ? ` (${count(cache.unpricedHits, "hit")} with no price known)` : ""} · repeated misses ${formatCount(cache.repeatedMisses.extraCalls)} (${formatUsd(cache.repeatedMisses.extraCostUsd)})`,
    `escalations ${formatCount(escalations.escalatedExecutions)} of ${count(escalations.stepExecutions, "step execution")} (${formatPercent(escalations.rate)}) · ` +
      `${count(escalations.extraAttempts, "extra attempt")} · ${formatUsd(escalations.extraCostUsd)} on attempts not kept`,
  ];
  const providerCache = report.providerCache;
  // Shown once a vendor's cache was used: reports of pipelines with short prompts stay as they were.
  if (providerCache.callsReading + providerCache.callsWriting > 0) lines.splice(4, 0, providerCacheLine(providerCache));
  const days = report.budget.days;
  const overruns = report.budget.overruns;
  if (overruns.count > 0) {
    lines.push(`overruns ${count(overruns.count, "call")} cost ${formatUsd(overruns.overrunUsd)} more than reserved (the provider reported usage beyond what the request allowed; see orch budget)`);
  }
  if (days) {
    const within = days.active === 0 ? "no day with real spend" : `${days.withinBudget} of ${days.active} active days (${formatPercent(days.share)})`;
    lines.push(`days within every daily limit ${within} · ${count(report.budget.budgetStoppedSteps, "step")} stopped by a budget (the limit held)`);
  }
  return lines;
}

export function reportTables(report: Report): ReportTable[] {
  return [breakdownTable(report), latencyTable(report), budgetTable(report), escalationTable(report)];
}

function breakdownTable(report: Report): ReportTable {
  return {
    id: "breakdown",
    title: `by ${report.groupBy}`,
    headings: [report.groupBy, "calls", "failed", "cached", "tokens in", "tokens out", "spend", "share", "free", "successes", "cost/success"],
    rows: report.groups.map((group) => [
      group.key,
      formatCount(group.callsMade),
      formatCount(group.failedCalls),
      formatCount(group.cachedCalls),
      formatCount(group.inputTokens),
      formatCount(group.outputTokens),
      formatUsd(group.spendUsd),
      formatPercent(group.spendShare),
      formatPercent(group.freeCallShare),
      formatCount(group.successfulSteps),
      money(group.costPerSuccessfulStepUsd),
    ]),
    empty: "no calls in this window",
  };
}

function latencyTable(report: Report): ReportTable {
  return {
    id: "latency",
    title: "latency of successful calls",
    headings: ["model", "calls", "p50", "p95", "max"],
    rows: report.latency.map((row) => [row.model, formatCount(row.calls), milliseconds(row.p50Ms), milliseconds(row.p95Ms), milliseconds(row.maxMs)]),
    empty: "no successful call with a latency",
  };
}

function budgetTable(report: Report): ReportTable {
  const { budget } = report;
  return {
    id: "budget",
    title: `budget · ${budget.policyFile ? `policy ${budget.policyFile}` : "no policy: use only, no limits"} · ${budget.timeZone ?? "machine's time zone"}`,
    headings: ["scope", "limit", "periods", "within", "used", "peak", "peak use"],
    rows: budget.scopes.filter((scope) => scope.periods > 0 || scope.limitUsd !== undefined).map(budgetRow),
    empty: "no ledger activity",
  };
}

const periodNames = { run: "run", day: "day", month: "month" } as const;

function budgetRow(scope: BudgetScopeUse): string[] {
  return [
    `${scope.scope}${scope.subject ? ` · ${scope.subject.kind} ${scope.subject.name}` : ""}`,
    scope.limitUsd === undefined ? "no limit" : formatLimit(scope.limitUsd),
    `${scope.periods} ${periodNames[scope.scope]}${scope.periods === 1 ? "" : "s"}`,
    scope.withinShare === null ? "—" : `${scope.periodsWithinBudget} (${formatPercent(scope.withinShare)})`,
    formatUsd(scope.usedUsd),
    scope.periods === 0 ? "—" : `${formatUsd(scope.peakUsedUsd)} (${scope.peakPeriod})`,
    scope.peakFraction === null ? "—" : formatPercent(scope.peakFraction),
  ];
}

function escalationTable(report: Report): ReportTable {
  return {
    id: "escalations",
    title: "escalations by step",
    headings: ["step", "executions", "escalated", "extra attempts", "extra cost", "total cost", "final models", "failed last attempts"],
    rows: report.escalations.bySteps.map((row) => [
      `${row.pipeline}/${row.step}`,
      formatCount(row.executions),
      formatCount(row.escalated),
      formatCount(row.extraAttempts),
      formatUsd(row.extraCostUsd),
      formatUsd(row.costUsd),
      modelCounts(row.finalModels),
      modelCounts(row.failedFinalModels),
    ]),
    empty: "no step needed a second attempt",
  };
}

/** `provider:model ×n`, most frequent first. */
function modelCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([model, times]) => `${model} ×${times}`)
    .join(", ");
}

function count(amount: number, singular: string): string {
  return `${formatCount(amount)} ${singular}${amount === 1 ? "" : "s"}`;
}

function money(usd: number | null): string {
  return usd === null ? "—" : formatUsd(usd);
}

function milliseconds(value: number): string {
  return value < 1000 ? `${value}ms` : `${(value / 1000).toFixed(2)}s`;
}
