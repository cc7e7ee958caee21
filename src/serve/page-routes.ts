/** The dashboard's page routes: overview, runs, a run (and its live part), a step, models and providers. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { budgetsReader, dashboardBudgets, dashboardReport, listRuns, providerCooldowns, runSnapshot, runStatuses, runView } from "./dashboard-data.js";
import { HttpError, sendHtml } from "./http-util.js";
import { modelsPage, overviewPage, runLivePart, runPage, runsPage, stepPage } from "./pages.js";
import type { ServeContext } from "./server.js";
import type { RunStatus } from "../contracts/run-store.js";

export async function handlePage(context: ServeContext, request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
  if (request.method !== "GET") throw new HttpError(405, `${request.method} is not allowed on pages: use GET`, "method");
  const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const now = new Date();
  if (parts.length === 0) {
    sendHtml(response, 200, overviewPage(await dashboardReport(context, now), await dashboardBudgets(context, now)));
  } else if (parts[0] === "models" && parts.length === 1) {
    sendHtml(response, 200, modelsPage(await dashboardReport(context, now), await providerCooldowns(context, now)));
  } else if (parts[0] === "runs" && parts.length === 1) {
    const pipeline = url.searchParams.get("pipeline") || undefined;
    const asked = url.searchParams.get("status") || undefined;
    const status = asked !== undefined && (runStatuses as readonly string[]).includes(asked) ? (asked as RunStatus) : undefined;
    const runs = await listRuns(context.store, { ...(pipeline === undefined ? {} : { pipeline }), ...(status === undefined ? {} : { status }), limit: 200 });
    sendHtml(response, 200, runsPage(runs, { ...(pipeline === undefined ? {} : { pipeline }), ...(status === undefined ? {} : { status }) }));
  } else if (parts[0] === "runs" && (parts.length === 2 || (parts.length === 3 && parts[2] === "live"))) {
    const readBudgets = await budgetsReader(context);
    const snapshot = await runSnapshot(context.store, parts[1]!, context.live.stepStatuses(parts[1]!), () => readBudgets(new Date()));
    if (!snapshot) throw new HttpError(404, `no run "${parts[1]}" in ${context.store.location}`, "id");
    sendHtml(response, 200, parts.length === 2 ? runPage(snapshot.view, snapshot.svg, snapshot.also) : runLivePart(snapshot.view, snapshot.svg, snapshot.also));
  } else if (parts[0] === "runs" && parts.length === 4 && parts[2] === "steps") {
    const run = await runView(context.store, parts[1]!, context.live.stepStatuses(parts[1]!));
    if (!run) throw new HttpError(404, `no run "${parts[1]}" in ${context.store.location}`, "id");
    const step = run.steps.find((candidate) => candidate.name === parts[3]);
    if (!step) throw new HttpError(404, `run ${run.id} has no step "${parts[3]}"`, "step");
    sendHtml(response, 200, stepPage(run, step));
  } else {
    return false;
  }
  return true;
}
