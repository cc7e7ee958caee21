/** `orch report` in a terminal: the overview lines, then the report's tables as aligned plain text, then the recommendations. */
import { overviewLines, reportTables, type ReportTable } from "../../report/report-tables.js";
import type { Report } from "../../report/report-model.js";
import type { Style } from "../output.js";
import { forecastLine } from "./forecast-line.js";

export function renderReport(report: Report, context: { database: string }, style: Style): string[] {
  const lines = [
    `${style.bold("report")} · ${report.window.label} (${report.window.from} – ${report.window.to}) · by ${report.groupBy} · ${context.database}`,
    "",
    ...overviewLines(report).map((line) => `  ${line}`),
  ];
  if (report.forecast) lines.push(`  ${forecastLine(report.forecast, style)}`);
  for (const table of reportTables(report)) lines.push("", style.bold(table.title), ...tableLines(table, style));
  lines.push("", style.bold("recommendations"));
  if (report.recommendations.length === 0) lines.push(style.dim("  nothing to recommend from this window's data"));
  report.recommendations.forEach((advice, index) => lines.push(`  ${index + 1}. ${style.yellow(`[${advice.kind}]`)} ${advice.message}`));
  return lines;
}

/** Columns padded to their widest cell: text left-aligned, figures right-aligned. */
export function tableLines(table: ReportTable, style: Style): string[] {
  if (table.rows.length === 0) return [style.dim(`  ${table.empty}`)];
  const widths = table.headings.map((heading, column) => Math.max(heading.length, ...table.rows.map((row) => row[column]?.length ?? 0)));
  const format = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return [`  ${style.dim(format(table.headings))}`, ...table.rows.map((row) => `  ${format(row)}`)];
}
