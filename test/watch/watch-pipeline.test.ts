/** Watch mode driven by real file changes in a temporary folder, with the real executor and cache. */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import type { RunEvent } from "../../src/executor/events.js";
import { runPipeline, type RunOutcome } from "../../src/executor/run-pipeline.js";
import { openStore } from "../../src/store/index.js";
import { watchPipeline, type WatchEvent } from "../../src/watch/watch-pipeline.js";
import { loadWorkspace } from "../../src/workspace/load-workspace.js";
import { openProviders } from "../../src/workspace/open-providers.js";
import { offlinePolicy, writeProject } from "../support/project.js";

const pipeline = `version: 1
name: watched
policy: policy.yaml
steps:
  facts:
    prompt: { file: facts.eta }
  story:
    needs: [facts]
    prompt: { file: story.eta }
    output: { file: out/story.md }
`;

interface Harness {
  events: WatchEvent[];
  runs: { outcome: RunOutcome; steps: Map<string, Extract<RunEvent, { type: "step-end" }>> }[];
  waitForRuns(count: number, timeoutMs?: number): Promise<void>;
  waitForEvent(type: WatchEvent["type"], count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function startWatching(directory: string): Promise<Harness> {
  const store = await openStore(path.join(directory, "state/orch.db"));
  const controller = new AbortController();
  const events: WatchEvent[] = [];
  const runs: Harness["runs"] = [];
  const pipelineFile = path.join(directory, "pipeline.yaml");
  const done = watchPipeline({
    pipelineFile,
    load: () => loadWorkspace(pipelineFile, { env: {} }),
    signal: controller.signal,
    debounceMs: 100,
    onEvent: (event) => events.push(event),
    run: async (workspace, signal, wrote) => {
      const providers = openProviders(workspace.policy, { env: {}, workingDirectory: directory });
      const steps = new Map<string, Extract<RunEvent, { type: "step-end" }>>();
      try {
        const outcome = await runPipeline({
          pipeline: workspace.pipeline,
          policy: workspace.policy,
          inputs: {},
          store,
          providers: providers.set,
          resultsRoot: path.join(directory, ".orch/results"),
          signal,
          onEvent: (event) => {
            if (event.type !== "step-end") return;
            steps.set(event.step, event);
            if (event.outputFile) wrote(path.resolve(event.outputFile));
          },
        });
        if (!signal.aborted) runs.push({ outcome, steps });
        return outcome;
      } finally {
        await providers.close();
      }
    },
  });
  const waitUntil = async (check: () => boolean, what: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(events.map((event) => event.type))}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  return {
    events,
    runs,
    waitForRuns: (count, timeoutMs = 10_000) => waitUntil(() => runs.length >= count, `${count} runs`, timeoutMs),
    waitForEvent: (type, count, timeoutMs = 10_000) => waitUntil(() => events.filter((event) => event.type === type).length >= count, `${count} × ${type}`, timeoutMs),
    async stop() {
      controller.abort();
      await done;
      await store.close();
    },
  };
}

describe("watch mode", () => {
  it("reruns only the steps whose inputs changed; the rest come from the cache", async () => {
    const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": offlinePolicy(), "facts.eta": "List facts.", "story.eta": "Tell <%= it.steps.facts.output %>" });
    const watch = await startWatching(directory);
    try {
      await watch.waitForRuns(1);
      assert.equal(watch.runs[0]!.outcome.exitCode, 0);
      assert.equal(watch.runs[0]!.steps.get("facts")?.cached, undefined, "the first run pays");

      writeFileSync(path.join(directory, "story.eta"), "Tell it differently: <%= it.steps.facts.output %>");
      await watch.waitForRuns(2);
      const second = watch.runs[1]!;
      assert.equal(second.steps.get("facts")?.cached, true, "facts did not change: served from the cache");
      assert.equal(second.steps.get("story")?.cached, undefined, "story's prompt changed: it ran");
      assert.ok(second.outcome.totals.costUsd > 0);
      assert.deepEqual(watch.events.find((event) => event.type === "change"), { type: "change", files: [path.join(directory, "story.eta")] });

      // The run wrote out/story.md; that must not start another run.
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.equal(watch.runs.length, 2, "output files do not loop");
    } finally {
      await watch.stop();
    }
  });

  it("keeps watching through a broken config and reruns when it is fixed", async () => {
    const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": offlinePolicy(), "facts.eta": "List facts.", "story.eta": "Tell <%= it.steps.facts.output %>" });
    const watch = await startWatching(directory);
    try {
      await watch.waitForRuns(1);
      writeFileSync(path.join(directory, "pipeline.yaml"), pipeline.replace("needs: [facts]", "needs: [fatcs]"));
      await watch.waitForEvent("config-error", 1);
      const error = watch.events.find((event) => event.type === "config-error");
      assert.match(error?.type === "config-error" ? error.error.message : "", /unknown step "fatcs" — did you mean "facts"\?/);
      writeFileSync(path.join(directory, "pipeline.yaml"), pipeline);
      await watch.waitForRuns(2);
      assert.equal(watch.runs[1]!.outcome.exitCode, 0);
    } finally {
      await watch.stop();
    }
  });

  it("watches files the pipeline starts referencing, and forgets those it stops referencing", async () => {
    const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": offlinePolicy(), "facts.eta": "List facts.", "story.eta": "Tell <%= it.steps.facts.output %>", "extra.txt": "more" });
    const watch = await startWatching(directory);
    try {
      await watch.waitForRuns(1);
      writeFileSync(path.join(directory, "pipeline.yaml"), pipeline.replace("    prompt: { file: facts.eta }", "    context: [extra.txt]\n    prompt: { file: facts.eta }"));
      await watch.waitForRuns(2);
      assert.ok(watch.events.some((event) => event.type === "watch-set" && event.added.includes(path.join(directory, "extra.txt"))));
      writeFileSync(path.join(directory, "extra.txt"), "changed context");
      await watch.waitForRuns(3);
      assert.equal(watch.runs[2]!.steps.get("facts")?.cached, undefined, "the context file changed: facts ran");
    } finally {
      await watch.stop();
    }
  });
});
