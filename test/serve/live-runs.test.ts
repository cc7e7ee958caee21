/**
 * A long-lived `orch serve` keeps the events of only its latest finished runs in memory: an older
 * run is no longer "live" and is followed from the store instead, so memory stays bounded however
 * many runs the server starts.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import type { RunEvent } from "../../src/executor/events.js";
import { LiveRuns } from "../../src/serve/live-runs.js";
import { writeProject } from "../support/project.js";
import { servePipeline, servePolicy } from "./support.js";

/** Starts a run and resolves with its id once its run-end has been delivered to a subscriber. */
async function runToEnd(live: LiveRuns, directory: string): Promise<string> {
  const options = {
    pipelineFile: path.join(directory, "notes.yaml"),
    inputs: {},
    databaseFile: path.join(directory, "orch.db"),
    env: { ORCH_HOME: path.join(directory, ".orch-home"), ORCH_POLICY: path.join(directory, "policy.yaml") },
    workingDirectory: directory,
  };
  const runId = await live.start(options);
  await new Promise<void>((resolve) => {
    live.subscribe(runId, (event: RunEvent) => {
      if (event.type === "run-end") resolve();
    });
  });
  return runId;
}

describe("orch serve's live runs", () => {
  it("forget the oldest finished run beyond the ones they keep; runs still going on are never forgotten", async () => {
    const directory = writeProject({ "policy.yaml": servePolicy(0), "notes.yaml": servePipeline });
    const live = new LiveRuns(2);
    const first = await runToEnd(live, directory);
    const second = await runToEnd(live, directory);
    assert.deepEqual([live.isLive(first), live.isLive(second)], [true, true], "two finished runs are kept");
    const third = await runToEnd(live, directory);
    assert.deepEqual([live.isLive(first), live.isLive(second), live.isLive(third)], [false, true, true], "the oldest goes first");
    const replayed: string[] = [];
    live.subscribe(second, (event) => replayed.push(event.type));
    assert.equal(replayed.at(0), "run-start");
    assert.equal(replayed.at(-1), "run-end", "a kept run replays all its events");
    await live.stopAll();
  });
});
