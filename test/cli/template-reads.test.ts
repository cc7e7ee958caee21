/**
 * A template that reads nothing never reaches a model: what can be known before running is a
 * validation error at its file:line:col, the rest fails the step before any call.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { runCliInProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { callRows, jsonEvents, mockPolicy, runPaths } from "../executor/support/run-project.js";

async function validate(pipeline: string) {
  const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": mockPolicy() });
  const result = await runCliInProcess(["validate", path.join(directory, "pipeline.yaml")]);
  return { ...result, file: path.join(directory, "pipeline.yaml") };
}

const header = "version: 1\nname: p\npolicy: policy.yaml\n";

describe("templates that read nothing", () => {
  it("refuses a step read in bracket form that is not upstream", async () => {
    const { code, stderr, file } = await validate(`${header}steps:\n  a: { prompt: "A." }\n  b:\n    prompt: "Use <%= it['steps'].a.output %> here."\n`);
    assert.equal(code, 2, stderr);
    assert.ok(stderr.includes(`${file}:7:22 error steps.b.prompt: template reads step "a", which is not upstream of "b" — add "a" to steps.b.needs`), stderr);
  });

  it("refuses an undeclared input", async () => {
    const { code, stderr, file } = await validate(`${header}inputs:\n  topic: { type: string, default: x }\nsteps:\n  a:\n    prompt: "About <%= it.inputs.nothing %>."\n`);
    assert.equal(code, 2, stderr);
    assert.ok(stderr.includes(`${file}:8:24 error steps.a.prompt: template reads input "nothing", which the pipeline does not declare`), stderr);
  });

  it("refuses a field of a plain string item", async () => {
    const { code, stderr, file } = await validate(
      `${header}inputs:\n  files: { type: list, default: [a.ts] }\nsteps:\n  a:\n    for_each: inputs.files\n    prompt: "Review <%= it.item.path %>."\n`,
    );
    assert.equal(code, 2, stderr);
    assert.ok(stderr.includes(`${file}:9:25 error steps.a.prompt: template reads it.item.path, which reads nothing: each item is a string`), stderr);
  });

  it("refuses a field a step result does not have, and it.item outside for_each", async () => {
    const { code, stderr } = await validate(`${header}steps:\n  a: { prompt: "A." }\n  b:\n    needs: [a]\n    prompt: "<%= it.steps.a.ouput %> <%= it.item %>"\n`);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /template reads it\.steps\.a\.ouput, which a step result does not have .* — did you mean "output"\?/);
    assert.match(stderr, /template reads it\.item, which only a step with for_each has/);
  });

  it("fails the step before any call when a JSON field is missing at run time", async () => {
    const directory = writeProject({
      "pipeline.yaml": `${header}steps:\n  a:\n    prompt: "A."\n    output: { format: json }\n  b:\n    needs: [a]\n    prompt: "Use <%= it.steps.a.json.title %> here."\n`,
      "policy.yaml": mockPolicy([`{ step: a, text: '{"name": "x"}' }`]),
    });
    const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--json"]);
    assert.equal(result.code, 1, result.stdout);
    const end = jsonEvents(result.stdout).find((event) => event.type === "step-end" && event.step === "b");
    assert.equal(end?.type === "step-end" && end.status, "failed");
    assert.match(end?.type === "step-end" ? (end.reason ?? "") : "", /it\.steps\.a\.json\.title is missing/);
    assert.deepEqual(callRows(directory).map((call) => call.step), ["a"], "no call was made for b");
  });
});
