/** Commands take their defaults from orch.config.yaml, ORCH_POLICY and the project's .env, flags winning. */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runCliProcess, temporaryDirectory } from "../support/cli.js";
import { offlinePolicy, writeProject } from "../support/project.js";

/** Two policies told apart by their only model's name; `${MODEL}` tests expansion from .env. */
const policyWith = (model: string) => `version: 1
providers:
  offline: { type: mock }
models:
  ${model}: { model: "offline:\${MODEL:-${model}}", prices: { input: 1, output: 2 } }
tiers:
  economy: [${model}]
  standard: [${model}]
  premium: [${model}]
`;

const pipelineWithoutPolicy = `version: 1
name: settings-check
steps:
  one: { task: writing, prompt: "Say hi." }
`;

function settingsProject(extra: Record<string, string> = {}): { root: string; nested: string } {
  const root = writeProject({
    "orch.config.yaml": "version: 1\npolicy: policies/team.yaml\ndatabase: data/orch.db\nresults: build/results\n",
    "policies/team.yaml": policyWith("team"),
    "policies/ci.yaml": policyWith("ci"),
    "pipelines/plain.yaml": pipelineWithoutPolicy,
    "pipelines/own.yaml": `${pipelineWithoutPolicy}policy: ../policies/ci.yaml\n`,
    ...extra,
  });
  const nested = path.join(root, "pipelines");
  return { root, nested };
}

async function routedModel(cwd: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await runCliProcess(["route", "--task", "writing", "--json", ...args], { cwd, env: { ORCH_HOME: temporaryDirectory("orch-home-"), ...env } });
  assert.equal(result.code, 0, result.stderr);
  const { decision } = JSON.parse(result.stdout) as { decision: { candidates: { model: string; target?: string }[] } };
  return JSON.stringify(decision.candidates[0]);
}

describe("project settings in commands", () => {
  it("orch route, from a subfolder, uses the settings' policy; ORCH_POLICY wins over it; --policy over both", async () => {
    const { root, nested } = settingsProject();
    assert.match(await routedModel(nested), /"team"/);
    assert.match(await routedModel(nested, [], { ORCH_POLICY: path.join(root, "policies/ci.yaml") }), /"ci"/);
    assert.match(await routedModel(nested, ["--policy", path.join(root, "policies/team.yaml")], { ORCH_POLICY: path.join(root, "policies/ci.yaml") }), /"team"/);
  });

  it("expands ${VAR} in the policy from the .env of the project root, with the real environment winning", async () => {
    const { nested } = settingsProject({ ".env": "MODEL=from-dotenv\n" });
    assert.match(await routedModel(nested), /"model":"from-dotenv"/);
    assert.match(await routedModel(nested, [], { MODEL: "from-environment" }), /"model":"from-environment"/);
  });

  it("a pipeline without `policy:` gets the settings' policy; one with its own keeps it unless ORCH_POLICY or --policy say otherwise", async () => {
    const { root } = settingsProject();
    const validate = (file: string, env: NodeJS.ProcessEnv = {}) => runCliProcess(["validate", file], { cwd: root, env });
    assert.match((await validate("pipelines/plain.yaml")).stdout, /policy policies\/team\.yaml/);
    assert.match((await validate("pipelines/own.yaml")).stdout, /policy policies\/ci\.yaml/);
    assert.match((await validate("pipelines/own.yaml", { ORCH_POLICY: "policies/team.yaml" })).stdout, /policy policies\/team\.yaml/);
  });

  it("orch run writes to the settings' database and results folder; --db and --results win", async () => {
    const { root } = settingsProject();
    const run = await runCliProcess(["run", "pipelines/plain.yaml"], { cwd: root });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(existsSync(path.join(root, "data/orch.db")), "the settings' database");
    assert.ok(readdirSync(path.join(root, "build/results")).length > 0, "the settings' results folder");
    assert.equal(existsSync(path.join(root, ".orch/results")), false, "not the default one");
    const elsewhere = temporaryDirectory("orch-flags-");
    const flagged = await runCliProcess(["run", "pipelines/plain.yaml", "--db", path.join(elsewhere, "flag.db"), "--results", path.join(elsewhere, "results")], { cwd: root });
    assert.equal(flagged.code, 0, flagged.stderr);
    assert.ok(existsSync(path.join(elsewhere, "flag.db")));
    assert.ok(existsSync(path.join(elsewhere, "results")));
  });

  it("orch budget reads the settings' database and policy limits", async () => {
    const { root } = settingsProject({ "policies/team.yaml": `${policyWith("team")}budget:\n  daily_usd: 7\n` });
    const budget = await runCliProcess(["budget", "--json"], { cwd: root });
    assert.equal(budget.code, 0, budget.stderr);
    const printed = JSON.parse(budget.stdout) as { policy: string; database: string; limits: { dailyUsd?: number } };
    assert.equal(path.resolve(root, printed.database), path.join(root, "data/orch.db"));
    assert.equal(printed.policy, "policies/team.yaml");
    assert.equal(printed.limits.dailyUsd, 7);
  });

  it("orch runs, show and diff read the settings' database, like orch run writes it; ORCH_DB and --db win", async () => {
    const { root, nested } = settingsProject();
    for (let round = 0; round < 2; round++) assert.equal((await runCliProcess(["run", "pipelines/plain.yaml"], { cwd: root })).code, 0);
    const listed = await runCliProcess(["runs", "--json"], { cwd: nested });
    assert.equal(listed.code, 0, listed.stderr);
    const runs = JSON.parse(listed.stdout) as { pipeline: string; status: string }[];
    assert.deepEqual(runs.map((run) => [run.pipeline, run.status]), [["settings-check", "succeeded"], ["settings-check", "succeeded"]], "both runs, from data/orch.db");
    const shown = await runCliProcess(["show", "latest", "--json"], { cwd: nested });
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal((JSON.parse(shown.stdout) as { pipeline: string }).pipeline, "settings-check");
    assert.equal((await runCliProcess(["diff", "latest"], { cwd: nested })).code, 0);

    const empty = path.join(temporaryDirectory("orch-empty-"), "empty.db");
    const fromVariable = await runCliProcess(["runs", "--json"], { cwd: nested, env: { ORCH_DB: empty } });
    assert.deepEqual(JSON.parse(fromVariable.stdout), [], "ORCH_DB wins over the settings");
    const fromFlag = await runCliProcess(["runs", "--json", "--db", empty], { cwd: nested });
    assert.deepEqual(JSON.parse(fromFlag.stdout), [], "--db wins over the settings");
  });

  it("a broken orch.config.yaml is a config error (exit 2) at its line and column", async () => {
    const root = writeProject({ "orch.config.yaml": "version: 1\ndatabase: 42\n", "policy.yaml": offlinePolicy() });
    mkdirSync(path.join(root, "sub"));
    const result = await runCliProcess(["budget"], { cwd: path.join(root, "sub") });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /orch\.config\.yaml:2:11/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  });
});
