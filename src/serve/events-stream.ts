/**
 * GET /api/runs/:id/events as Server-Sent Events. A run started by this server streams its own
 * executor events (replayed from its start, then live) until run-end. A run of another process
 * (`orch run` in a terminal) is followed through the store: a `steps` event whenever a step's
 * status changes, and a `run-end` once the run's row says it ended.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RunEvent } from "../executor/events.js";
import type { OrchStore } from "../contracts/orch-store.js";
import type { LiveRuns } from "./live-runs.js";

/** How often a run of another process is re-read from the store. */
const storePollMs = 500;

function openStream(response: ServerResponse): (name: string, data: unknown) => void {
  response.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive" });
  response.write(": orch run events\n\n");
  return (name, data) => response.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
}

export async function streamRunEvents(request: IncomingMessage, response: ServerResponse, runId: string, store: Pick<OrchStore, "runs">, live: LiveRuns): Promise<void> {
  const send = openStream(response);
  // Each event goes out under its own type (`event: step-end`), its JSON as data.
  const forward = (event: RunEvent) => {
    send(event.type, event);
    if (event.type === "run-end") response.end();
  };
  if (live.isLive(runId)) {
    const unsubscribe = live.subscribe(runId, forward);
    request.on("close", unsubscribe);
    return;
  }
  let last = "";
  const poll = async (): Promise<boolean> => {
    const run = await store.runs.getRun(runId);
    if (!run) {
      response.end();
      return false;
    }
    const steps = (await store.runs.listSteps(runId)).map((step) => ({ step: step.step, status: step.status }));
    const snapshot = JSON.stringify(steps);
    if (snapshot !== last) {
      last = snapshot;
      send("steps", { runId, steps });
    }
    if (run.status !== "running") {
      send("run-end", { type: "run-end", runId, status: run.status, exitCode: run.exit_code, at: run.finished_at });
      response.end();
      return false;
    }
    return true;
  };
  if (!(await poll())) return;
  // One read at a time: a slow store skips a tick rather than stacking reads.
  let reading = false;
  const timer = setInterval(() => {
    if (reading) return;
    reading = true;
    void poll().then(
      (more) => {
        reading = false;
        if (!more) clearInterval(timer);
      },
      () => {
        clearInterval(timer);
        response.end();
      },
    );
  }, storePollMs);
  request.on("close", () => clearInterval(timer));
}
