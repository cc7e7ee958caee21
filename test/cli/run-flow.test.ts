import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runCliInProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { callRows, jsonEvents, mockPolicy, peakInFlight, runPaths } from "../executor/support/run-project.js";
import type { RunEvent } from "../../src/executor/events.js";

async function run(directory: string, ...extra: string[]) {
  const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--json", ...extra]);
  return { ...result, events: jsonEvents(result.stdout) };
}

function stepEnd(events: readonly RunEvent[], step: string): Extract<RunEvent, { type: "step-end" }> {
  const found = events.find((event): event is Extract<RunEvent, { type: "step-end" }> => event.type === "step-end" && event.step === step);
  assert.ok(found, `step-end of ${step}`);
  return found;
}

const conditional = `version: 1
name: flow
policy: policy.yaml
inputs:
  mode: { type: string, default: quick }
steps:
  classify:
    prompt: "Classify."
    output: { format: json }
  deep:
    needs: [classify]
    when: "inputs.mode == 'full' || steps.classify.json.kind == 'risky'"
    prompt: "Look deeper."
  after_deep:
    needs: [deep]
    prompt: "Follow up on <%= it.steps.deep.output %>"
  report:
    needs: [deep]
    if_needs_skipped: run
    prompt: "Report (deep skipped: <%= it.steps.deep.skipped === true %>)."
`;

describe("orch run: when, skipped steps and for_each", () => {
  it("skips a step whose when is false, with the reason, and its dependents unless they run after skipped needs", async () => {
    const directory = writeProject({ "pipeline.yaml": conditional, "policy.yaml": mockPolicy([`{ step: classify, text: '{"kind": "routine"}' }`]) });
    const { code, events } = await run(directory);
    assert.equal(code, 0, JSON.stringify(events));
    assert.deepEqual([stepEnd(events, "deep").status, stepEnd(events, "deep").reason], ["skipped", "when: inputs.mode == 'full' || steps.classify.json.kind == 'risky' is false"]);
    assert.deepEqual([stepEnd(events, "after_deep").status, stepEnd(events, "after_deep").reason], ["skipped", 'needs "deep", which was skipped']);
    assert.equal(stepEnd(events, "report").status, "succeeded");
    assert.deepEqual(callRows(directory).map((call) => call.step), ["classify", "report"]);
    const report = JSON.parse(readFileSync(path.join(directory, "results/latest/report.json"), "utf8"));
    assert.match(report.output, /deep skipped: true/);
  });

  it("runs the step when its condition holds, from an input or an upstream answer", async () => {
    const byInput = writeProject({ "pipeline.yaml": conditional, "policy.yaml": mockPolicy([`{ step: classify, text: '{"kind": "routine"}' }`]) });
    const first = await run(byInput, "--set", "mode=full");
    assert.equal(stepEnd(first.events, "deep").status, "succeeded");
    assert.equal(stepEnd(first.events, "after_deep").status, "succeeded");
    const byAnswer = writeProject({ "pipeline.yaml": conditional, "policy.yaml": mockPolicy([`{ step: classify, text: '{"kind": "risky"}' }`]) });
    assert.equal(stepEnd((await run(byAnswer)).events, "deep").status, "succeeded");
  });

  it("fans a step out over a JSON list, at most `concurrency` items at once, writing one file per item", async () => {
    const directory = writeProject({
      "pipeline.yaml": `version: 1
name: fan
policy: policy.yaml
steps:
  plan:
    prompt: "List modules."
    output: { format: json }
  write:
    needs: [plan]
    for_each: { items: steps.plan.json, concurrency: 2 }
    prompt: "Write module <%= it.item %> (<%= it.index %>)."
    output: { file: "out/<%= it.item %>.txt" }
  index:
    needs: [write]
    prompt: "Index: <%= it.steps.write.outputs.length %> modules; first <%= it.steps.write.items[0].item %>."
`,
      "policy.yaml": mockPolicy([`{ step: plan, text: '["alpha", "beta", "gamma", "delta", "epsilon"]' }`], "").replace("type: mock", "type: mock\n    latency_ms: 60"),
    });
    const { code, events } = await run(directory);
    assert.equal(code, 0, JSON.stringify(events.filter((event) => event.type === "step-end")));
    assert.equal(peakInFlight(events, "write"), 2, "never more than the cap, and the cap is used");
    assert.equal(stepEnd(events, "write").items, 5);
    assert.deepEqual(readdirSync(path.join(directory, "out")).sort(), ["alpha.txt", "beta.txt", "delta.txt", "epsilon.txt", "gamma.txt"]);
    assert.match(readFileSync(path.join(directory, "out/gamma.txt"), "utf8"), /Write module gamma \(2\)/);
    const index = JSON.parse(readFileSync(path.join(directory, "results/latest/index.json"), "utf8"));
    assert.match(index.output, /Index: 5 modules; first alpha/);
    const items = callRows(directory, "step = 'write'").map((call) => call.item_index).sort();
    assert.deepEqual(items, [0, 1, 2, 3, 4]);
  });

  it("ends a step at its timeout_seconds, whatever is left of its chain", async () => {
    const directory = writeProject({
      "pipeline.yaml": `version: 1\nname: slow\npolicy: policy.yaml\nsteps:\n  slow:\n    timeout_seconds: 0.3\n    prompt: "Take your time."\n  next:\n    needs: [slow]\n    prompt: "Then."\n`,
      "policy.yaml": mockPolicy([]).replace("type: mock", "type: mock\n    latency_ms: 3000"),
    });
    const started = Date.now();
    const { code, events } = await run(directory);
    assert.equal(code, 1);
    assert.ok(Date.now() - started < 2500, "the call was cut at the deadline");
    assert.match(stepEnd(events, "slow").reason ?? "", /^timed out after 0.3s/);
    assert.deepEqual(callRows(directory).map((call) => [call.model, call.status]), [["cheap", "failed"]], "dear (next in the chain) was not tried after the deadline");
    assert.equal(stepEnd(events, "next").status, "skipped");
  });

  it("fans out over a list input and over files matching a glob; a failed item fails the step", async () => {
    const directory = writeProject({
      "pipeline.yaml": `version: 1
name: fan-files
policy: policy.yaml
inputs:
  topics: { type: list, default: [a, b] }
steps:
  per_topic:
    for_each: inputs.topics
    prompt: "Topic <%= it.item %>."
  per_file:
    for_each: { glob: "src/**/*.ts", concurrency: 1 }
    prompt: "Review <%= it.file.path %>: <%= it.file.content %>"
`,
      "src/a.ts": "export const a = 1;\n",
      "src/deep/b.ts": "export const b = 2;\n",
      "src/c.js": "ignored\n",
      "policy.yaml": mockPolicy([`{ step: per_file, contains: "const b", error: { kind: bad_request, message: "refused b" } }`]),
    });
    const { code, events } = await run(directory, "--set", "topics=x,y,z");
    assert.equal(code, 1);
    assert.deepEqual([stepEnd(events, "per_topic").status, stepEnd(events, "per_topic").items], ["succeeded", 3]);
    const perFile = stepEnd(events, "per_file");
    assert.equal(perFile.status, "failed");
    assert.match(perFile.reason ?? "", /^item 1: .*refused b/);
    assert.equal(peakInFlight(events, "per_file"), 1);
    const result = JSON.parse(readFileSync(path.join(directory, "results/latest/per_file.json"), "utf8"));
    assert.deepEqual(result.items.map((item: { item: string; status: string }) => [item.item, item.status]), [["src/a.ts", "succeeded"], ["src/deep/b.ts", "failed"]]);
  });
});
