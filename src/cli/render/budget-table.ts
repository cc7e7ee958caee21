/**
 * `orch budget`: one row per scope with its figures (days and months: real money only), then the
 * synthetic money kept apart, the alerts raised, the overruns and the money held by crashed processes.
 */
import type { BudgetAlert } from "../../budget/alerts.js";
import type { LedgerSettings } from "../../budget/limits.js";
import type { ReconcileReport } from "../../budget/reconcile.js";
import type { BudgetOverrun } from "../../budget/overruns.js";
import type { BudgetStatus, ScopeStatus } from "../../budget/status.js";
import { forecastOfStatus } from "../../budget/forecast.js";
import { forecastLine } from "./forecast-line.js";
import { formatBalance, formatLimit, formatPercent, formatUsd } from "../../policy/format.js";
import type { BudgetScope } from "../../policy/decision.js";
import type { Style } from "../output.js";

export interface BudgetView {
  policyFile: string | undefined;
  database: string;
  settings: LedgerSettings;
  status: BudgetStatus;
  reconciled: ReconcileReport;
}

const headings = ["scope", "limit", "spent", "reserved", "expired", "left", "alerts"];

export function renderBudget(view: BudgetView, style: Style): string[] {
  const { status, settings } = view;
  const zone = ` (${status.timeZone})`;
  const lines = [
    `${style.bold("budget")} · ${view.policyFile ? `policy ${view.policyFile}` : "no policy (pass --policy): spend only, no limits"} · ${status.day}${zone} · ${view.database}`,
    "",
  ];
  const rows: string[][] = [];
  if (status.runId === undefined) {
    rows.push(["run", settings.limits.runUsd === undefined ? "no limit" : formatLimit(settings.limits.runUsd), "n/a outside a run (--run ID)"]);
  }
  for (const scope of status.scopes) rows.push(rowOf(scope));
  const widths = headings.map((heading, column) => Math.max(heading.length, ...rows.filter((row) => row.length === headings.length).map((row) => row[column]?.length ?? 0)));
  const format = (cells: readonly string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[0] ?? 0) : column === cells.length - 1 && cells.length < headings.length ? cell : cell.padStart(widths[column] ?? 0))).join("  ");
  lines.push(`  ${style.dim(format(headings))}`);
  for (const row of rows) lines.push(`  ${format(row).trimEnd()}`);

  lines.push("");
  const forecast = forecastOfStatus(status);
  if (forecast) lines.push(forecastLine(forecast, style));
  lines.push(settings.alerts.length ? `alerts at ${settings.alerts.map(formatPercent).join(", ")} of a limit; ${raised(status.alerts)}` : "no alerts configured (budget.alerts)");
  const synthetic = status.scopes.filter((scope) => scope.subject === undefined && (scope.syntheticUsd ?? 0) > 0);
  if (synthetic.length > 0) {
    const parts = synthetic.map((scope) => `${periodWords[scope.scope]} ${formatBalance(scope.syntheticUsd ?? 0)}`);
    lines.push(`synthetic (mock, replay) spend, not counted against the real day and month: ${parts.join(", ")}; it counts in its run`);
  }
  for (const overrun of status.overruns) lines.push(style.red(overrunText(overrun)));
  const expired = status.scopes.find((scope) => scope.scope === "day" && scope.subject === undefined);
  if (expired && expired.expiredCount > 0) {
    lines.push(
      style.yellow(
        `expired today: ${count(expired.expiredCount, "reservation")} of crashed or stalled processes, counted at the worst case (${formatBalance(expired.expiredUsd)})`,
      ),
    );
  }
  if (view.reconciled.expired.length > 0) {
    const processes = [...new Set(view.reconciled.expired.map((row) => row.processId))];
    lines.push(
      style.yellow(
        `reconciled now: ${count(view.reconciled.expired.length, "open reservation")} of ${count(processes.length, "process", "processes")} (${processes.join(", ")}) closed as expired, ${formatBalance(view.reconciled.heldUsd)} held`,
      ),
    );
  }
  return lines;
}

function rowOf(scope: ScopeStatus): string[] {
  return [
    labelOf(scope),
    scope.limitUsd === undefined ? "no limit" : formatLimit(scope.limitUsd),
    formatBalance(scope.spentUsd),
    formatBalance(scope.reservedUsd),
    formatBalance(scope.expiredUsd),
    scope.leftUsd === undefined ? "—" : formatBalance(scope.leftUsd),
    scope.alertsCrossed.map(formatPercent).join(" ") || "—",
  ];
}

const periodWords: Record<BudgetScope, string> = { run: "run", day: "today", month: "this month" };

function labelOf(scope: ScopeStatus): string {
  const period = scope.scope === "run" ? `run ${scope.period}` : periodWords[scope.scope];
  return scope.subject ? `${period} · ${scope.subject.kind} ${scope.subject.name}` : period;
}

function raised(alerts: readonly BudgetAlert[]): string {
  if (alerts.length === 0) return "none raised in this period";
  const parts = alerts.map((alert) => {
    const where = `${periodWords[alert.scope]}${alert.subject ? ` (${alert.subject.kind} ${alert.subject.name})` : ""}`;
    return `${where} ${formatPercent(alert.fraction)} (${formatBalance(alert.usedUsd)} of ${formatLimit(alert.limitUsd)})`;
  });
  return `raised: ${parts.join(", ")}`;
}

function overrunText(overrun: BudgetOverrun): string {
  const item = overrun.item === undefined ? "" : ` [item ${overrun.item}]`;
  return (
    `overrun ${overrun.at.slice(0, 16).replace("T", " ")}Z: run ${overrun.runId} step ${overrun.step}${item} attempt ${overrun.attempt} ` +
    `(${overrun.provider}:${overrun.model}) settled ${formatUsd(overrun.settledUsd)} against ${formatUsd(overrun.reservedUsd)} reserved, ` +
    `${formatUsd(overrun.overrunUsd)} over${overrun.synthetic ? " (synthetic)" : ""}`
  );
}

function count(amount: number, singular: string, plural = `${singular}s`): string {
  return `${amount} ${amount === 1 ? singular : plural}`;
}
