import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { repositoryRoot, runCliInProcess } from "../support/cli.js";

describe("orch help and --version", () => {
  it("lists every command with its summary and the exit codes", async () => {
    const result = await runCliInProcess(["help"]);
    assert.equal(result.code, 0);
    for (const command of ["init", "validate", "plan", "run", "route", "policy", "budget", "cache", "report", "graph", "providers", "fake-server", "watch"]) {
      assert.match(result.stdout, new RegExp(`^  ${command} +\\S`, "m"), command);
    }
    assert.match(result.stdout, /exit codes: 0 success · 1 a step failed · 2 invalid config or usage · 3 stopped by budget or deferred/);
  });

  it("exits 2 with the help when no command is given", async () => {
    const result = await runCliInProcess([]);
    assert.equal(result.code, 2);
    assert.match(result.stdout, /^commands:$/m);
  });

  it("prints a command's usage with --help", async () => {
    const result = await runCliInProcess(["run", "--help"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^validate, then run a pipeline/);
    assert.match(result.stdout, /usage: orch run <pipeline>/);
  });

  it("answers --version from the bin without loading the CLI", () => {
    const { version } = JSON.parse(readFileSync(path.join(repositoryRoot, "package.json"), "utf8")) as { version: string };
    const printed = execFileSync(process.execPath, [path.join(repositoryRoot, "bin/orch.js"), "--version"], { encoding: "utf8" });
    assert.equal(printed, `orch ${version}\n`);
  });
});
