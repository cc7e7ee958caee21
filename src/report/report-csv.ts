/** `--csv`: the breakdown table (one row per `--by` group), RFC 4180 quoting, figures unformatted. */
import type { Report } from "./report-model.js";

const columns = [
  "rows", "calls_made", "failed_calls", "cached_calls", "input_tokens", "output_tokens", "spend_usd", "spend_share",
  "free_call_share", "successful_steps", "cost_per_successful_step_usd",
] as const;

export function reportCsv(report: Report): string {
  const lines = [[report.groupBy, ...columns].join(",")];
  for (const group of report.groups) {
    lines.push(
      [
        group.key, group.rows, group.callsMade, group.failedCalls, group.cachedCalls, group.inputTokens, group.outputTokens, group.spendUsd,
        group.spendShare, group.freeCallShare, group.successfulSteps, group.costPerSuccessfulStepUsd ?? "",
      ]
        .map(csvCell)
        .join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}

function csvCell(value: string | number): string {
  const text = typeof value === "number" ? String(Math.round(value * 1e9) / 1e9) : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
