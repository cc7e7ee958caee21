/**
 * `orch run --watch` with an OTLP endpoint: one trace per rerun, as `orch run` sends one per run.
 * Two reruns (the first run, then a prompt edit) of a two-step pipeline on the offline mock
 * provider give two traces, each a run span over its two step spans, under two run ids.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { driveWatch, rerunLines, twoStepWatchProject, watchArguments } from "../cli/support/watch-driver.js";
import { offlinePolicy, writeProject } from "../support/project.js";
import { startOtlpReceiver, type OtlpReceiver } from "./support/otlp-receiver.js";

describe("traces: orch run --watch → OTLP/HTTP", () => {
  let receiver: OtlpReceiver;
  before(async () => {
    receiver = await startOtlpReceiver();
  });
  after(async () => {
    await receiver.close();
  });

  it("sends one trace per rerun, each with its run's steps", async () => {
    const { directory, editPrompt } = twoStepWatchProject();
    const result = await driveWatch({ cwd: directory, args: watchArguments, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, edits: [editPrompt] });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.doesNotMatch(result.stderr, /traces:/, "no span was lost");
    const runIds = rerunLines(result.stdout).flatMap((line) => /^rerun (\S+):/.exec(line)?.[1] ?? []);
    assert.equal(runIds.length, 2, result.stdout);

    const runs = receiver.spans.filter((span) => span.name === "run w");
    assert.deepEqual(
      runs.map((span) => [span.attributes["orch.run.id"], span.attributes["orch.run.status"]]),
      runIds.map((id) => [id, "succeeded"]),
    );
    assert.equal(new Set(runs.map((span) => span.traceId)).size, 2, "two traces");
    for (const run of runs) {
      const steps = receiver.spans.filter((span) => span.traceId === run.traceId && span.parentSpanId === run.spanId);
      assert.deepEqual(steps.map((span) => span.name).sort(), ["step a", "step b"]);
    }
  });
});
