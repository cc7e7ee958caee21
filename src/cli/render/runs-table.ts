/** `orch runs` as a table, newest first. */
import { formatUsd } from "../../money/format-usd.js";
import type { RunListing } from "../../report/call-log/run-listing.js";
import type { Style } from "../output.js";
import { formatDuration } from "./summary.js";

export function renderRuns(runs: readonly RunListing[], database: string, style: Style): string[] {
  if (runs.length === 0) return [`no run matches in ${database}`];
  const rows = runs.map((run) => [
    run.id,
    run.pipeline,
    run.status,
    `${formatUsd(run.costUsd)}${run.synthetic ? " (mock)" : ""}`,
    run.durationMs === null ? "-" : formatDuration(run.durationMs),
    run.startedAt.replace("T", " ").replace(/\.\d+Z$/, "Z"),
  ]);
  const header = ["run", "pipeline", "status", "cost", "duration", "started (UTC)"];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  ");
  return [style.bold(line(header)), ...rows.map(line), style.dim(`${runs.length} run${runs.length === 1 ? "" : "s"} · ${database} · \`orch show RUN\` for one`)];
}
