import assert from "node:assert/strict";
import { existsSync, readFileSync, readlinkSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { runCliInProcess } from "../support/cli.js";
import { copyQuickstart, offlinePolicy, writeProject } from "../support/project.js";

function paths(directory: string) {
  return ["--db", path.join(directory, "state/orch.db"), "--results", path.join(directory, "results")];
}

const threeSteps = `version: 1
name: three
policy: policy.yaml
steps:
  first:
    prompt: "Say one thing."
  second:
    needs: [first]
    prompt: "Build on: <%= it.steps.first.output %>"
  lone:
    prompt: "Independent."
`;

describe("orch run", () => {
  it("runs the quickstart offline: results folder, SQLite rows, output files, summary", async () => {
    const directory = copyQuickstart();
    const pipeline = path.join(directory, "examples/quickstart/pipeline.yaml");
    const result = await runCliInProcess(["run", pipeline, ...paths(directory)]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /offline: mock, mock-backup answer with mock text — no API is called/);
    assert.match(result.stdout, /steps +5 succeeded/);
    assert.match(result.stdout, /cost \$0\.\d+/);

    const latest = path.join(directory, "results/latest");
    const runJson = JSON.parse(readFileSync(path.join(latest, "run.json"), "utf8"));
    assert.equal(runJson.status, "succeeded");
    assert.deepEqual(Object.keys(runJson.steps).sort(), ["announce", "classify", "collect", "draft", "headline"]);
    assert.ok(runJson.totals.costUsd > 0, "mock models are priced like paid ones");
    assert.match(readlinkSync(latest), /^\d{4}-\d{2}-\d{2}\/\d{8}-\d{6}-[0-9a-f]{6}$/);
    const draft = JSON.parse(readFileSync(path.join(latest, "draft.json"), "utf8"));
    assert.equal(draft.status, "succeeded");
    assert.equal(draft.synthetic, true);
    assert.ok(draft.route.chosen.startsWith("mock"));
    assert.ok(existsSync(path.join(directory, "examples/quickstart/out/RELEASE_NOTES.md")));
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(path.join(directory, "examples/quickstart/out/changes.json"), "utf8"))).includes("mock"), true);

    const database = new Database(path.join(directory, "state/orch.db"), { readonly: true });
    const run = database.prepare("SELECT status, exit_code FROM runs").get() as { status: string; exit_code: number };
    assert.deepEqual(run, { status: "succeeded", exit_code: 0 });
    const calls = database.prepare("SELECT step, status, input_tokens, output_tokens, cost_usd, synthetic FROM llm_calls").all() as {
      input_tokens: number;
      cost_usd: number;
      synthetic: number;
    }[];
    assert.equal(calls.length, 5);
    assert.ok(calls.every((call) => call.input_tokens > 0 && call.cost_usd > 0 && call.synthetic === 1));
    const total = calls.reduce((sum, call) => sum + call.cost_usd, 0);
    assert.ok(Math.abs(total - runJson.totals.costUsd) < 1e-12, "SQLite and run.json agree on the cost");
    const open = database.prepare("SELECT COUNT(*) AS count FROM budget_reservations WHERE status = 'reserved'").get() as { count: number };
    assert.equal(open.count, 0, "no reservation is left open");
    database.close();
  });

  it("skips the dependents of a failed step, finishes independent branches, exits 1", async () => {
    const directory = writeProject({
      "pipeline.yaml": threeSteps,
      "policy.yaml": offlinePolicy(`    responses:\n      - { step: first, error: { kind: bad_request, message: "scripted refusal" } }`),
    });
    const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...paths(directory)]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stdout, /✗ first +failed: .*scripted refusal/);
    assert.match(result.stdout, /↷ second +skipped: needs "first", which failed/);
    assert.match(result.stdout, /✓ lone/);
    const runJson = JSON.parse(readFileSync(path.join(directory, "results/latest/run.json"), "utf8"));
    assert.deepEqual(runJson.steps, { first: "failed", second: "skipped", lone: "succeeded" });
  });

  it("falls back to the next model of the chain when a call fails", async () => {
    const directory = writeProject({
      "pipeline.yaml": threeSteps,
      "policy.yaml": offlinePolicy(`    responses:\n      - { model: cheap, error: { kind: server, message: "overloaded" } }`),
    });
    const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...paths(directory), "--json"]);
    assert.equal(result.code, 0, result.stdout);
    const events = result.stdout.trim().split("\n").map((line) => JSON.parse(line));
    const firstEnd = events.find((event) => event.type === "step-end" && event.step === "first");
    assert.equal(firstEnd.model, "dear");
    assert.equal(firstEnd.attempts, 2);
  });

  it("stops at the run budget and exits 3", async () => {
    const directory = writeProject({
      "pipeline.yaml": threeSteps,
      "policy.yaml": `${offlinePolicy()}budget:\n  run_usd: 0.0001\n`,
    });
    const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...paths(directory)]);
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assert.match(result.stdout, /budget stopped/);
  });

  it("stops scheduling at the first failure with --fail-fast", async () => {
    const directory = writeProject({
      "pipeline.yaml": threeSteps,
      "policy.yaml": offlinePolicy(`    responses:\n      - { step: first, error: { kind: auth } }`),
    });
    const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...paths(directory), "--fail-fast", "--concurrency", "1"]);
    assert.equal(result.code, 1);
    const runJson = JSON.parse(readFileSync(path.join(directory, "results/latest/run.json"), "utf8"));
    assert.deepEqual(runJson.steps, { first: "failed", second: "skipped", lone: "cancelled" });
  });

  it("emits one JSON event per line with --json, from run-start to run-end", async () => {
    const directory = writeProject({ "pipeline.yaml": threeSteps, "policy.yaml": offlinePolicy() });
    const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...paths(directory), "--json"]);
    assert.equal(result.code, 0);
    const events = result.stdout.trim().split("\n").map((line) => JSON.parse(line));
    assert.equal(events[0].type, "run-start");
    assert.equal(events.at(-1).type, "run-end");
    assert.equal(events.filter((event) => event.type === "step-end").length, 3);
    assert.equal(events.at(-1).totals.calls, 3);
  });

  it("passes --set inputs to templates, and rejects unknown ones with a suggestion (exit 2)", async () => {
    const directory = writeProject({
      "pipeline.yaml": `version: 1\nname: inputs\npolicy: policy.yaml\ninputs:\n  topic: { type: string, required: true }\nsteps:\n  only:\n    prompt: "About <%= it.inputs.topic %>"\n`,
      "policy.yaml": offlinePolicy(`    responses:\n      - { contains: "About sqlite", text: "SQLite it is." }`),
    });
    const ok = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...paths(directory), "--set", "topic=sqlite"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(readFileSync(path.join(directory, "results/latest/only.json"), "utf8")).output, "SQLite it is.");
    const wrong = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...paths(directory), "--set", "topik=x"]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /unknown input "topik" — did you mean "topic"\?/);
    const missing = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...paths(directory)]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /input "topic" is required: pass --set topic=/);
  });

  it("stops trying a provider that keeps failing (cool-down) and says why", async () => {
    const steps = Array.from({ length: 6 }, (_, index) => `  s${index}:\n    prompt: "Independent ${index}"`).join("\n");
    const directory = writeProject({
      "pipeline.yaml": `version: 1\nname: cool\npolicy: policy.yaml\nsteps:\n${steps}\n`,
      "policy.yaml": `version: 1
providers:
  flaky:
    type: mock
    responses:
      - { error: { kind: server, message: "503 from upstream" } }
  steady: { type: mock }
models:
  first: { model: "flaky:m", prices: { input: 1, output: 2 } }
  second: { model: "steady:m", prices: { input: 1, output: 2 } }
tiers:
  economy: [first, second]
  standard: [first, second]
  premium: [first, second]
`,
    });
    const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...paths(directory), "--json", "--concurrency", "1"]);
    assert.equal(result.code, 0, result.stdout);
    const events = result.stdout.trim().split("\n").map((line) => JSON.parse(line));
    const flakyAttempts = events.filter((event) => event.type === "attempt-start" && event.provider === "flaky");
    assert.equal(flakyAttempts.length, 3, "three failures in a row, then the provider is passed over");
    const lastStep = JSON.parse(readFileSync(path.join(directory, "results/latest/s5.json"), "utf8"));
    assert.match(JSON.stringify(lastStep.route.notes), /cooling down until/);
  });
});

