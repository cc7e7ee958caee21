/** `orch runs` as a table, newest first. */
import { formatUsd } from "../../money/format-usd.js";
import { nanoToUsd } from "../../money/nano.js";
import type { RunListRow } from "../../store/call-log-repository.js";
import type { Style } from "../output.js";
import { formatDuration } from "./summary.js";

/** A run as `orch runs --json` prints it. */
export interface RunListing {
  id: string;
  pipeline: string;
  pipelinePath: string;
  status: string;
  costUsd: number;
  /** True when the money is synthetic (mock, replay). */
  synthetic: boolean;
  calls: number;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  exitCode: number | null;
}

export function runListing(row: RunListRow): RunListing {
  return {
    id: row.id,
    pipeline: row.pipeline_name,
    pipelinePath: row.pipeline_path,
    status: row.status,
    costUsd: nanoToUsd(row.cost_nano_usd),
    synthetic: row.synthetic === 1,
    calls: row.calls,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.finished_at === null ? null : Date.parse(row.finished_at) - Date.parse(row.started_at),
    exitCode: row.exit_code,
  };
}

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
