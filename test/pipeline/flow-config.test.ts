/** Bad `when`, `for_each`, output and cache settings are config errors at file:line:col, before anything runs. */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { repositoryRoot, runCliInProcess } from "../support/cli.js";
import { offlinePolicy, writeProject } from "../support/project.js";

async function validate(pipelineText: string, extra: Record<string, string> = {}) {
  const directory = writeProject({ "policy.yaml": offlinePolicy(), "pipeline.yaml": pipelineText, ...extra });
  const file = path.join(directory, "pipeline.yaml");
  const result = await runCliInProcess(["validate", file]);
  return { ...result, lines: result.stderr.split("\n").filter((line) => line.startsWith(file)).map((line) => line.slice(file.length)) };
}

const head = "version: 1\nname: p\npolicy: policy.yaml\ninputs:\n  mode: { type: string, default: quick }\nsteps:\n  plan:\n    prompt: plan\n";

describe("flow and output settings are checked before anything runs", () => {
  it("points at the character of a bad when expression, an unknown input, and a step that is not upstream", async () => {
    const { code, lines } = await validate(`${head}  a:
    needs: [plan]
    when: "inputs.mode = 'full'"
    prompt: a
  b:
    needs: [plan]
    when: "inputs.mdoe == 'full' && steps.a.output"
    prompt: b
  c:
    when: "steps.plna.skipped"
    prompt: c
`);
    assert.equal(code, 2);
    assert.deepEqual(lines, [
      ":11:24 error steps.a.when: invalid expression: unexpected character \"=\" — expressions read inputs.<name> and steps.<step>.output|json|outputs|items|skipped, e.g. inputs.mode == 'full'",
      ':15:12 error steps.b.when: unknown input "mdoe" — did you mean "mode"?',
      ':15:37 error steps.b.when: reads step "a", which is not upstream of "b" — add "a" to steps.b.needs',
      ':18:12 error steps.c.when: unknown step "plna" — did you mean "plan"?',
    ]);
  });

  it("rejects a bad glob, a for_each with neither items nor glob, and a fan-out writing one file", async () => {
    const { code, lines } = await validate(`${head}  a:
    for_each: { glob: ["src/*.ts", "src/[ab.ts"] }
    prompt: a
  b:
    for_each: { concurrency: 2 }
    prompt: b
  c:
    for_each: "steps.plan.json"
    needs: [plan]
    prompt: c
    output: { file: out/c.md }
`);
    assert.equal(code, 2);
    assert.deepEqual(lines, [
      ":10:41 error steps.a.for_each.glob[1]: invalid glob: unclosed [ in the glob",
      ":13:15 error steps.b.for_each: for_each needs exactly one of items (an expression), glob (file patterns) or rows (a CSV, JSONL or JSON file) — for example for_each: { glob: \"src/*.ts\" }, for_each: { items: steps.plan.json } or for_each: { rows: data/tasks.csv }",
      ':19:21 error steps.c.output.file: every item of a for_each step would write the same file — put the item in the path, e.g. "out/<%= it.index %>.md"',
    ]);
  });

  it("rejects an invalid JSON Schema, a missing schema file, a schema on a text output and quoted placeholders", async () => {
    const { code, lines } = await validate(`${head}  a:
    prompt: a
    output: { format: json, schema: { type: objekt } }
  b:
    prompt: b
    output: { format: json, schema: schemas/missing.json }
  c:
    prompt: c
    output: { format: text, schema: { type: object } }
  d:
    prompt: d
    output: { file: out/d.sh, format: code, validate: ["sh -n '{file}'"] }
  e:
    prompt: e
    output: { format: code }
`);
    assert.equal(code, 2);
    assert.equal(lines.length, 5, lines.join("\n"));
    assert.match(lines[0]!, /^:11:37 error steps\.a\.output\.schema: invalid output\.schema: .*type/);
    assert.match(lines[1]!, /^:14:37 error steps\.b\.output\.schema: schema file "schemas\/missing\.json" not found/);
    assert.match(lines[2]!, /^:17:37 error steps\.c\.output\.schema: output\.schema applies to format json only/);
    assert.match(lines[3]!, /^:20:56 error steps\.d\.output\.validate\[0\]: do not quote \{file\} in a shell command/);
    assert.match(lines[4]!, /^:23:23 error steps\.e\.output\.format: format code needs a language/);
  });

  it("accepts the shipped code-generation pipeline", async () => {
    const result = await runCliInProcess(["validate", path.join(repositoryRoot, "pipelines/codegen.yaml")]);
    assert.equal(result.code, 0, result.stderr);
  });
});
