/**
 * orch's commands end to end on both stores: the same scenario (store-scenario.ts) through the real
 * CLI on a SQLite file and on PostgreSQL (a password-protected role), its figures worked out by
 * hand on each, and the two stores' outputs compared line for line once ids, instants, durations
 * and locations are taken out. PostgreSQL needs ORCH_TEST_POSTGRES_URL: without it these tests
 * skip and say why (a failure under ORCH_REQUIRE_POSTGRES=1).
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { describePostgresUrl } from "../../src/store/index.js";
import { temporaryDirectory, type CliResult } from "../support/cli.js";
import { createTestDatabase, postgresSkip, type TestDatabase } from "../support/postgres.js";
import { jsonEvents } from "../executor/support/run-project.js";
import { createPasswordedStore, dropRoles } from "./support/postgres-role.js";
import { normalised, runScenario, scenarioKey, type ScenarioOutputs } from "./support/store-scenario.js";
import { runResumeScenario, type ResumeOutputs } from "./support/resume-scenario.js";

interface StoreUnderTest {
  name: "SQLite" | "PostgreSQL";
  skip: string | false;
  /** A fresh, empty store; its password, when its location has one. */
  create(): Promise<{ location: string; password?: string }>;
}

const skipPostgres = postgresSkip();
let database: TestDatabase | undefined;
const roles: string[] = [];

const stores: StoreUnderTest[] = [
  { name: "SQLite", skip: false, create: async () => ({ location: path.join(temporaryDirectory("orch-parity-"), "orch.db") }) },
  {
    name: "PostgreSQL",
    skip: skipPostgres,
    async create() {
      database ??= await createTestDatabase("orch_parity");
      const store = await createPasswordedStore(database);
      roles.push(store.role);
      return { location: store.url, password: store.password };
    },
  },
];

/** Every text a scenario printed, for the password and key scans. */
function everythingPrinted(outputs: object): string {
  return JSON.stringify(outputs);
}

/** Every output of a scenario, normalised, by name: a command's exit code, stdout and stderr apart. */
function comparable(outputs: ScenarioOutputs | ResumeOutputs, location: string): Record<string, string> {
  const places = { directory: outputs.directory, locations: [location, describePostgresUrl(location)] };
  const texts: Record<string, string> = {};
  const add = (name: string, value: unknown): void => {
    if (Array.isArray(value)) value.forEach((item, index) => add(`${name}[${index}]`, item));
    else if (isCliResult(value)) {
      texts[`${name}.code`] = String(value.code);
      texts[`${name}.stdout`] = normalised(value.stdout, places);
      texts[`${name}.stderr`] = normalised(value.stderr, places);
    } else texts[name] = normalised(JSON.stringify(value, null, 2), places);
  };
  for (const [name, value] of Object.entries(outputs)) if (name !== "directory") add(name, value);
  return texts;
}

function isCliResult(value: unknown): value is CliResult {
  return typeof value === "object" && value !== null && "code" in value && "stdout" in value && "stderr" in value;
}

describe("orch's commands on SQLite and on PostgreSQL", () => {
  let server: FakeLlmServer;
  const scenarios = new Map<string, { outputs: ScenarioOutputs; location: string }>();
  const resumes = new Map<string, { outputs: ResumeOutputs; location: string }>();
  before(async () => {
    server = await startFakeLlmServer();
  });
  after(async () => {
    await server.close();
    await database?.drop();
    await dropRoles(roles);
  });

  for (const store of stores) {
    it(`${store.name}: run (fan-out, cache, budget stop → exit 3), runs, show, diff, report, budget, cache stats, backtest, tune, graph and serve agree with the figures by hand`, { skip: store.skip }, async () => {
      const { location, password } = await store.create();
      const outputs = await runScenario(server, location);
      scenarios.set(store.name, { outputs, location });
      assertScenarioFigures(outputs);
      const printed = everythingPrinted(outputs);
      assert.equal(printed.includes(scenarioKey), false, "the API key is never printed");
      if (password !== undefined) assert.equal(printed.includes(password), false, "the store's password is never printed");
    });
  }

  for (const store of stores) {
    it(`${store.name}: a run SIGKILLed after a paid call resumes with --resume and pays for each call once`, { skip: store.skip }, async () => {
      const { location, password } = await store.create();
      const outputs = await runResumeScenario(server, location);
      resumes.set(store.name, { outputs, location });
      if (password !== undefined) assert.equal(everythingPrinted(outputs).includes(password), false, "the store's password is never printed");
    });
  }

  it("the same runs print the same on both stores (ids, instants, durations and locations aside)", { skip: skipPostgres }, () => {
    for (const [name, runs] of [["scenario", scenarios], ["resume", resumes]] as const) {
      const sqlite = runs.get("SQLite");
      const postgres = runs.get("PostgreSQL");
      assert.ok(sqlite && postgres, `the ${name} ran on both stores`);
      const expected = comparable(sqlite.outputs, sqlite.location);
      const actual = comparable(postgres.outputs, postgres.location);
      assert.deepEqual(Object.keys(actual), Object.keys(expected));
      for (const key of Object.keys(expected)) assert.equal(actual[key], expected[key], `${name}: ${key} differs between SQLite and PostgreSQL`);
    }
  });
});

