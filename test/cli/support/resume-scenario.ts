/**
 * A run SIGKILLed between a paid call and the end of its step, then `orch run --resume`, on any
 * store location, through the CLI as a child process (a real kill needs a real process).
 *
 * Four chained steps; each output is checked by `sleep 0.5` after its call was recorded, so the
 * kill, sent as soon as the second call's `attempt-end` is printed, lands while s2 is being checked
 * and no call is in flight: s1 is done, s2's call is paid and recorded, s3 and s4 have not started.
 * A resume that paid s2 again would send a fifth request to the fake server.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import type { FakeLlmServer } from "../../../src/fake-server/index.js";
import { runCliInProcess, runCliProcess, type CliResult } from "../../support/cli.js";
import { writeProject } from "../../support/project.js";
import { jsonEvents } from "../../executor/support/run-project.js";
import { chatRequestsOf, scenarioKey, scenarioPolicy } from "./store-scenario.js";

const chainPipeline = `version: 1
name: chain
policy: policy.yaml
steps:
  s1:
    prompt: "Step one."
    output: { file: out/s1.txt, validate: [[sleep, "0.5"]] }
  s2:
    needs: [s1]
    prompt: "Step two after <%= it.steps.s1.output %>"
    output: { file: out/s2.txt, validate: [[sleep, "0.5"]] }
  s3:
    needs: [s2]
    prompt: "Step three after <%= it.steps.s2.output %>"
    output: { file: out/s3.txt }
  s4:
    needs: [s3]
    prompt: "Step four after <%= it.steps.s3.output %>"
    output: { file: out/s4.txt }
`;

export interface ResumeOutputs {
  killed: { code: number; stepEnds: string[] };
  resumed: { code: number; runEnd: unknown };
  chatRequests: number;
  showJson: CliResult;
  runsJson: CliResult;
  budgetJson: CliResult;
  directory: string;
}

interface ResumedStepEnd {
  step: string;
  costUsd: number;
  usage: { inputTokens: number; outputTokens: number };
  attempts: number;
  reused?: true;
}

/** Starts the CLI and SIGKILLs it once it has printed its second attempt-end. */
function runAndKillAfterSecondCall(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliResult & { killed: boolean }> {
  let killed = false;
  return runCliProcess(args, {
    cwd,
    env,
    onSpawn: (child: ChildProcess) => {
      let seen = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        if (killed || seen.split('"type":"attempt-end"').length - 1 < 2) return;
        killed = true;
        child.kill("SIGKILL");
      });
    },
  }).then((result) => ({ ...result, killed }));
}

/**
 * By hand: "Step one." is 2 tokens in and "Done." 1 out: 2,000 + 2,000 = 4,000 nano-dollars; each
 * later prompt ("Step two after Done.") is 4 in, 1 out: 6,000. The run costs $0.000022 for 4 calls.
 */
export async function runResumeScenario(server: FakeLlmServer, location: string): Promise<ResumeOutputs> {
  server.reset();
  server.script("gpt-4o-mini", { defaultResponse: "Done." });
  const directory = writeProject({ "pipeline.yaml": chainPipeline, "policy.yaml": scenarioPolicy });
  const env = { OPENAI_TEST_KEY: scenarioKey, FAKE_URL: server.url };
  const args = ["run", "pipeline.yaml", "--db", location, "--results", path.join(directory, "results"), "--json"];

  const first = await runAndKillAfterSecondCall(args, directory, env);
  assert.ok(first.killed, `the run was killed mid-way: ${first.stderr}`);
  const killedStepEnds = jsonEvents(first.stdout).flatMap((event) => (event.type === "step-end" ? [event.step] : []));
  assert.equal(chatRequestsOf(server), 2, "killed after the second call, before a third");

  const resumed = await runCliProcess([...args, "--resume"], { cwd: directory, env });
  assert.equal(resumed.code, 0, resumed.stderr);
  const runEnd = jsonEvents(resumed.stdout).find((event) => event.type === "run-end");
  const stepEnds = jsonEvents(resumed.stdout).filter((event) => event.type === "step-end") as unknown as ResumedStepEnd[];
  const chatRequests = chatRequestsOf(server);

  const db = ["--db", location];
  const showJson = await runCliInProcess(["show", "latest", "--json", ...db], env);
  const runsJson = await runCliInProcess(["runs", "--json", ...db], env);
  const budgetJson = await runCliInProcess(["budget", "--json", "--policy", path.join(directory, "policy.yaml"), ...db], env);
  assertResumeFigures({ chatRequests, runEnd, stepEnds, showJson, runsJson, budgetJson });
  // s2's replay is a cache hit in the report (one of the run's five lookups: four first attempts
  // that were not hits, and it), but it saved nothing: the run paid for that answer before the
  // kill. It is not a hit of the entry in `orch cache stats` either.
  const report = JSON.parse((await runCliInProcess(["report", "--json", ...db], env)).stdout) as { cache: { lookups: number; hits: number; savedUsd: number; unpricedHits: number } };
  assert.deepEqual(report.cache, { ...report.cache, lookups: 5, hits: 1, savedUsd: 0, unpricedHits: 0 });
  const cacheStats = JSON.parse((await runCliInProcess(["cache", "stats", "--json", ...db], env)).stdout) as { entries: number; hits: number; savedUsd: number };
  assert.deepEqual([cacheStats.entries, cacheStats.hits, cacheStats.savedUsd], [4, 0, 0]);
  assertResumedStepFile(path.join(directory, "results/latest/s2.json"));
  return { killed: { code: first.code, stepEnds: killedStepEnds }, resumed: { code: resumed.code, runEnd }, chatRequests, showJson, runsJson, budgetJson, directory };
}

