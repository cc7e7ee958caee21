/** The JSON API of `orch serve` (documented in openapi.ts, served at /api/openapi.json). */
import { timingSafeEqual } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { ConfigError, formatDiagnostic } from "../config/diagnostic.js";
import { OrchError } from "../errors/orch-error.js";
import { explainDecision } from "../policy/explain.js";
import type { RunStatus } from "../contracts/run-store.js";
import { openProviders } from "../workspace/open-providers.js";
import { routeRequest } from "../workspace/route-request.js";
import { dashboardBudgets, listRuns, runStatuses, runView } from "./dashboard-data.js";
import { streamRunEvents } from "./events-stream.js";
import { HttpError, readJsonObject, sendJson } from "./http-util.js";
import { openApiDocument } from "./openapi.js";
import { routeRequestOf, runStartOf } from "./request-fields.js";
import type { ServeContext } from "./server.js";

export async function handleApi(context: ServeContext, request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
  const method = request.method ?? "GET";
  const parts = url.pathname.split("/").filter(Boolean).slice(1).map(decodeURIComponent);
  const route = `${method} /${parts[0] ?? ""}`;
  if (route === "GET /health") {
    sendJson(response, 200, { status: "ok", project: context.project.root, database: context.store.location, runsEnabled: context.token !== undefined });
  } else if (route === "GET /openapi.json") {
    sendJson(response, 200, openApiDocument);
  } else if (route === "GET /budgets") {
    sendJson(response, 200, await dashboardBudgets(context, new Date()));
  } else if (route === "POST /route") {
    sendJson(response, 200, await routeDecision(context, await readJsonObject(request)));
  } else if (route === "GET /runs" && parts.length === 1) {
    sendJson(response, 200, { runs: await listRuns(context.store, runQueryOf(url.searchParams)) });
  } else if (route === "POST /runs" && parts.length === 1) {
    sendJson(response, 202, await startRun(context, request));
  } else if (route === "GET /runs" && parts.length === 2) {
    const view = await runView(context.store, parts[1]!, context.live.stepStatuses(parts[1]!));
    if (!view) throw new HttpError(404, `no run "${parts[1]}" in ${context.store.location}`, "id");
    sendJson(response, 200, view);
  } else if (route === "GET /runs" && parts.length === 3 && parts[2] === "events") {
    if (!(await context.store.runs.getRun(parts[1]!))) throw new HttpError(404, `no run "${parts[1]}" in ${context.store.location}`, "id");
    await streamRunEvents(request, response, parts[1]!, context.store, context.live);
  } else {
    return false;
  }
  return true;
}

function runQueryOf(params: URLSearchParams): { pipeline?: string; status?: RunStatus; limit: number } {
  const status = params.get("status") ?? undefined;
  if (status !== undefined && !(runStatuses as readonly string[]).includes(status)) throw new HttpError(400, `"status" must be one of ${runStatuses.join(", ")}`, "status");
  const limitText = params.get("limit");
  const limit = limitText === null ? 50 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new HttpError(400, `"limit" must be a whole number from 1 to 10000`, "limit");
  const pipeline = params.get("pipeline") || undefined;
  return { ...(pipeline === undefined ? {} : { pipeline }), ...(status === undefined ? {} : { status: status as RunStatus }), limit };
}

/** Refused before the body is read: no token configured (403), or a missing or wrong one (401). */
function checkBearer(context: ServeContext, request: IncomingMessage): void {
  if (context.token === undefined) {
    throw new HttpError(403, "starting runs is disabled: set ORCH_SERVE_TOKEN in the environment of `orch serve`, then send it as `Authorization: Bearer <token>`", "authorization");
  }
  const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1] ?? "";
  const expected = Buffer.from(context.token);
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new HttpError(401, "missing or wrong bearer token: send `Authorization: Bearer <ORCH_SERVE_TOKEN>`", "authorization");
  }
}

async function startRun(context: ServeContext, request: IncomingMessage) {
  checkBearer(context, request);
  const { pipeline, inputs } = runStartOf(await readJsonObject(request));
  const root = context.project.root;
  const file = path.resolve(root, pipeline);
  if (path.relative(root, file).startsWith("..") || path.isAbsolute(path.relative(root, file))) {
    throw new HttpError(400, `"pipeline" must name a file inside the project (${root})`, "pipeline");
  }
  if (!existsSync(file) || !statSync(file).isFile()) throw new HttpError(400, `"pipeline": no file ${pipeline} in the project (${root})`, "pipeline");
  try {
    const runId = await context.live.start({ pipelineFile: file, inputs, databaseFile: context.databaseFile, env: context.env, workingDirectory: root });
    const id = encodeURIComponent(runId);
    return { runId, links: { run: `/api/runs/${id}`, events: `/api/runs/${id}/events`, page: `/runs/${id}` } };
  } catch (error) {
    if (error instanceof ConfigError) throw new HttpError(400, error.diagnostics.map(formatDiagnostic).join("\n"), "pipeline");
    if (OrchError.isInstance(error)) throw new HttpError(400, error.message, /input/i.test(error.message) || /inputs:/.test(error.hint ?? "") ? "inputs" : "pipeline");
    throw error;
  }
}

async function routeDecision(context: ServeContext, body: Record<string, unknown>) {
  const routeRequestBody = routeRequestOf(body);
  const policy = await context.policy();
  if (!policy) throw new HttpError(409, "no routing policy found: start `orch serve` with --policy FILE, ORCH_POLICY or orch.config.yaml's policy", "policy");
  const providers = openProviders(policy, { env: context.project.env });
  try {
    const outcome = await routeRequest(policy, routeRequestBody, { store: context.store, providers: providers.set });
    return { policy: policy.file, ...outcome, explanation: explainDecision(outcome.decision, routeRequestBody) };
  } finally {
    await providers.close();
  }
}
