/** `orch backtest` in a terminal: as recorded against under the policy, in all and per step. */
import type { BacktestFigures, BacktestResult } from "../../policy/backtest.js";
import { formatPercent, formatUsd } from "../../policy/format.js";
import type { Style } from "../output.js";
import { tableLines } from "./report-text.js";

export function renderBacktest(view: BacktestResult & { policyFile: string; chosen: string }, style: Style): string[] {
  const { total } = view;
  if (total.units === 0) return [`${style.bold("backtest")} · policy ${view.policyFile} · no recorded request with a verdict ${view.chosen}: nothing to replay`];
  const estimated = total.units - total.exactUnits;
  return [
    `${style.bold("backtest")} · policy ${view.policyFile} · ${total.units} recorded requests ${view.chosen}`,
    `replayed exactly: ${total.exactUnits}; estimated past what was recorded: ${estimated}${estimated ? " (the policy tries models the record does not have on them)" : ""}`,
    "",
    `  as recorded   pass rate ${formatPercent(total.recordedPassed / total.units).padStart(4)}  cost ${formatUsd(total.recordedCostUsd)}`,
    `  under policy  pass rate ${formatPercent(total.passed / total.units).padStart(4)}  cost ${formatUsd(total.costUsd)}${change(total)}`,
    "",
    style.bold("by step"),
    ...tableLines(
      {
        id: "backtest-steps",
        title: "by step",
        headings: ["step", "requests", "recorded pass", "recorded cost", "policy pass", "policy cost", "estimated"],
        rows: view.steps.map((step) => [
          step.step,
          String(step.units),
          formatPercent(step.recordedPassed / step.units),
          formatUsd(step.recordedCostUsd),
          formatPercent(step.passed / step.units),
          formatUsd(step.costUsd),
          String(step.units - step.exactUnits),
        ]),
        empty: "no step",
      },
      style,
    ),
  ];
}

function change(figures: BacktestFigures): string {
  if (figures.recordedCostUsd === 0) return "";
  const ratio = figures.costUsd / figures.recordedCostUsd - 1;
  return ` (${ratio >= 0 ? "+" : ""}${Math.round(ratio * 100)}% cost)`;
}