function assertResumeFigures(outputs: Pick<ResumeOutputs, "chatRequests" | "showJson" | "runsJson" | "budgetJson"> & { runEnd: unknown; stepEnds: ResumedStepEnd[] }): void {
  assert.equal(outputs.chatRequests, 4, "each of the four calls was paid once: s2's recorded answer was reused, not bought again");
  const end = outputs.runEnd as { status: string; totals: { calls: number; costUsd: number; cacheHits: number; savedUsd: number; earlier?: { calls: number; costUsd: number } } };
  assert.equal(end.status, "succeeded");
  assert.equal(end.totals.calls, 2, "the resumed process paid for s3 and s4 only");
  assert.equal(end.totals.costUsd, 0.000012);
  // s2's own answer, replayed: a hit that saved nothing (the run paid for it before the kill).
  assert.deepEqual([end.totals.cacheHits, end.totals.savedUsd], [1, 0]);
  // Before the kill: s1 4,000 + s2 6,000 = 10,000 nano-dollars over 2 calls; with this process's 12,000, the run's 22,000.
  assert.deepEqual(end.totals.earlier, { calls: 2, costUsd: 0.00001 });
  assert.deepEqual(
    outputs.stepEnds.map((step) => [step.step, step.costUsd, step.usage.inputTokens, step.usage.outputTokens, step.attempts, step.reused ?? false]),
    [
      ["s1", 0.000004, 2, 1, 1, true],
      ["s2", 0.000006, 4, 1, 2, false],
      ["s3", 0.000006, 4, 1, 1, false],
      ["s4", 0.000006, 4, 1, 1, false],
    ],
    "each step-end carries the step's cost in this run, whichever process paid it",
  );

  const runs = JSON.parse(outputs.runsJson.stdout) as { pipeline: string; status: string; costUsd: number }[];
  assert.deepEqual(runs.map((run) => [run.pipeline, run.status, run.costUsd]), [["chain", "succeeded", 0.000022]], "one run, resumed under its id, costing its four calls");
  // Per step, its calls and its own figures. s2's answer was paid before the kill ($0.000006) and
  // served again to the resumed process from this run's own answers (a "cached" row, $0): the step
  // costs what its calls in this run cost, whichever process paid them, 6,000 + 0 nano-dollars, once.
  const shown = JSON.parse(outputs.showJson.stdout) as {
    steps: { name: string; status: string; costUsd: number; calls: { status: string; costUsd: number }[] }[];
  };
  assert.deepEqual(
    shown.steps.map((step) => [step.name, step.status, step.calls.map((call) => [call.status, call.costUsd])]),
    [
      ["s1", "succeeded", [["succeeded", 0.000004]]],
      ["s2", "succeeded", [["succeeded", 0.000006], ["cached", 0]]],
      ["s3", "succeeded", [["succeeded", 0.000006]]],
      ["s4", "succeeded", [["succeeded", 0.000006]]],
    ],
  );
  assert.deepEqual(
    shown.steps.map((step) => [step.name, step.costUsd]),
    [
      ["s1", 0.000004],
      ["s2", 0.000006],
      ["s3", 0.000006],
      ["s4", 0.000006],
    ],
    "each step's own figures are the sum of the calls listed under it; s2 is not $0",
  );
  const budget = JSON.parse(outputs.budgetJson.stdout) as { scopes: { scope: string; spentUsd: number; reservedUsd: number }[] };
  assert.deepEqual(budget.scopes.map((scope) => [scope.scope, scope.spentUsd, scope.reservedUsd]), [["day", 0.000022, 0], ["month", 0.000022, 0]], "spent once, nothing left reserved");
}

/**
 * s2's `<step>.json` after the resume lists both of its attempts in this run: the call paid before
 * the kill (6,000 nano-dollars, `earlier`) and this process's replay of its answer ($0, cached), so
 * the attempts listed add up to the step's $0.000006.
 */
function assertResumedStepFile(file: string): void {
  const document = JSON.parse(readFileSync(file, "utf8")) as {
    costUsd: number;
    usage: { inputTokens: number; outputTokens: number };
    attempts: { status: string; cached?: boolean; costUsd: number; usage: { inputTokens: number; outputTokens: number }; earlier?: boolean; provider: string; model: string }[];
  };
  assert.deepEqual(
    document.attempts.map((attempt) => [attempt.provider, attempt.model, attempt.status, attempt.cached ?? false, attempt.costUsd, attempt.usage.inputTokens, attempt.earlier ?? false]),
    [
      ["openai", "gpt-4o-mini", "succeeded", false, 0.000006, 4, true],
      ["openai", "gpt-4o-mini", "succeeded", true, 0, 4, false],
    ],
  );
  assert.deepEqual([document.costUsd, document.usage], [0.000006, { inputTokens: 4, outputTokens: 1 }]);
}
