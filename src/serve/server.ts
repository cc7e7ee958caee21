/**
 * `orch serve`: one node:http server with the dashboard's pages and the JSON API over one store.
 * Binds to 127.0.0.1 unless told otherwise; anything that can spend money (POST /api/runs) needs
 * `Authorization: Bearer $ORCH_SERVE_TOKEN`, and without that variable the server starts no run.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Project } from "../project/resolve-project.js";
import { escapeXml } from "../report/html/escape.js";
import { openStore } from "../store/index.js";
import { handleApi } from "./api.js";
import { policyLoader, type DashboardSource } from "./dashboard-data.js";
import { HttpError, sendError, sendHtml } from "./http-util.js";
import { LiveRuns } from "./live-runs.js";
import { handlePage } from "./page-routes.js";
import { page } from "./pages.js";

export interface ServeOptions {
  project: Project;
  /** The environment the server was started with: runs resolve the project from it as `orch run` does. */
  env: NodeJS.ProcessEnv;
  /** The store's file or URL, as given (a URL keeps its password: runs started here open the same store). */
  databaseFile: string;
  policyFlag?: string;
  host?: string;
  /** 0: any free port. */
  port?: number;
  /** From ORCH_SERVE_TOKEN; undefined: POST /api/runs answers 403. */
  token?: string;
}

export interface ServeContext extends DashboardSource {
  live: LiveRuns;
  env: NodeJS.ProcessEnv;
  /** Where runs started through the API open the store; messages name `store.location` (never a password). */
  databaseFile: string;
  token: string | undefined;
}

export interface RunningServer {
  url: string;
  server: Server;
  /** Stops the runs it started (interrupted, resumable), then closes the store and the socket. */
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const store = await openStore(options.databaseFile);
  const context: ServeContext = {
    store,
    project: options.project,
    policy: policyLoader(options.project, options.policyFlag),
    live: new LiveRuns(),
    env: options.env,
    databaseFile: options.databaseFile,
    token: options.token === "" ? undefined : options.token,
  };
  const server = createServer((request, response) => {
    void dispatch(context, request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    async close() {
      await context.live.stopAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

async function dispatch(context: ServeContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://localhost");
  const api = url.pathname.startsWith("/api/");
  try {
    const handled = api ? await handleApi(context, request, response, url) : await handlePage(context, request, response, url);
    if (!handled) throw new HttpError(404, `nothing at ${url.pathname}`, "path");
  } catch (error) {
    const refusal = error instanceof HttpError ? error : undefined;
    if (!refusal) console.error(`orch serve: ${request.method} ${url.pathname} failed: ${(error as Error).message}`);
    const answer = refusal ?? new HttpError(500, `internal error: ${(error as Error).message}`);
    if (response.headersSent) response.end();
    else if (api) sendError(response, answer);
    else sendHtml(response, answer.status, page(`${answer.status}`, `<p>${escapeXml(answer.message)}</p>`));
  }
}
