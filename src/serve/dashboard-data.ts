/**
 * What the dashboard and the API read from the store: the SAME report model as `orch report`
 * (buildReport over readReportData), budget status with the forecast as `orch budget --json`, the
 * call-log views of `orch runs`/`orch show`, and the dagre graph of `orch graph --run`.
 */
import { ledgerTimeZone } from "../budget/calendar.js";
import { forecastOfStatus } from "../budget/forecast.js";
import { ledgerSettingsOf } from "../budget/limits.js";
import { overrunOf } from "../budget/overruns.js";
import { budgetStatus } from "../budget/status.js";
import { loadPolicyFile, type LoadedPolicy } from "../config/load-config.js";
import { createProviderHealth } from "../executor/provider-health.js";
import { runListing } from "../report/call-log/run-listing.js";
import { buildRunView } from "../report/call-log/run-view.js";
import { buildReport, readReportData, reportWindow } from "../report/index.js";
import { graphOfRecordedRun, layoutGraph, renderSvg } from "../report/graph/index.js";
import type { Project } from "../project/resolve-project.js";
import type { OrchStore } from "../contracts/orch-store.js";
import type { RunStatus } from "../contracts/run-store.js";

export const runStatuses: readonly RunStatus[] = ["running", "succeeded", "failed", "budget_stopped", "deferred", "interrupted"];

export interface DashboardSource {
  store: OrchStore;
  project: Project;
  /** Re-read on each request so an edited policy shows at once. */
  policy(): Promise<LoadedPolicy | undefined>;
}

export function policyLoader(project: Project, flag: string | undefined): () => Promise<LoadedPolicy | undefined> {
  return async () => {
    const file = project.policyFile(flag);
    return file === undefined ? undefined : loadPolicyFile(file, project.env);
  };
}

/** `orch report`'s model for the default window (30 days), grouped by model. */
export async function dashboardReport(source: DashboardSource, now: Date) {
  const policy = await source.policy();
  const settings = ledgerSettingsOf(policy?.policy.budget);
  const targets = policy?.policy.targets;
  const timeZone = await ledgerTimeZone(source.store.ledger, settings.timeZone, now);
  const window = reportWindow({}, now);
  const data = { ...(await readReportData(source.store.reports, window, timeZone)), overruns: (await source.store.ledger.overrunsBetween(window.fromIso, window.toIso)).map(overrunOf) };
  return buildReport(data, {
    window,
    groupBy: "model",
    now,
    timeZone,
    limits: settings.limits,
    ...(policy ? { policyFile: policy.file } : {}),
    targets: { localShare: targets?.local_share, costPerSuccessUsd: targets?.cost_per_success_usd },
  });
}

/** Today and this month against each budget, with the month's forecast: `orch budget --json`'s figures. */
export async function dashboardBudgets(source: DashboardSource, now: Date) {
  const policy = await source.policy();
  const settings = ledgerSettingsOf(policy?.policy.budget);
  const status = await budgetStatus(source.store.ledger, settings.limits, settings.timeZone, now);
  return { policy: policy?.file ?? null, limits: settings.limits, ...status, forecast: forecastOfStatus(status) ?? null };
}

/** Each provider the policy configures, with its cool-down as a run starting now would see it. */
export async function providerCooldowns(source: DashboardSource, now: Date): Promise<{ provider: string; type: string; coolingDownUntil: string | null }[]> {
  const policy = await source.policy();
  if (!policy) return [];
  const health = await createProviderHealth(source.store.history, now.getTime());
  return Object.entries(policy.policy.providers ?? {}).map(([id, settings]) => {
    const until = health.coolingDownUntil(id, now.getTime());
    return { provider: id, type: String((settings as { type?: unknown }).type ?? ""), coolingDownUntil: until === undefined ? null : new Date(until).toISOString() };
  });
}

export interface RunQuery {
  pipeline?: string;
  status?: RunStatus;
  limit: number;
}

export async function listRuns(store: OrchStore, query: RunQuery) {
  const rows = await store.callLog.listRuns({
    ...(query.pipeline === undefined ? {} : { pipeline: { name: query.pipeline, file: query.pipeline } }),
    ...(query.status === undefined ? {} : { status: query.status }),
    limit: query.limit,
  });
  return rows.map(runListing);
}

/** A run as `orch show --json` prints it; undefined when the id is unknown. */
export async function runView(store: OrchStore, runId: string) {
  const row = await store.runs.getRun(runId);
  return row ? buildRunView(row, await store.callLog.steps(row.id), await store.callLog.calls(row.id)) : undefined;
}

/** The run's DAG as SVG (dagre layout), or undefined when its pipeline file is gone. */
export async function runGraphSvg(store: OrchStore, runId: string): Promise<string | undefined> {
  const row = await store.runs.getRun(runId);
  if (!row) return undefined;
  const graph = await graphOfRecordedRun(store, row);
  return graph ? renderSvg(layoutGraph(graph)) : undefined;
}
