/**
 * The live view tells waiting, queued, held and running steps apart, follows a for_each step item
 * by item (done/total, failures), and sums up a for_each step by every model that answered its
 * items, not by one item's model.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import type { RunEvent } from "../../src/executor/events.js";
import type { PipelineModel, PipelineStep } from "../../src/pipeline/model.js";
import { createStepProgress } from "../../src/cli/render/step-progress.js";
import { runCliInProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";

const at = "2026-01-01T00:00:00.000Z";

function pipelineOf(needs: Record<string, string[]>): PipelineModel {
  const steps = new Map(Object.entries(needs).map(([name, list]) => [name, { name, needs: list } as unknown as PipelineStep]));
  return { order: Object.keys(needs), steps } as unknown as PipelineModel;
}

describe("live view: step progress", () => {
  it("says waiting, queued, held and running, and counts a fan-out's items and models", () => {
    const progress = createStepProgress(pipelineOf({ a: [], b: [], c: ["a"] }));
    const feed = (event: RunEvent) => progress.onEvent(event);
    assert.equal(progress.titleOf("c"), "c  waiting for a");
    feed({ type: "run-start", runId: "r", pipeline: "p", steps: ["a", "b", "c"], resultsDirectory: "/r", syntheticProviders: [], at });
    assert.equal(progress.titleOf("a"), "a  queued (every slot is busy)");
    feed({ type: "step-start", step: "a", at });
    assert.equal(progress.titleOf("a"), "a  running");
    assert.equal(progress.titleOf("b"), "b  queued (every slot is busy)");
    feed({ type: "provider-wait", step: "a", provider: "openai", reason: "rate limit", waitMs: 2000, at });
    assert.equal(progress.titleOf("a"), "a  held: waiting for openai (rate limit, 2.0s)");
    feed({ type: "attempt-start", step: "a", attempt: 1, reference: "x", provider: "openai", model: "m", synthetic: false, reservedUsd: 0, at });
    assert.equal(progress.titleOf("a"), "a  running");

    feed({ type: "items-start", step: "a", count: 4, at });
    assert.equal(progress.titleOf("a"), "a  running · 0/4 items");
    feed({ type: "item-end", step: "a", item: 1, status: "succeeded", provider: "mock", model: "large", at });
    feed({ type: "item-end", step: "a", item: 0, status: "failed", at });
    feed({ type: "item-end", step: "a", item: 2, status: "succeeded", provider: "mock", model: "small", at });
    assert.deepEqual(feed({ type: "item-end", step: "a", item: 3, status: "succeeded", provider: "mock", model: "small", cached: true, at }), ["a"]);
    assert.equal(progress.titleOf("a"), "a  running · 4/4 items · 1 failed · mock:small ×2, mock:large ×1");

    assert.equal(progress.titleOf("c"), "c  waiting for a");
    const changed = feed({ type: "step-end", step: "a", status: "failed", synthetic: true, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, attempts: 4, at });
    assert.deepEqual(changed, ["a", "c"]);
    assert.equal(progress.phaseOf("c"), "queued");
  });
});

describe("live view: plain lines of a for_each run", () => {
  it("shows item progress and sums the step up by its models", async () => {
    const long = "word ".repeat(60);
    const directory = writeProject({
      "policy.yaml": `version: 1
providers:
  offline:
    type: mock
    responses:
      - { contains: BROKEN, error: { kind: auth, message: "bad key" } }
models:
  cheap: { model: "offline:cheap", prices: { input: 1, output: 2 } }
  dear: { model: "offline:dear", prices: { input: 10, output: 30 } }
rules:
  - name: long
    when: { tokens: { gt: 40 } }
    use: [dear]
tiers:
  economy: [cheap]
  standard: [cheap]
  premium: [dear]
`,
      "pipeline.yaml": `version: 1
name: fan
policy: policy.yaml
steps:
  review:
    for_each: { glob: "src/*.txt", concurrency: 1 }
    prompt: "Review <%= it.file.content %>"
`,
      "src/a.txt": "short one",
      "src/b.txt": long,
      "src/c.txt": "BROKEN",
      "src/d.txt": "short two",
      "src/e.txt": long + "more",
    });
    const args = ["run", path.join(directory, "pipeline.yaml"), "--db", path.join(directory, "orch.db"), "--results", path.join(directory, "results")];
    const first = await runCliInProcess(args);
    assert.equal(first.code, 1, first.stdout + first.stderr);
    const lines = first.stdout.split("\n").map((line) => line.replace(/ +/g, " "));
    assert.ok(lines.includes("▤ review 5 items"), first.stdout);
    assert.deepEqual(
      lines.filter((line) => line.startsWith(" ✓ review [item") || line.startsWith(" ✗ review [item")),
      [
        " ✓ review [item 0] offline:cheap · 1/5 done",
        " ✓ review [item 1] offline:dear · 2/5 done",
        " ✗ review [item 2] failed · 3/5 done, 1 failed",
        " ✓ review [item 3] offline:cheap · 4/5 done, 1 failed",
        " ✓ review [item 4] offline:dear · 5/5 done, 1 failed",
      ],
    );
    const end = lines.find((line) => line.startsWith("✗ review failed"));
    assert.match(end ?? "", / · offline:cheap ×2, offline:dear ×2 \(mock\) · .* · 5 items \(1 not succeeded\)/);

    // Fixed, then run again: every item comes from the cache, and the line says so with its own symbol.
    const { writeFileSync } = await import("node:fs");
    writeFileSync(path.join(directory, "src/c.txt"), "short three");
    const second = await runCliInProcess(args);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    const endLine = (stdout: string) => stdout.split("\n").map((line) => line.replace(/ +/g, " ")).find((line) => /^[✓≡✗] review /.test(line) && !line.includes("cached answer of"));
    assert.match(endLine(second.stdout) ?? "", /^✓ review offline:cheap ×3, offline:dear ×2 \(mock\) · /, "item 2 ran again, the others were cached");
    const third = await runCliInProcess(args);
    assert.match(endLine(third.stdout) ?? "", /^≡ review offline:cheap ×3, offline:dear ×2 \(mock\) · cached · \$0 · 5 items$/);
  });
});
