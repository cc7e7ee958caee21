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
import { buildRunView, type RunView } from "../report/call-log/run-view.js";
import { buildReport, readReportData, reportWindow } from "../report/index.js";
import { layoutGraph, pipelineGraph, pipelineOfRecordedRun, renderSvg } from "../report/graph/index.js";
import type { Project } from "../project/resolve-project.js";
import type { OrchStore } from "../contracts/orch-store.js";
import type { RunStatus, StepStatus } from "../contracts/run-store.js";

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
    return file === undefined ? undefined : loadPolicyFile(file, project.env, { name: project.settings?.name });
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
  return (await budgetsReader(source))(now);
}

/** The policy read once, then the budgets read at each call: for a page that reads them beside a run. */
export async function budgetsReader(source: DashboardSource) {
  const policy = await source.policy();
  const settings = ledgerSettingsOf(policy?.policy.budget);
  return async (now: Date) => {
    const status = await budgetStatus(source.store.ledger, settings.limits, settings.timeZone, now);
    return { policy: policy?.file ?? null, limits: settings.limits, ...status, forecast: forecastOfStatus(status) ?? null };
  };
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

/**
 * Step statuses a run of this server knows from its events before the store does: a step's row
 * says "running" only once its first call is recorded, but its step-start event comes before that
 * call is sent. Absent for runs of other processes, which are read from the store alone.
 */
export type LiveStepStatuses = ReadonlyMap<string, StepStatus>;

/** A run as `orch show --json` prints it (with live step statuses over the stored ones); undefined when the id is unknown. */
export async function runView(store: OrchStore, runId: string, live?: LiveStepStatuses): Promise<RunView | undefined> {
  const row = await store.runs.getRun(runId);
  if (!row) return undefined;
  const [steps, calls] = await Promise.all([store.callLog.steps(row.id), store.callLog.calls(row.id)]);
  return withLiveStatuses(buildRunView(row, steps, calls), live);
}

function withLiveStatuses(view: RunView, live: LiveStepStatuses | undefined): RunView {
  if (!live) return view;
  return { ...view, steps: view.steps.map((step) => ({ ...step, status: live.get(step.name) ?? step.status })) };
}

/**
 * A run's view and its DAG as SVG (dagre layout; undefined when its pipeline file is gone) from one
 * read of its step rows and one copy of the live statuses, so the step table and the graph never
 * show two different moments of a run that is moving on meanwhile. The budgets (`readAlso`) are
 * read beside them.
 */
export async function runSnapshot<Also>(
  store: OrchStore,
  runId: string,
  live: LiveStepStatuses | undefined,
  readAlso: () => Promise<Also>,
): Promise<{ view: RunView; svg: string | undefined; also: Also } | undefined> {
  const row = await store.runs.getRun(runId);
  if (!row) return undefined;
  const pipeline = await pipelineOfRecordedRun(row);
  const [steps, calls, also] = await Promise.all([store.callLog.steps(row.id), store.callLog.calls(row.id), readAlso()]);
  const liveNow = live ? new Map(live) : undefined;
  const view = withLiveStatuses(buildRunView(row, steps, calls), liveNow);
  if (!pipeline) return { view, svg: undefined, also };
  const graph = pipelineGraph(pipeline, { id: row.id, steps });
  const nodes = liveNow ? graph.nodes.map((node) => (node.run && liveNow.has(node.id) ? { ...node, run: { ...node.run, status: liveNow.get(node.id)! } } : node)) : graph.nodes;
  return { view, svg: renderSvg(layoutGraph({ ...graph, nodes })), also };
}
