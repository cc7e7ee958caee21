import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { repositoryRoot, runCliInProcess, runCliProcess } from "../support/cli.js";
import { offlinePolicy, writeProject } from "../support/project.js";

async function validateProject(files: Record<string, string>) {
  const directory = writeProject({ "policy.yaml": offlinePolicy(), ...files });
  const result = await runCliInProcess(["validate", path.join(directory, "pipeline.yaml")]);
  return { ...result, directory, file: path.join(directory, "pipeline.yaml") };
}

describe("orch validate", () => {
  it("accepts the quickstart and every shipped pipeline and policy", async () => {
    const files = [
      "examples/quickstart/pipeline.yaml",
      "pipelines/release-notes.yaml",
      "examples/real-providers/policy.yaml",
      "pipelines/codegen.yaml",
      ...readdirSync(path.join(repositoryRoot, "routing-policies"))
        .filter((name) => !name.endsWith(".test.yaml"))
        .map((name) => `routing-policies/${name}`),
    ].map((file) => path.join(repositoryRoot, file));
    const result = await runCliInProcess(["validate", ...files]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim().split("\n").length, files.length);
  });

  it("reports unknown needs with did-you-mean at the exact position", async () => {
    const { code, stderr, file } = await validateProject({
      "pipeline.yaml": `version: 1\nname: p\npolicy: policy.yaml\nsteps:\n  collect:\n    prompt: hi\n  draft:\n    needs: [colect]\n    prompt: x\n`,
    });
    assert.equal(code, 2);
    assert.ok(stderr.includes(`${file}:8:13 error steps.draft.needs[0]: unknown step "colect" — did you mean "collect"?`), stderr);
    assert.match(stderr, /1 error; nothing was run\./);
  });

  it("prints a cycle", async () => {
    const { code, stderr } = await validateProject({
      "pipeline.yaml": `version: 1\nname: p\npolicy: policy.yaml\nsteps:\n  a:\n    needs: [b]\n    prompt: x\n  b:\n    needs: [a]\n    prompt: y\n`,
    });
    assert.equal(code, 2);
    assert.match(stderr, /dependency cycle: (a → b → a|b → a → b)/);
  });

  it("points at a template that reads a step that is not upstream, inside a block scalar", async () => {
    const { code, stderr, file } = await validateProject({
      "pipeline.yaml": `version: 1\nname: p\npolicy: policy.yaml\nsteps:\n  collect:\n    prompt: hi\n  draft:\n    prompt: |\n      Line one\n      uses <%= it.steps.collect.output %>\n`,
    });
    assert.equal(code, 2);
    assert.ok(
      stderr.includes(`${file}:10:16 error steps.draft.prompt: template reads step "collect", which is not upstream of "draft" — add "collect" to steps.draft.needs`),
      stderr,
    );
  });

  it("reports a template syntax error in a prompt file at that file's line", async () => {
    const { code, stderr, directory } = await validateProject({
      "pipeline.yaml": `version: 1\nname: p\npolicy: policy.yaml\nsteps:\n  a:\n    prompt: { file: prompts/a.eta }\n`,
      "prompts/a.eta": "fine\nbroken <%= it.inputs.x\n",
    });
    assert.equal(code, 2);
    assert.ok(stderr.includes(`${path.relative(process.cwd(), path.join(directory, "prompts/a.eta"))}:2:8 error steps.a.prompt: template error: unclosed tag`), stderr);
  });

  it("reports a missing prompt file, an unknown model alias and an unknown key together", async () => {
    const { code, stderr } = await validateProject({
      "pipeline.yaml": `version: 1\nname: p\npolicy: policy.yaml\nsteps:\n  a:\n    model: chepa\n    prompt: { file: nope.eta }\n  b:\n    need: [a]\n    prompt: x\n`,
    });
    assert.equal(code, 2);
    assert.match(stderr, /prompt file "nope\.eta" not found/);
    assert.match(stderr, /unknown model alias "chepa".*did you mean "cheap"\?/);
    assert.match(stderr, /unknown key "need".*did you mean "needs"\?/);
    assert.match(stderr, /3 errors; nothing was run\./);
  });

  it("checks the rest of a pipeline that fails its schema against its own inputs and items, inventing no error", async () => {
    const { code, stderr } = await validateProject({
      "pipeline.yaml": `version: 1
name: p
policy: policy.yaml
inputs:
  topic: { type: string, default: tea }
  files: { type: list, default: [a, b] }
steps:
  a:
    qualty: premium
    prompt: "About <%= it.inputs.topic %>."
  b:
    for_each: inputs.files
    prompt: "Read <%= it.item %> (<%= it.index %>), and <%= it.inputs.nothing %>."
`,
    });
    assert.equal(code, 2);
    assert.match(stderr, /unknown key "qualty".*did you mean "quality"\?/);
    assert.match(stderr, /template reads input "nothing", which the pipeline does not declare/);
    assert.doesNotMatch(stderr, /input "topic"|it\.item|it\.index/);
    assert.match(stderr, /2 errors; nothing was run\./);
  });

  it("rejects an output file outside the project", async () => {
    const { code, stderr } = await validateProject({
      "pipeline.yaml": `version: 1\nname: p\npolicy: policy.yaml\nsteps:\n  a:\n    prompt: x\n    output: { file: ../../escape.md }\n`,
    });
    assert.equal(code, 2);
    assert.match(stderr, /output file "\.\.\/\.\.\/escape\.md" is outside the project directory/);
  });

  it("reports YAML syntax errors and duplicate keys", async () => {
    const { code, stderr } = await validateProject({
      "pipeline.yaml": `version: 1\nname: p\nname: q\npolicy: policy.yaml\nsteps:\n  a:\n    prompt: [unclosed\n`,
    });
    assert.equal(code, 2);
    assert.match(stderr, /:3:1 error/);
    assert.match(stderr, /name/);
  });

  it("exits 2 without a stack trace and writes nothing, as a process", async () => {
    const directory = writeProject({
      "policy.yaml": offlinePolicy(),
      "pipeline.yaml": `version: 1\nname: p\npolicy: policy.yaml\nsteps:\n  a:\n    prompt: x\n    needs: [zzz]\n`,
    });
    const result = await runCliProcess(["run", "pipeline.yaml", "--db", "state/orch.db"], { cwd: directory, env: { ORCH_HOME: path.join(directory, "home") } });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^pipeline\.yaml:7:13 error steps\.a\.needs\[0\]: unknown step "zzz"$/m);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
    assert.equal(existsSync(path.join(directory, "state")), false, "no database was created");
    assert.equal(existsSync(path.join(directory, ".orch")), false, "no results folder was created");
    assert.equal(existsSync(path.join(directory, "home")), false);
  });

  it("answers unknown commands and flags with exit 2 and a hint", async () => {
    const command = await runCliInProcess(["rnu"]);
    assert.equal(command.code, 2);
    assert.match(command.stderr, /unknown command "rnu"\nhint: did you mean "run"\?/);
    const flag = await runCliInProcess(["run", "x.yaml", "--bogus"]);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /Unknown option '--bogus'/);
    assert.match(flag.stderr, /hint: usage: orch run/);
  });

  it("points a policy cases file to orch policy test", async () => {
    const result = await runCliInProcess(["validate", path.join(repositoryRoot, "routing-policies/offline.test.yaml")]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /a list looks like policy cases: check them with `orch policy test <policy> .*offline\.test\.yaml`/);
  });
});
