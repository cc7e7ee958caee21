/**
 * The published package, end to end: packed with `npm pack`, installed into a project of its own,
 * imported as `orch` and its bin run — offline, with the mock provider. Slow (the pack builds
 * dist/), so everything that needs the tarball shares one pack.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { before, describe, it } from "node:test";
import { temporaryDirectory } from "../support/cli.js";
import { installIntoNewProject, packRepository, type PackedPackage } from "../support/packed.js";

const policy = `# yaml-language-server: $schema=../node_modules/orch/schemas/routing-policy.schema.json
version: 1
providers:
  offline: { type: mock }
models:
  cheap: { model: "offline:cheap", prices: { input: 1, output: 2 } }
tiers:
  economy: [cheap]
  standard: [cheap]
  premium: [cheap]
budget:
  daily_usd: 5
`;

const pipeline = `# yaml-language-server: $schema=../node_modules/orch/schemas/pipeline.schema.json
version: 1
name: api-check
policy: ../policies/offline.yaml
inputs:
  topic: { type: string, default: "tea" }
steps:
  outline:
    task: writing
    prompt: "Outline a note about <%= it.inputs.topic %>."
  note:
    needs: [outline]
    task: writing
    prompt: "Write the note from: <%= it.steps.outline.output %>"
`;

/** What a user's program does with the API; prints one JSON line the test reads. */
const program = `
import { ConfigError, budgetStatus, buildReport, exitCodes, ledgerSettingsOf, loadWorkspace, openStore,
  planPipelineFile, readReportData, reportWindow, runPipelineFile } from "orch";

const env = { ...process.env };
const plan = await planPipelineFile("pipelines/note.yaml", { env });
const events = [];
const outcome = await runPipelineFile("pipelines/note.yaml", { env, inputs: { topic: "coffee" }, onEvent: (event) => events.push(event.type) });

let invalid;
try {
  await loadWorkspace("pipelines/broken.yaml", { env });
} catch (error) {
  invalid = error instanceof ConfigError ? error.diagnostics.map((d) => d.file + ":" + d.line + ":" + d.column) : String(error);
}

const workspace = await loadWorkspace("pipelines/note.yaml", { env });
const settings = ledgerSettingsOf(workspace.policy.policy.budget);
const store = await openStore(process.env.ORCH_HOME + "/orch.db");
const now = new Date();
const budget = await budgetStatus(store.ledger, settings.limits, settings.timeZone, now);
const window = reportWindow({ since: "1d" }, now);
const report = buildReport(await readReportData(store.reports, window, undefined), { window, groupBy: "model", now });
await store.close();

console.log(JSON.stringify({
  planned: plan.order.map((step) => step.step + "->" + step.decision.candidates[0]?.model),
  status: outcome.status, exitCode: outcome.exitCode, success: exitCodes.success,
  events: [...new Set(events)], spentUsd: outcome.totals.costUsd, invalid,
  daySpentUsd: budget.scopes.find((scope) => scope.scope === "day")?.spentUsd,
  daySyntheticUsd: budget.scopes.find((scope) => scope.scope === "day")?.syntheticUsd,
  reportCalls: report.totals.callsMade,
}));
`;

