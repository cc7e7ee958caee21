import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runCliInProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { callRows, jsonEvents, mockPolicy, runPaths } from "../executor/support/run-project.js";

const broken = "Here you go:\n```js\nexport const add = (a, b) => a +;\n```";
const good = "```js\nexport const add = (a, b) => a + b;\n```\nThat adds.";
const say = (model: string, text: string, extra = "") => `{ step: gen, model: ${model}${extra}, text: ${JSON.stringify(text)} }`;

function codeStep(settings: string, validate = `["node --check {file}"]`): string {
  return `version: 1
name: gates
policy: policy.yaml
steps:
  gen:
    quality: economy
    prompt: "Write add(a, b) in JavaScript."
${settings}
    output: { file: "out/add file.mjs", format: code, language: javascript, validate: ${validate} }
`;
}

async function run(directory: string, ...extra: string[]) {
  return runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--json", ...extra]);
}

describe("orch run: output gates", () => {
  it("never lets an answer that fails its validator reach the destination, with a string or a list command", async () => {
    for (const validate of [`["node --check {file}"]`, `[[node, --check, "{file}"]]`]) {
      const directory = writeProject({ "pipeline.yaml": codeStep("", validate), "policy.yaml": mockPolicy([say("cheap", broken)]) });
      mkdirSync(path.join(directory, "out"));
      writeFileSync(path.join(directory, "out/add file.mjs"), "// the previous version\n");
      const result = await run(directory);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.equal(readFileSync(path.join(directory, "out/add file.mjs"), "utf8"), "// the previous version\n", "the destination is untouched");
      assert.deepEqual(readdirSync(path.join(directory, "out")), ["add file.mjs"], "no temporary file is left beside it");
      assert.ok(!existsSync(path.join(directory, ".orch/staging")) || readdirSync(path.join(directory, ".orch/staging")).length === 0, "staging is cleaned up");
      const [call] = callRows(directory);
      assert.match(call!.rejection_reason ?? "", /^validate node --check .*: exit 1$/);
      const rejected = jsonEvents(result.stdout).find((event) => event.type === "answer-rejected");
      assert.ok(rejected && rejected.type === "answer-rejected" && rejected.model === "cheap");
      assert.match(result.stderr, /resume with: orch run .* --resume \d{8}-\d{6}-[0-9a-f]{6}/);
    }
  });

  it("writes the extracted code once every validator passes", async () => {
    const directory = writeProject({ "pipeline.yaml": codeStep(""), "policy.yaml": mockPolicy([say("cheap", good)]) });
    const result = await run(directory);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(readFileSync(path.join(directory, "out/add file.mjs"), "utf8"), "export const add = (a, b) => a + b;\n");
  });

  it("escalates through the policy's escalate chain, records every attempt and stops at the first passing answer", async () => {
    const directory = writeProject({
      "pipeline.yaml": codeStep(""),
      "policy.yaml": mockPolicy([say("cheap", broken), say("mid", good), say("dear", good)], "escalate: [mid, dear]\n"),
    });
    const result = await run(directory);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const calls = callRows(directory);
    assert.deepEqual(calls.map((call) => [call.attempt, call.model, call.status, call.rejection_reason !== null]), [
      [1, "cheap", "succeeded", true],
      [2, "mid", "succeeded", false],
    ]);
    assert.ok(calls.every((call) => call.cost_usd > 0), "each attempt is recorded with its cost");
    const stepEnd = jsonEvents(result.stdout).find((event) => event.type === "step-end");
    assert.ok(stepEnd?.type === "step-end" && stepEnd.model === "mid" && stepEnd.attempts === 2);
    const stepJson = JSON.parse(readFileSync(path.join(directory, "results/latest/gen.json"), "utf8"));
    assert.equal(stepJson.acceptedFrom, "offline:mid");
    assert.match(stepJson.attempts[0].rejected, /node --check/);
    assert.equal(stepJson.costUsd, calls.reduce((sum, call) => sum + call.cost_usd, 0));
  });

  it("with repair, gives the next attempt the rejected answer and the validator's output", async () => {
    const fixedOnlyWithRepair = [say("cheap", broken), say("mid", good, `, contains: "That answer was rejected"`), say("mid", broken), say("dear", good)];
    const withRepair = writeProject({ "pipeline.yaml": codeStep("    repair: true"), "policy.yaml": mockPolicy(fixedOnlyWithRepair, "escalate: [mid, dear]\n") });
    const repaired = await run(withRepair);
    assert.equal(repaired.code, 0, repaired.stdout);
    assert.deepEqual(callRows(withRepair).map((call) => call.model), ["cheap", "mid"]);

    const without = writeProject({ "pipeline.yaml": codeStep(""), "policy.yaml": mockPolicy(fixedOnlyWithRepair, "escalate: [mid, dear]\n") });
    const escalated = await run(without);
    assert.equal(escalated.code, 0, escalated.stdout);
    assert.deepEqual(callRows(without).map((call) => call.model), ["cheap", "mid", "dear"]);
  });

  it("retries the same model, then stops at max_attempts", async () => {
    const answers = [say("cheap", good, `, contains: "That answer was rejected"`), say("cheap", broken), say("mid", broken), say("dear", good)];
    const retried = writeProject({ "pipeline.yaml": codeStep("    retries: 1\n    repair: true"), "policy.yaml": mockPolicy(answers, "escalate: [mid, dear]\n") });
    assert.equal((await run(retried)).code, 0);
    assert.deepEqual(callRows(retried).map((call) => [call.attempt, call.model]), [[1, "cheap"], [2, "cheap"]]);

    const capped = writeProject({ "pipeline.yaml": codeStep("    max_attempts: 2"), "policy.yaml": mockPolicy(answers, "escalate: [mid, dear]\n") });
    const result = await run(capped);
    assert.equal(result.code, 1);
    assert.deepEqual(callRows(capped).map((call) => call.model), ["cheap", "mid"]);
    const stepEnd = jsonEvents(result.stdout).find((event) => event.type === "step-end");
    assert.match(stepEnd?.type === "step-end" ? (stepEnd.reason ?? "") : "", /max_attempts \(2\) reached/);
  });

  it("passes over a model whose worst case does not fit what is left of max_cost_usd", async () => {
    // cheap's worst case is about $0.002 (1,024 tokens at $2/M), dear's about $0.03.
    const directory = writeProject({
      "pipeline.yaml": codeStep("    max_cost_usd: 0.01"),
      "policy.yaml": mockPolicy([say("cheap", broken), say("dear", good)], "escalate: [dear]\n"),
    });
    const result = await run(directory);
    assert.equal(result.code, 1, result.stdout);
    assert.deepEqual(callRows(directory).map((call) => call.model), ["cheap"]);
  });

  it("checks json answers against output.schema and escalates past a mismatch", async () => {
    const directory = writeProject({
      "pipeline.yaml": `version: 1
name: schema
policy: policy.yaml
steps:
  gen:
    quality: standard
    prompt: "Give a title."
    output:
      file: out/title.json
      format: json
      schema: { type: object, required: [title], properties: { title: { type: string } }, additionalProperties: false }
`,
      "policy.yaml": mockPolicy([say("cheap", '{"title": 3}'), say("dear", '```json\n{"title": "Orch"}\n```')]),
    });
    const result = await run(directory);
    assert.equal(result.code, 0, result.stdout);
    assert.match(callRows(directory)[0]!.rejection_reason ?? "", /does not match output.schema: \/title must be string/);
    assert.deepEqual(JSON.parse(readFileSync(path.join(directory, "out/title.json"), "utf8")), { title: "Orch" });
  });

  it("kills a validator that runs past its timeout and rejects the answer", async () => {
    const directory = writeProject({
      "pipeline.yaml": codeStep("", `[{ run: [node, -e, "setTimeout(() => {}, 60000)"], timeout_seconds: 0.3, name: hang }]`),
      "policy.yaml": mockPolicy([say("cheap", good)]),
    });
    const started = Date.now();
    const result = await run(directory);
    assert.equal(result.code, 1);
    assert.ok(Date.now() - started < 20_000);
    assert.equal(callRows(directory)[0]!.rejection_reason, "validate hang: timed out after 300ms");
    assert.ok(!existsSync(path.join(directory, "out/add file.mjs")));
  });
});
