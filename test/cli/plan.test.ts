/**
 * `orch plan` counts what a run will send: every `for_each` item and file, context files, upstream
 * outputs up to their caps; it decides a `when` it can and marks one it cannot; its worst case is
 * priced as the ledger reserves (the prompt's byte bound + 8 framing tokens a message, plus the caps).
 *
 * Prices are $1 input and $2 output per million tokens, so a worst case in nano-dollars is
 * 1,000 × input tokens + 2,000 × output tokens; every figure below is worked out by hand from byte counts.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { runCliInProcess } from "../support/cli.js";
import { offlinePolicy, writeProject } from "../support/project.js";

const pipeline = `version: 1
name: honest
policy: policy.yaml
inputs:
  deep: { type: boolean, default: false }
  topics: { type: list, default: [a, b, c, d] }
steps:
  review:
    quality: economy
    max_tokens: 100
    for_each: { glob: "src/*.txt" }
    prompt: "Review <%= it.file.content %>"
  combine:
    quality: economy
    needs: [review]
    max_tokens: 50
    prompt: "Combine: <%= it.steps.review.output %>"
  summarise:
    quality: economy
    max_tokens: 10
    context: [notes.md]
    prompt: "Summarise."
  topics:
    quality: economy
    max_tokens: 10
    for_each: { items: inputs.topics }
    prompt: "On <%= it.item %>"
  extra:
    quality: economy
    max_tokens: 10
    when: "inputs.deep"
    prompt: "More."
  maybe:
    quality: economy
    needs: [combine]
    max_tokens: 10
    when: "steps.combine.output != ''"
    prompt: "Again."
`;

function project(fileCount: number, notes: string) {
  const files: Record<string, string> = { "pipeline.yaml": pipeline, "policy.yaml": offlinePolicy(), "notes.md": notes };
  for (let index = 0; index < fileCount; index++) files[`src/f${String(index).padStart(2, "0")}.txt`] = "aaaa";
  return writeProject(files);
}

async function plan(directory: string) {
  const result = await runCliInProcess(["plan", path.join(directory, "pipeline.yaml"), "--db", path.join(directory, "orch.db"), "--json"]);
  assert.equal(result.code, 0, result.stderr);
  const json = JSON.parse(result.stdout) as { order: { step: string; costUsd: { min: number; max: number }; items?: { count?: number }; when?: { outcome: string } }[]; totalCostUsd: { max: number } };
  return { json, step: (name: string) => json.order.find((step) => step.step === name)! };
}

/** Worst case in nano-dollars → USD. */
const usd = (nano: number) => nano / 1e9;

describe("orch plan", () => {
  it("counts every item of a for_each glob and the upstream outputs it feeds", async () => {
    const three = await plan(project(3, "hello world\n"));
    const fifteen = await plan(project(15, "hello world\n"));
    // One item: "Review aaaa" is 11 bytes + 8 framing = 19 input tokens, 100 output → 19,000 + 200,000 nano.
    assert.deepEqual(three.step("review").items, { count: 3 });
    assert.equal(three.step("review").costUsd.max, usd(3 * 219_000));
    assert.deepEqual(fifteen.step("review").items, { count: 15 });
    assert.equal(fifteen.step("review").costUsd.max, usd(15 * 219_000));
    // "Combine: " is 9 bytes + 8 = 17, plus up to 3 × 100 tokens of review's output; 50 out.
    assert.equal(three.step("combine").costUsd.max, usd((17 + 300) * 1000 + 50 * 2000));
    assert.equal(fifteen.step("combine").costUsd.max, usd((17 + 1500) * 1000 + 50 * 2000));
  });

  it("counts context files and items listed from inputs", async () => {
    const small = await plan(project(1, "hello world\n"));
    // "Summarise." (10) + "\n\n--- notes.md ---\n" (19) + "hello world\n" (12) = 41 bytes + 8 = 49 in, 10 out.
    assert.equal(small.step("summarise").costUsd.max, usd(49 * 1000 + 10 * 2000));
    const large = await plan(project(1, "b".repeat(1000)));
    assert.equal(large.step("summarise").costUsd.max, usd((10 + 19 + 1000 + 8) * 1000 + 10 * 2000));
    // Four topics: "On a" is 4 bytes + 8 = 12 in, 10 out, each.
    assert.deepEqual(small.step("topics").items, { count: 4 });
    assert.equal(small.step("topics").costUsd.max, usd(4 * (12 * 1000 + 10 * 2000)));
  });

  it("decides a when that reads inputs, and marks one that reads upstream outputs", async () => {
    const directory = project(1, "n");
    const { step } = await plan(directory);
    assert.deepEqual(step("extra").when, { expression: "inputs.deep", outcome: "skipped" });
    assert.deepEqual(step("extra").costUsd, { min: 0, max: 0 });
    assert.deepEqual(step("maybe").when, { expression: "steps.combine.output != ''", outcome: "may-skip" });
    assert.equal(step("maybe").costUsd.min, 0);
    // "Again." is 6 bytes + 8 = 14 in, 10 out.
    assert.equal(step("maybe").costUsd.max, usd(14 * 1000 + 10 * 2000));

    const text = await runCliInProcess(["plan", path.join(directory, "pipeline.yaml"), "--db", path.join(directory, "orch.db")]);
    assert.match(text.stdout, /\n {4}skipped: inputs\.deep is false · costs nothing\n/);
    assert.match(text.stdout, /\n {4}may be skipped: when steps\.combine\.output != '' reads upstream outputs/);
    assert.match(text.stdout, /\n {4}for_each 1 item\n/);
    assert.match(text.stdout, /\n {4}for_each 4 items\n/);

    const deep = await runCliInProcess(["plan", path.join(directory, "pipeline.yaml"), "--db", path.join(directory, "orch.db"), "--json", "--set", "deep=true"]);
    const extra = JSON.parse(deep.stdout).order.find((entry: { step: string }) => entry.step === "extra");
    assert.deepEqual(extra.when, { expression: "inputs.deep", outcome: "runs" });
    assert.equal(extra.costUsd.max, usd((5 + 8) * 1000 + 10 * 2000));
  });
});
