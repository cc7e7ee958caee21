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

describe("orch <command> --help", () => {
  it("describes every flag of every command, from the table the parser reads", async () => {
    const { commands } = await import("../../src/cli/main.js");
    const undescribed: string[] = [];
    for (const [name, entry] of Object.entries(commands)) {
      const command = await entry.load();
      const result = await runCliInProcess([name, "--help"]);
      assert.equal(result.code, 0, name);
      for (const [flag, spec] of Object.entries(command.flags)) {
        if (spec.description.trim().length < 8) undescribed.push(`${name} --${flag}`);
        // The flag's line carries its description, so help and parser read one table.
        const line = result.stdout.split("\n").find((text) => new RegExp(`--${flag}\\b`).test(text) && text.includes(spec.description));
        assert.ok(line, `orch ${name} --help shows --${flag} with its description`);
        if (spec.defaultText !== undefined) assert.ok(line.includes(`(default: ${spec.defaultText})`), `orch ${name} --help shows --${flag}'s default`);
      }
    }
    assert.deepEqual(undescribed, [], "describe these flags");
  });

  it("lists run's flags with meanings and defaults", async () => {
    const result = await runCliInProcess(["run", "--help"]);
    assert.match(result.stdout, /^flags:$/m);
    assert.match(result.stdout, /^ {2}--concurrency N +steps and items run at once \(default: the pipeline's concurrency:, else 4\)$/m);
    assert.match(result.stdout, /^ {2}--set name=value… +give a pipeline input a value/m);
    assert.match(result.stdout, /^ {2}--fail-fast +stop starting new steps after the first failure$/m);
    assert.match(result.stdout, /^ {2}--db FILE\|URL +the store of runs, ledger and cache: a SQLite file or a postgres:\/\/ URL \(default: ORCH_DB, else orch.config.yaml database, else \$ORCH_HOME\/orch.db/m);
  });

  it("accepts exactly the flags its help lists", async () => {
    const refused = await runCliInProcess(["report", "--bogus"]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /Unknown option '--bogus'/);
  });

  it("answers `orch help <command>` like `orch <command> --help`", async () => {
    const viaHelp = await runCliInProcess(["help", "report"]);
    const viaFlag = await runCliInProcess(["report", "--help"]);
    assert.equal(viaHelp.code, 0);
    assert.equal(viaHelp.stdout, viaFlag.stdout);
  });
});

describe("orch help <topic>", () => {
  it("explains the exit codes", async () => {
    const result = await runCliInProcess(["help", "exit-codes"]);
    assert.equal(result.code, 0);
    for (const code of ["0", "1", "2", "3", "130"]) assert.match(result.stdout, new RegExp(`^ {2}${code} +\\S`, "m"), `exit code ${code}`);
  });

  it("explains the configuration: files, precedence, ${VAR:-default}", async () => {
    const result = await runCliInProcess(["help", "config"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /orch\.config\.yaml/);
    assert.match(result.stdout, /policy +--policy > ORCH_POLICY > the pipeline's policy: > orch\.config\.yaml policy/);
    assert.match(result.stdout, /\$\{VAR:-default\}/);
  });

  it("explains what templates read", async () => {
    const result = await runCliInProcess(["help", "templates"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /it\.item\.<column>/);
  });

  it("refuses an unknown topic with a suggestion (exit 2)", async () => {
    const result = await runCliInProcess(["help", "exit-code"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no help on "exit-code"/);
    assert.match(result.stderr, /exit-codes/);
  });
});
