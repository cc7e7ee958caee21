import assert from "node:assert/strict";
import { lstatSync, readFileSync, readlinkSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { stageFile } from "../../src/executor/staging.js";
import { runValidator, validatorArguments } from "../../src/executor/validators.js";
import type { ValidatorCommand } from "../../src/pipeline/model.js";
import { temporaryDirectory } from "../support/cli.js";

const command = (argv: string[] | string, timeoutMs = 10_000): ValidatorCommand =>
  typeof argv === "string" ? { display: argv, shell: true, argv: [argv], timeoutMs } : { display: argv.join(" "), shell: false, argv, timeoutMs };

describe("validator commands", () => {
  const staged = { root: "/tmp/stage root", file: "/tmp/stage root/out/it's \"odd\" $(rm -rf x).mjs" };

  it("puts placeholders of a list inside their own argument, with no shell", () => {
    assert.deepEqual(validatorArguments(command(["node", "--check", "{file}", "--dir={dir}", "{name}"]), staged), {
      program: "node",
      args: ["--check", staged.file, `--dir=${staged.root}`, `it's "odd" $(rm -rf x).mjs`],
      env: { ORCH_FILE: staged.file, ORCH_DIR: staged.root, ORCH_NAME: `it's "odd" $(rm -rf x).mjs` },
    });
  });

  it("turns placeholders of a string into quoted variables for sh -c", () => {
    const { program, args } = validatorArguments(command("node --check {file} && ls {dir}"), staged);
    assert.deepEqual([program, args], ["sh", ["-c", 'node --check "$ORCH_FILE" && ls "$ORCH_DIR"']]);
  });

  it("runs both forms against a staged file whose name would break a shell, and reports the exit and output", async () => {
    const project = temporaryDirectory();
    const bad = await stageFile(project, path.join(project, ".orch/staging"), "out/it's \"odd\" $(touch pwned).mjs", "export const x = ;\n");
    const env = { PATH: process.env.PATH };
    for (const validator of [command([process.execPath, "--check", "{file}"]), command(`"${process.execPath}" --check {file}`)]) {
      const result = await runValidator(validator, bad, env, new AbortController().signal);
      assert.equal(result.ok, false);
      assert.match(result.summary, /: exit 1$/);
      assert.match(result.output, /SyntaxError/);
    }
    assert.ok(!existsSync(path.join(bad.root, "out/pwned")) && !existsSync(path.join(project, "pwned")), "the file name was never run");
    const good = await stageFile(project, path.join(project, ".orch/staging"), "ok.mjs", "export const x = 1;\n");
    assert.equal((await runValidator(command(`"${process.execPath}" --check {file}`), good, env, new AbortController().signal)).ok, true);
    const missing = await runValidator(command(["no-such-program-orch", "{file}"]), good, env, new AbortController().signal);
    assert.match(missing.summary, /command not found: no-such-program-orch/);
  });

  it("kills the whole process group on timeout and on abort", async () => {
    const project = temporaryDirectory();
    const staged = await stageFile(project, path.join(project, ".orch/staging"), "a.txt", "x\n");
    const started = Date.now();
    const timedOut = await runValidator(command("sleep 30 & sleep 30; wait", 200), staged, { PATH: process.env.PATH }, new AbortController().signal);
    assert.match(timedOut.summary, /timed out after 200ms/);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const aborted = await runValidator(command(["sleep", "30"]), staged, { PATH: process.env.PATH }, controller.signal);
    assert.match(aborted.summary, /stopped \(the run was interrupted or the step ran out of time\)/);
    assert.ok(Date.now() - started < 5000);
  });
});

describe("staging", () => {
  it("mirrors the project around the staged file: real folders on its path, links for everything else", async () => {
    const project = temporaryDirectory();
    for (const [file, content] of [["package.json", "{}"], ["src/util.mjs", "export const u = 1;\n"], ["src/app.mjs", "old\n"], ["test/x.test.mjs", ""]] as const) {
      mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
      writeFileSync(path.join(project, file), content);
    }
    mkdirSync(path.join(project, ".orch/results"), { recursive: true });
    const staged = await stageFile(project, path.join(project, ".orch/staging/run"), "src/app.mjs", "import { u } from './util.mjs';\nexport const app = u;\n");
    assert.equal(readFileSync(staged.file, "utf8"), "import { u } from './util.mjs';\nexport const app = u;\n");
    assert.equal(readFileSync(path.join(project, "src/app.mjs"), "utf8"), "old\n", "the destination is not touched");
    assert.ok(lstatSync(path.join(staged.root, "src")).isDirectory() && !lstatSync(path.join(staged.root, "src")).isSymbolicLink());
    assert.equal(readlinkSync(path.join(staged.root, "src/util.mjs")), path.join(project, "src/util.mjs"));
    assert.equal(readlinkSync(path.join(staged.root, "test")), path.join(project, "test"));
    assert.ok(!existsSync(path.join(staged.root, ".orch")), ".orch is not mirrored into itself");
    const imported = await import(staged.file);
    assert.equal(imported.app, 1, "the staged module imports its real neighbour");
    await staged.remove();
    assert.ok(!existsSync(staged.root));
  });
});
