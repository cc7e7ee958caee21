/**
 * `--run ID` and `--pipeline NAME` on `orch report` and `orch budget`: keep the rows of one run or
 * one pipeline, so train and test runs sharing a database can be told apart. Pure: the rows come in
 * already read; each kind of row is filtered on its own run and pipeline columns. Ledger use by tag
 * has neither (a tag's limit spans pipelines), so a filtered report shows no tag rows rather than
 * rows that are not the filter's.
 */
import { UsageError } from "../errors/orch-error.js";
import { didYouMean } from "../config/suggest.js";
import { nanoToUsd } from "../money/nano.js";
import type { LedgerUseRow } from "../contracts/report-store.js";
import type { ReportData } from "./build-report.js";

export interface ReportFilter {
  runId?: string;
  pipeline?: string;
}

export function isFiltered(filter: ReportFilter): boolean {
  return filter.runId !== undefined || filter.pipeline !== undefined;
}

export function matchesFilter(filter: ReportFilter, row: { runId: string; pipeline: string }): boolean {
  return (filter.runId === undefined || row.runId === filter.runId) && (filter.pipeline === undefined || row.pipeline === filter.pipeline);
}

export function filterReportData(data: ReportData, filter: ReportFilter): ReportData {
  if (!isFiltered(filter)) return data;
  return {
    ...data,
    calls: data.calls.filter((call) => matchesFilter(filter, { runId: call.runId, pipeline: call.pipelineName })),
    ledger: data.ledger.filter((row) => matchesFilter(filter, { runId: row.runId, pipeline: row.pipelineName })),
    ledgerByTag: [],
    budgetStops: data.budgetStops.filter((stop) => matchesFilter(filter, { runId: stop.runId, pipeline: stop.pipelineName })),
    ...(data.overruns ? { overruns: data.overruns.filter((overrun) => matchesFilter(filter, overrun)) } : {}),
  };
}

/** ` · run 2026…-ab12 · pipeline release-notes`, for the report's title. */
export function filterLabel(filter: ReportFilter): string {
  return `${filter.runId === undefined ? "" : ` · run ${filter.runId}`}${filter.pipeline === undefined ? "" : ` · pipeline ${filter.pipeline}`}`;
}

/** What `--run` and `--pipeline` name must exist, or the report would be silently empty. */
export async function checkFilter(filter: ReportFilter, known: { runExists(id: string): Promise<boolean>; pipelineNames(): Promise<readonly string[]>; database: string }): Promise<void> {
  if (filter.runId !== undefined && !(await known.runExists(filter.runId))) {
    throw new UsageError({
      message: `--run: no run "${filter.runId}" in ${known.database}`,
      hint: "a run's id is printed by orch run (\"run 20261122-023611-d9f32c\") and names its results folder; pass --db if the run used another database",
    });
  }
  const pipelineNames = filter.pipeline === undefined ? [] : await known.pipelineNames();
  if (filter.pipeline !== undefined && !pipelineNames.includes(filter.pipeline)) {
    const suggestion = didYouMean(filter.pipeline, pipelineNames);
    throw new UsageError({
      message: `--pipeline: no run of a pipeline named "${filter.pipeline}" in ${known.database}`,
      hint: suggestion ?? (pipelineNames.length ? `pipelines with runs: ${pipelineNames.join(", ")}` : "no run is recorded in this database yet"),
    });
  }
}

export interface WindowSpend {
  /** Real money the ledger counted on the window's days (settled, open and expired reservations). */
  realUsd: number;
  /** Mock and replay money, counted apart. */
  syntheticUsd: number;
  runs: number;
}

/** The ledger's use on the given calendar days, for the filter: `orch budget --since/--from/--to`. */
export function windowSpend(rows: readonly LedgerUseRow[], days: readonly string[], filter: ReportFilter): WindowSpend {
  const inWindow = new Set(days);
  const kept = rows.filter((row) => inWindow.has(row.day) && matchesFilter(filter, { runId: row.runId, pipeline: row.pipelineName }));
  const sum = (synthetic: number) => kept.filter((row) => row.synthetic === synthetic).reduce((total, row) => total + row.usedNanoUsd, 0);
  return { realUsd: nanoToUsd(sum(0)), syntheticUsd: nanoToUsd(sum(1)), runs: new Set(kept.map((row) => row.runId)).size };
}