/**
 * The figures, by hand (1,000 nano-dollars an input token, 2,000 an output token; one token a word):
 *   run 1  each: "Name a red thing." 4 in, "A rose." 2 out = 8,000; blue, green alike → 24,000
 *          summary: "Join A rose. and The sea. and Fresh grass." 9 in, "Roses by the sea." 4 out = 17,000
 *          essay: worst case (35 bytes + 8) × 1,000 + 100,000 × 2,000 > the run's $0.01 → stopped
 *          → $0.000041, 4 calls
 *   run 2  every answer from the cache: $0, 4 hits saving $0.000041
 *   run 3  yellow: 4 in, "A banana." 2 out = 8,000; summary "Join A rose. and The sea. and A banana."
 *          9 in, 2 out = 13,000 → $0.000021, 2 hits saving $0.000016
 *   all    $0.000062 over 6 calls, 34 tokens in, 14 out; 6 hits saving $0.000057
 */
function assertScenarioFigures(outputs: ScenarioOutputs): void {
  assert.deepEqual(outputs.runs.map((run) => run.code), [3, 3, 3], outputs.runs.map((run) => run.stderr).join("\n"));
  const ends = outputs.runs.map((run) => jsonEvents(run.stdout).find((event) => event.type === "run-end")!);
  assert.deepEqual(
    ends.map((end) => (end.type === "run-end" ? [end.status, end.totals.calls, end.totals.costUsd, end.totals.cacheHits, end.totals.savedUsd] : [])),
    [
      ["budget_stopped", 4, 0.000041, 0, 0],
      ["budget_stopped", 0, 0, 4, 0.000041],
      ["budget_stopped", 2, 0.000021, 2, 0.000016],
    ],
  );
  for (const run of outputs.runs) {
    const essay = jsonEvents(run.stdout).find((event) => event.type === "step-end" && event.step === "essay");
    assert.ok(essay?.type === "step-end" && essay.status === "budget_stopped", "the essay is stopped by the run's budget");
  }
  assert.equal(outputs.chatRequests, 6, "4 calls, then none, then 2: no call is paid twice");

  // orch runs
  assert.equal(outputs.runsList.code, 0, outputs.runsList.stderr);
  const listed = JSON.parse(outputs.runsJson.stdout) as { pipeline: string; status: string; costUsd: number; exitCode: number }[];
  assert.deepEqual(listed.map((run) => [run.pipeline, run.status, run.costUsd, run.exitCode]), [
    ["colours", "budget_stopped", 0.000021, 3],
    ["colours", "budget_stopped", 0, 3],
    ["colours", "budget_stopped", 0.000041, 3],
  ]);
  assert.match(outputs.runsList.stdout, /^3 runs · /m);
  const filtered = JSON.parse(outputs.runsFiltered.stdout) as { costUsd: number }[];
  assert.deepEqual(filtered.map((run) => run.costUsd), [0.000021, 0], "the two newest budget-stopped runs of colours");

  // orch show latest
  assert.equal(outputs.showLatest.code, 0, outputs.showLatest.stderr);
  const steps = outputs.showLatest.stdout.split("\n").filter((line) => /^ {2}[✓$✗] /.test(line));
  assert.deepEqual(steps, [
    "  ✓ each     succeeded · openai:gpt-4o-mini · 3 calls · $0.000008",
    "  ✓ summary  succeeded · openai:gpt-4o-mini · 1 call · $0.000013",
    "  $ essay    budget_stopped · - · 0 calls · $0 · no model fits: 1 over budget; the step fails (when_exhausted: fail)",
  ]);
  const shown = JSON.parse(outputs.showLatestJson.stdout) as { status: string; costUsd: number; steps: { name: string; status: string; costUsd: number }[] };
  assert.deepEqual([shown.status, shown.costUsd], ["budget_stopped", 0.000021]);
  assert.deepEqual(shown.steps.map((step) => [step.name, step.status, step.costUsd]), [["each", "succeeded", 0.000008], ["summary", "succeeded", 0.000013], ["essay", "budget_stopped", 0]]);
  assert.match(outputs.showStep.stdout, /attempt 1 \(item 0\) · openai:gpt-4o-mini · cached · cached · \$0\n {2}answer\n {2}│ A rose\./);
  assert.match(outputs.showStep.stdout, /attempt 1 \(item 2\) · openai:gpt-4o-mini · succeeded · 4→2 tokens · \$0\.000008/);

  // orch diff latest: run 2 → run 3
  assert.equal(outputs.diff.code, 0, outputs.diff.stderr);
  assert.match(outputs.diff.stdout, /cost \$0 → \$0\.000021 \(\+\$0\.000021\) · 3 of 3 steps changed/);
  assert.match(outputs.diff.stdout, /^ {4}-Name a green thing\.\n {4}\+Name a yellow thing\.$/m);
  assert.match(outputs.diff.stdout, /^ {4}-Roses by the sea\.\n {4}\+A banana\.$/m);
  const diff = JSON.parse(outputs.diffJson.stdout) as { steps: { step: string; costUsd: { a: number; b: number }; changes: string[] }[] };
  assert.deepEqual(diff.steps.map((step) => [step.step, step.costUsd.a, step.costUsd.b, step.changes]), [
    ["each", 0, 0.000008, ["prompt", "output", "cost"]],
    ["summary", 0, 0.000013, ["prompt", "output", "cost"]],
    ["essay", 0, 0, ["prompt"]],
  ]);

  // orch report, text and JSON
  assert.equal(outputs.report.code, 0, outputs.report.stderr);
  assert.match(outputs.report.stdout, /calls 6 made \(0 failed\) \+ 6 cache hits · tokens 34 in \/ 14 out/);
  assert.match(outputs.report.stdout, /spend \$0\.000062 · steps 12 succeeded of 12/);
  assert.match(outputs.report.stdout, /cache 6 hits of 12 lookups \(50%\) · saved \$0\.000057/);
  assert.match(outputs.report.stdout, /^ {2}run +\$0\.01 +2 runs/m, "the two paying runs against the run limit");
  // One day, $0.000062 of the $5 daily limit: within it, by the budget table and by the overview line
  // alike. The three essays stopped by the run limit are that limit holding, not the day going over.
  assert.match(outputs.report.stdout, /^ {2}day +\$5 +1 day +1 \(100%\)/m, "the budget table's day row");
  assert.match(outputs.report.stdout, /days within every daily limit 1 of 1 active days \(100%\) · 3 steps stopped by a budget \(the limit held\)/);
  assert.deepEqual([outputs.reportHtml.code, outputs.reportHtml.showsPrompt], [0, true], outputs.reportHtml.stderr);
  const report = JSON.parse(outputs.reportJson.stdout) as { totals: { callsMade: number; cachedCalls: number; inputTokens: number; outputTokens: number; spendUsd: number } };
  assert.deepEqual(report.totals, { ...report.totals, callsMade: 6, cachedCalls: 6, inputTokens: 34, outputTokens: 14, spendUsd: 0.000062 });

  // orch budget --json: today's spend against the daily $5, nothing left reserved
  assert.equal(outputs.budgetJson.code, 0, outputs.budgetJson.stderr);
  const budget = JSON.parse(outputs.budgetJson.stdout) as { scopes: { scope: string; limitUsd?: number; spentUsd: number; reservedUsd: number; leftUsd?: number }[] };
  assert.deepEqual(
    budget.scopes.map((scope) => [scope.scope, scope.limitUsd, scope.spentUsd, scope.reservedUsd, scope.leftUsd]),
    [
      ["day", 5, 0.000062, 0, 4.999938],
      ["month", undefined, 0.000062, 0, undefined],
    ],
  );

  // orch cache stats: run 1's four answers and run 3's two; six hits
  assert.equal(outputs.cacheStats.code, 0, outputs.cacheStats.stderr);
  assert.match(outputs.cacheStats.stdout, /entries {3}6 \(6 reusable by later runs/);
  assert.match(outputs.cacheStats.stdout, /hits {6}6, which saved \$0\.000057/);
  const cache = JSON.parse(outputs.cacheStatsJson.stdout) as { entries: number; hits: number; savedUsd: number };
  assert.deepEqual([cache.entries, cache.hits, cache.savedUsd], [6, 6, 0.000057]);

  // orch backtest, tune and graph --run read the recorded requests and the latest run
  const backtest = JSON.parse(outputs.backtestJson.stdout) as { total: { units: number; recordedPassed: number; recordedCostUsd: number } };
  assert.deepEqual(backtest.total, { ...backtest.total, units: 6, recordedPassed: 6, recordedCostUsd: 0.000062 });
  assert.match(outputs.tune.stdout, /^tune · 6 recorded requests since 30d/);
  const graph = JSON.parse(outputs.graphJson.stdout) as { nodes: { id: string; run: { status: string; costUsd: number } }[] };
  assert.deepEqual(graph.nodes.map((node) => [node.id, node.run.status, node.run.costUsd]), [["each", "succeeded", 0.000008], ["summary", "succeeded", 0.000013], ["essay", "budget_stopped", 0]]);

  // orch serve reads the same store
  const served = outputs.served;
  assert.deepEqual((served.runs as { runs: unknown[] }).runs, JSON.parse(outputs.runsJson.stdout), "GET /api/runs lists what orch runs --json lists");
  assert.deepEqual(served.latestRun, JSON.parse(outputs.showLatestJson.stdout), "GET /api/runs/ID is orch show ID --json");
  assert.deepEqual(served.pageStatuses, [200, 200]);
  assert.ok(served.stepPageShowsPrompt, "a step's page shows its prompts");
}
