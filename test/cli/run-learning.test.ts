import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { runCliInProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { callRows, jsonEvents, mockPolicy, openDatabase, runPaths } from "../executor/support/run-project.js";

// JSON answers: `broken` fails the step's format check, `good` passes it.
const broken = "not json at all";
const good = '{"ok": true}';
const say = (model: string, text: string) => `{ model: ${model}, text: ${JSON.stringify(text)} }`;

function pipeline(items: number, settings = ""): string {
  return `version: 1
name: learning
policy: policy.yaml
inputs:
  things: { type: list, default: [${Array.from({ length: items }, (_, index) => `t${index}`).join(", ")}] }
steps:
  gen:
    task: chat
${settings}    for_each: { items: inputs.things, concurrency: 1 }
    prompt: "Answer about <%= it.item %> in JSON."
    output: { format: json }
`;
}

async function run(directory: string) {
  const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--json"]);
  return { ...result, events: jsonEvents(result.stdout) };
}

describe("orch run: routing that learns", () => {
  it("stops escalating when the next model is not worth its cost, and says why", async () => {
    const directory = writeProject({
      "pipeline.yaml": pipeline(1, "    quality: economy\n"),
      "policy.yaml": mockPolicy([say("cheap", broken), say("mid", good), say("dear", good)], "escalate: [mid, dear]\nvalue_usd: 0.000001\n"),
    });
    const { code, events } = await run(directory);
    assert.equal(code, 1);
    assert.deepEqual(callRows(directory).map((call) => call.model), ["cheap"], "mid and dear were never called");
    const end = events.find((event) => event.type === "step-end" && event.step === "gen");
    assert.ok(end && end.type === "step-end");
    assert.match(end.reason ?? "", /stopped after 1 rejected answer: no model left is worth its cost at value_usd \$0\.000001 — mid: .* expected < .* cost .*; dear: /);
  });

  it("without value_usd the escalation chain is still tried to the end", async () => {
    const directory = writeProject({
      "pipeline.yaml": pipeline(1, "    quality: economy\n"),
      "policy.yaml": mockPolicy([say("cheap", broken), say("mid", broken), say("dear", good)], "escalate: [mid, dear]\n"),
    });
    const { code } = await run(directory);
    assert.equal(code, 0);
    assert.deepEqual(callRows(directory).map((call) => call.model), ["cheap", "mid", "dear"]);
  });

  it("learns from every verdict while a for_each runs: later items skip a model that keeps failing", async () => {
    const directory = writeProject({
      "pipeline.yaml": pipeline(12, "    language: go\n"),
      "policy.yaml": mockPolicy([say("cheap", broken), say("mid", good)], "rules:\n  - { name: value, use: { best_value: [cheap, mid] } }\n"),
    });
    const { code } = await run(directory);
    assert.equal(code, 0);
    const calls = callRows(directory);
    const firstPerItem = Array.from({ length: 12 }, (_, item) => calls.find((call) => call.item_index === item)!.model);
    // By hand, after n items (each: cheap rejected on a fresh request, then mid accepted): cheap's
    // fresh figure is (0 + 2 × 0.5) / (n + 2) = 1/(n + 2); mid has no fresh calls, but its record
    // after a rejection, (n + 1)/(n + 2), is a floor for it. Mid goes first once
    // cost(mid) × (n + 2)/(n + 1) < cost(cheap) × (n + 2), i.e. n + 1 > cost(mid) / cost(cheap).
    const cheapCost = calls.find((call) => call.model === "cheap")!.cost_usd;
    const midCost = calls.find((call) => call.model === "mid")!.cost_usd;
    const switchAt = Math.floor(midCost / cheapCost); // the first n with n + 1 > the ratio
    assert.ok(switchAt > 0 && switchAt < 11, `the ratio ${midCost / cheapCost} puts the switch inside the run`);
    assert.deepEqual(firstPerItem, Array.from({ length: 12 }, (_, item) => (item < switchAt ? "cheap" : "mid")));
    const database = openDatabase(directory);
    try {
      const verdicts = database.prepare("SELECT model, verdict, language FROM llm_calls WHERE item_index = 0 ORDER BY id").all();
      assert.deepEqual(verdicts, [
        { model: "cheap", verdict: "rejected", language: "go" },
        { model: "mid", verdict: "accepted", language: "go" },
      ]);
    } finally {
      database.close();
    }
  });
});