describe("the packed package", { timeout: 300_000 }, () => {
  let packed: PackedPackage;
  let project: string;
  let orchHome: string;
  before(() => {
    packed = packRepository();
    project = installIntoNewProject(packed.tarball);
    orchHome = temporaryDirectory("orch-home-");
    mkdirSync(path.join(project, "policies"));
    mkdirSync(path.join(project, "pipelines"));
    writeFileSync(path.join(project, "policies/offline.yaml"), policy);
    writeFileSync(path.join(project, "pipelines/note.yaml"), pipeline);
    writeFileSync(path.join(project, "pipelines/broken.yaml"), pipeline.replace("task: writing\n    prompt: \"Outline", "task: writing\n    qualty: premium\n    prompt: \"Outline"));
    writeFileSync(path.join(project, "program.mjs"), program);
  });

  it("holds what users need and nothing generated, tested or uncompiled", () => {
    for (const needed of ["package.json", "bin/orch.js", "dist/index.js", "dist/index.d.ts", "dist/cli/main.js", "schemas/pipeline.schema.json", "schemas/routing-policy.schema.json", "README.md"]) {
      assert.ok(packed.files.includes(needed), `${needed} is missing from the tarball`);
    }
    const unwanted = packed.files.filter((file) => /^(examples|test|src|scripts|out)\//.test(file) || /\/out\//.test(file) || file.endsWith(".map") || file.endsWith(".ts") && !file.endsWith(".d.ts"));
    assert.deepEqual(unwanted, []);
  });

  it("declares its types, and the declarations name the documented API", () => {
    const declarations = readFileSync(path.join(project, "node_modules/orch/dist/index.d.ts"), "utf8");
    for (const name of ["runPipelineFile", "planPipelineFile", "loadWorkspace", "decide", "budgetStatus", "buildReport", "RunEvent"]) {
      assert.match(declarations, new RegExp(`\\b${name}\\b`), name);
    }
  });

  it("is imported as `orch` and runs a pipeline offline through the API", () => {
    const result = spawnSync(process.execPath, ["program.mjs"], { cwd: project, encoding: "utf8", env: { PATH: process.env.PATH, HOME: orchHome, ORCH_HOME: orchHome } });
    assert.equal(result.status, 0, result.stderr);
    const printed = JSON.parse(result.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
    assert.deepEqual(printed.planned, ["outline->cheap", "note->cheap"]);
    assert.equal(printed.status, "succeeded");
    assert.equal(printed.exitCode, 0);
    assert.equal(printed.success, 0);
    for (const type of ["run-start", "step-start", "attempt-end", "step-end", "run-end"]) assert.ok((printed.events as string[]).includes(type), `event ${type}`);
    assert.ok((printed.spentUsd as number) > 0, "the mock's prices are counted");
    assert.deepEqual(printed.invalid, ["pipelines/broken.yaml:10:5"]);
    // The ledger counts nano-dollars; the run's total is a sum of floats.
    // Mock money is synthetic: the day's real spend stays 0 and the run's cost shows apart, to the nano-dollar.
    assert.equal(printed.daySpentUsd, 0);
    assert.equal(Math.round((printed.daySyntheticUsd as number) * 1e9), Math.round((printed.spentUsd as number) * 1e9));
    assert.equal(printed.reportCalls, 2);
  });

  it("runs its bin through npx in the user's project", () => {
    const env = { PATH: process.env.PATH, HOME: orchHome, ORCH_HOME: orchHome, CI: "true", npm_config_offline: "true", npm_config_update_notifier: "false" };
    const version = spawnSync("npx", ["--no-install", "orch", "--version"], { cwd: project, encoding: "utf8", env });
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /^orch \d+\.\d+\.\d+/);
    const run = spawnSync("npx", ["--no-install", "orch", "run", "pipelines/note.yaml"], { cwd: project, encoding: "utf8", env });
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const invalid = spawnSync("npx", ["--no-install", "orch", "validate", "pipelines/broken.yaml"], { cwd: project, encoding: "utf8", env });
    assert.equal(invalid.status, 2);
    assert.match(invalid.stderr, /pipelines\/broken\.yaml:10:5/);
  });

  it("from a new project: `npx orch init`, then the two printed commands, offline, pass", () => {
    const fresh = installIntoNewProject(packed.tarball);
    const env = { PATH: process.env.PATH, HOME: orchHome, ORCH_HOME: temporaryDirectory("orch-home-"), CI: "true", npm_config_offline: "true", npm_config_update_notifier: "false" };
    const init = spawnSync("npx", ["--no-install", "orch", "init"], { cwd: fresh, encoding: "utf8", env });
    assert.equal(init.status, 0, init.stderr);
    assert.doesNotMatch(init.stdout, /npm install --save-dev orch/, "orch is installed: no install hint");
    for (const file of ["pipelines/summarise.yaml", "routing-policies/default.yaml", "orch.config.yaml"]) {
      const schema = /\$schema=(.+)$/m.exec(readFileSync(path.join(fresh, file), "utf8"))![1]!;
      assert.ok(existsSync(path.resolve(path.dirname(path.join(fresh, file)), schema)), `${file}: ${schema} does not resolve`);
    }
    const commands = init.stdout.split("\n").filter((line) => line.startsWith("  npx orch "));
    assert.equal(commands.length, 2, init.stdout);
    for (const command of commands) {
      const [program, ...args] = command.trim().split(/\s+/);
      const result = spawnSync(program!, args, { cwd: fresh, encoding: "utf8", env });
      assert.equal(result.status, 0, `${command}: ${result.stderr}${result.stdout}`);
    }
  });
});
