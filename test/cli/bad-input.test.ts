/**
 * Bad input is refused before anything is paid: each case below was once accepted (and run). Every
 * refusal exits 2 with file:line:column, and no call is made.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runCliInProcess, runCliProcess, temporaryDirectory } from "../support/cli.js";
import { offlinePolicy, writeProject } from "../support/project.js";
import { callRows, runPaths } from "../executor/support/run-project.js";

const pipeline = (steps: string, head = "") => `version: 1\nname: p\npolicy: policy.yaml\n${head}steps:\n${steps}`;

async function validate(directory: string, file = "pipeline.yaml") {
  return runCliInProcess(["validate", path.join(directory, file)]);
}

/** `orch run` is refused as well, and nothing was called: no database row, not even a database. */
async function assertRunRefused(directory: string, file = "pipeline.yaml") {
  const run = await runCliInProcess(["run", path.join(directory, file), ...runPaths(directory)]);
  assert.equal(run.code, 2, run.stdout + run.stderr);
  assert.ok(!existsSync(path.join(directory, "state/orch.db")) || callRows(directory).length === 0, "no call was made");
}

describe("bad input is refused before anything is paid", () => {
  it("refuses an output path that leaves the project through a symbolic link, to a folder or dangling", async () => {
    const outside = temporaryDirectory("orch-outside-");
    const directory = writeProject({
      "policy.yaml": offlinePolicy(),
      "pipeline.yaml": pipeline(`  a:\n    prompt: "A."\n    output: { file: linked/a.md }\n  b:\n    prompt: "B."\n    output: { file: dangling.md }\n  c:\n    prompt: "C."\n    output: { file: inside/c.md }\n`),
    });
    symlinkSync(outside, path.join(directory, "linked"));
    symlinkSync(path.join(outside, "not-yet", "b.md"), path.join(directory, "dangling.md"));
    // A link that stays inside the project is fine.
    mkdirSync(path.join(directory, "real"));
    symlinkSync(path.join(directory, "real"), path.join(directory, "inside"));

    const result = await validate(directory);
    assert.equal(result.code, 2, result.stdout);
    const file = path.join(directory, "pipeline.yaml");
    assert.match(result.stderr, new RegExp(`${escape(file)}:7:21 error steps\\.a\\.output\\.file: output file "linked/a\\.md" leads outside the project`));
    assert.match(result.stderr, new RegExp(`${escape(file)}:10:21 error steps\\.b\\.output\\.file: output file "dangling\\.md" leads outside the project`));
    assert.doesNotMatch(result.stderr, /steps\.c/);
    assert.match(result.stderr, /2 errors; nothing was run/);
    await assertRunRefused(directory);
    assert.ok(!existsSync(path.join(outside, "a.md")) && !existsSync(path.join(outside, "not-yet")));
  });

  it("refuses an input default that does not fit its type", async () => {
    const directory = writeProject({
      "policy.yaml": offlinePolicy(),
      "pipeline.yaml": pipeline(`  a:\n    prompt: "Count <%= it.inputs.n %> and <%= it.inputs.on %>."\n`, `inputs:\n  n: { type: number, default: "abc" }\n  on: { type: boolean, default: 1 }\n  fine: { type: list, default: [a, b] }\n`),
    });
    const result = await validate(directory);
    assert.equal(result.code, 2, result.stdout);
    const file = path.join(directory, "pipeline.yaml");
    assert.ok(result.stderr.includes(`${file}:5:31 error inputs.n.default: the default "abc" is not a number, the input's type`), result.stderr);
    assert.ok(result.stderr.includes(`${file}:6:33 error inputs.on.default: the default 1 is not a boolean, the input's type`), result.stderr);
    assert.doesNotMatch(result.stderr, /inputs\.fine/);
    await assertRunRefused(directory);
  });

  it("refuses a NUL byte and bytes that are not UTF-8, at their line and column", async () => {
    const directory = writeProject({ "policy.yaml": offlinePolicy() });
    writeFileSync(path.join(directory, "nul.yaml"), pipeline(`  a:\n    prompt: "A\u0000B"\n`));
    writeFileSync(path.join(directory, "latin1.yaml"), Buffer.concat([Buffer.from(pipeline(`  a:\n    prompt: "caf`)), Buffer.from([0xe9]), Buffer.from(`"\n`)]));
    const nul = await validate(directory, "nul.yaml");
    assert.equal(nul.code, 2);
    assert.ok(nul.stderr.includes(`${path.join(directory, "nul.yaml")}:6:15 error the file holds a NUL byte`), nul.stderr);
    const latin1 = await validate(directory, "latin1.yaml");
    assert.equal(latin1.code, 2);
    assert.ok(latin1.stderr.includes(`${path.join(directory, "latin1.yaml")}:6:17 error the file is not UTF-8 text`), latin1.stderr);
    await assertRunRefused(directory, "nul.yaml");
    await assertRunRefused(directory, "latin1.yaml");
  });

  it("caps --concurrency as the schema caps concurrency:, and takes only whole numbers", async () => {
    const directory = writeProject({ "policy.yaml": offlinePolicy(), "pipeline.yaml": pipeline(`  a: { prompt: "A." }\n`) });
    for (const value of ["1e9", "65", "2.0", "0x10"]) {
      const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--concurrency", value]);
      assert.equal(result.code, 2, `--concurrency ${value}: ${result.stdout}`);
      assert.ok(result.stderr.includes(`--concurrency expects a whole number from 1 to 64, got "${value}"`), result.stderr);
    }
    assert.equal((await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--concurrency", "64"])).code, 0);
  });

  it("reports a missing policy file at the pipeline's policy: value", async () => {
    const directory = writeProject({ "pipeline.yaml": `version: 1\nname: p\npolicy: ./no-such-policy.yaml\nsteps:\n  a: { prompt: "A." }\n` });
    const result = await validate(directory);
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`^${escape(path.join(directory, "pipeline.yaml"))}:3:9 error policy: policy "\\./no-such-policy\\.yaml" \\(.*no-such-policy\\.yaml\\): file not found`, "m"));
    assert.doesNotMatch(result.stderr, /no-such-policy\.yaml:1:1/);
  });

  it("warns about each .env line it cannot read, with file:line, and goes on", async () => {
    const directory = writeProject({ "policy.yaml": offlinePolicy(), "pipeline.yaml": pipeline(`  a: { prompt: "A." }\n`) });
    writeFileSync(path.join(directory, ".env"), `# keys\nGOOD=1\nthis is not an assignment sk-not-shown\nexport ALSO_GOOD="two\nlines"\n\n=nothing\n`);
    const result = await runCliProcess(["run", "pipeline.yaml", ...runPaths(directory)], { cwd: directory });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stderr.split("\n").filter((line) => line.includes("warning")), [
      ".env:3:1 warning: line 3 is ignored: expected NAME=value, a comment (#) or an empty line",
      ".env:7:1 warning: line 7 is ignored: expected NAME=value, a comment (#) or an empty line",
    ]);
    assert.doesNotMatch(result.stderr + result.stdout, /sk-not-shown/, "the line itself is not shown: it may hold a secret");
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
