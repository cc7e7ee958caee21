/**
 * Team budgets end to end: two projects (two policies naming the same team, each its own project)
 * share one SQLite database, and call the real OpenAI SDK against the fake server, so their money
 * is real (a mock's is synthetic, which no day budget counts).
 *
 * Figures by hand. Prices: input $1,000 and output $2,000 per million tokens, i.e. $0.001 and
 * $0.002 a token. The prompt "Write the release notes." is 24 bytes, so a reservation holds
 * (24 + 8) × $0.001 + 50 (max_tokens) × $0.002 = $0.032 + $0.100 = $0.132. The fake server reports
 * 20 input and 50 output tokens: each call settles 20 × $0.001 + 50 × $0.002 = $0.120.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { runCliInProcess, runCliProcess, temporaryDirectory } from "../support/cli.js";
import { writeProject } from "../support/project.js";

const pipeline = `version: 1
name: release-notes
policy: policy.yaml
steps:
  notes:
    quality: economy
    max_tokens: 50
    prompt: "Write the release notes."
`;
const policyWith = (budget: string) => `version: 1
providers:
  openai: { type: openai, base_url: "\${FAKE_URL}/v1", api_key_env: OPENAI_TEST_KEY, max_retries: 0 }
models:
  gpt: { model: "openai:gpt-4o-mini", prices: { input: 1000, output: 2000 } }
tiers: { economy: [gpt], standard: [gpt], premium: [gpt] }
budget:
${budget}`;

const reservedNano = 132_000_000;
const settledNano = 120_000_000;

interface Shared {
  db: string;
  run(project: string): Promise<{ code: number; stdout: string; stderr: string }>;
  cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  policyOf(project: string): string;
}

describe("team budgets: two projects sharing one database", () => {
  let server: FakeLlmServer;
  before(async () => {
    server = await startFakeLlmServer();
  });
  after(async () => server.close());

  /** Each project in its own folder (its own policy), one database for both; every run skips the cache (one database shares its answers). */
  function shared(policies: Record<string, string>): Shared {
    server.reset();
    server.script("gpt-4o-mini", { defaultResponse: "Notes.", usage: { inputTokens: 20, outputTokens: 50 } });
    const db = path.join(temporaryDirectory("orch-team-db-"), "orch.db");
    const folders = Object.fromEntries(
      Object.entries(policies).map(([project, budget]) => [project, writeProject({ "pipeline.yaml": pipeline, "policy.yaml": policyWith(budget) })]),
    );
    const env = { OPENAI_TEST_KEY: "sk-test-team-budgets", FAKE_URL: server.url };
    return {
      db,
      run: (project) =>
        runCliInProcess(["run", path.join(folders[project]!, "pipeline.yaml"), "--db", db, "--results", path.join(folders[project]!, "results"), "--no-cache"], env),
      cli: (args) => runCliInProcess([...args, "--db", db], env),
      policyOf: (project) => path.join(folders[project]!, "policy.yaml"),
    };
  }

  function reservations(db: string): { project: string; team: string; status: string; reserved: number; settled: number | null }[] {
    const database = new Database(db, { readonly: true });
    const rows = database
      .prepare(`SELECT project, team, status, reserved_nano_usd AS reserved, settled_nano_usd AS settled FROM budget_reservations ORDER BY id`)
      .all() as { project: string; team: string; status: string; reserved: number; settled: number | null }[];
    database.close();
    return rows;
  }

  /** The route's notes of the last step recorded: each candidate kept or dropped, with the sentence why. */
  function lastRouteNotes(db: string): string {
    const database = new Database(db, { readonly: true });
    const row = database.prepare(`SELECT result_json FROM step_executions ORDER BY id DESC LIMIT 1`).get() as { result_json: string };
    database.close();
    return JSON.stringify((JSON.parse(row.result_json) as { route: { notes: unknown } }).route.notes);
  }

  it("the team's daily limit refuses the second project's call once the first spent it", async () => {
    const { db, run, cli, policyOf } = shared({
      app: "  team: platform\n  project: app\n  time_zone: UTC\n",
      web: "  team: platform\n  project: web\n  time_zone: UTC\n",
    });
    const set = await cli(["budget", "team", "set", "platform", "--daily", "0.30", "--by", "lead@test"]);
    assert.equal(set.code, 0, set.stderr);

    // app: $0 + $0.132 ≤ $0.30, settles $0.120; then $0.120 + $0.132 = $0.252 ≤ $0.30, settles → $0.240 spent.
    for (const attempt of [1, 2]) {
      const result = await run("app");
      assert.equal(result.code, 0, `app run ${attempt}: ${result.stdout}${result.stderr}`);
    }
    // web: $0.240 + $0.132 = $0.372 > $0.30: refused by the team, though web itself spent nothing.
    const refused = await run("web");
    assert.equal(refused.code, 3, refused.stdout + refused.stderr);
    assert.match(refused.stdout, /notes budget stopped: no model fits: 1 over budget/);
    assert.match(lastRouteNotes(db), /dropped: worst case \$0\.13 exceeds \$0\.06 left today/);
    assert.equal(server.requests.length, 2, "the refused call never reached the provider");
    assert.deepEqual(reservations(db), [
      { project: "app", team: "platform", status: "settled", reserved: reservedNano, settled: settledNano },
      { project: "app", team: "platform", status: "settled", reserved: reservedNano, settled: settledNano },
    ]);

    const budget = await cli(["budget", "team", "show", "platform"]);
    assert.equal(budget.code, 0, budget.stderr);
    const rows = budget.stdout.split("\n").slice(2, 10).map((line) => line.trim().split(/\s{2,}/));
    assert.deepEqual(rows, [
      ["team platform today", "$0.30", "$0.24", "$0.00", "$0.00", "$0.06"],
      ["team platform this month", "no limit", "$0.24", "$0.00", "$0.00", "—"],
      ["project app today", "no limit", "$0.24", "$0.00", "$0.00", "—"],
      ["project app this month", "no limit", "$0.24", "$0.00", "$0.00", "—"],
      ["pipeline release-notes today", "no limit", "$0.24", "$0.00", "$0.00", "—"],
      ["pipeline release-notes this month", "no limit", "$0.24", "$0.00", "$0.00", "—"],
      ["limits:"],
      ["team platform today $0.30: set by lead@test at " + budget.stdout.match(/set by lead@test at (\S+ \S+Z)/)![1]],
    ]);
    assert.doesNotMatch(budget.stdout, /project web/, "web reserved nothing this month and has no cap");

    const fromWeb = await cli(["budget", "--policy", policyOf("web")]);
    assert.equal(fromWeb.code, 0, fromWeb.stderr);
    assert.match(fromWeb.stdout, /\n {2}today · project web +no limit +\$0\.00 +\$0\.00 +\$0\.00 +— +—\n/, "the policy's own project among its scopes");
    assert.match(fromWeb.stdout, /\nteam platform · \d{4}-\d{2}-\d{2} · \d{4}-\d{2} \(UTC\) · real money only\n/, "then its team's tree");
    assert.match(fromWeb.stdout, /\n {4}project web today +no limit +\$0\.00 +\$0\.00 +\$0\.00 +—\n/, "its own project, even before it spent anything");

    const report = await cli(["report", "--by", "project", "--json"]);
    assert.equal(report.code, 0, report.stderr);
    const groups = (JSON.parse(report.stdout) as { groups: { key: string; spendUsd: number; callsMade: number }[] }).groups;
    assert.deepEqual(groups.map(({ key, spendUsd, callsMade }) => ({ key, spendUsd, callsMade })), [{ key: "app", spendUsd: 0.24, callsMade: 2 }]);
  });

  it("per-project limits refuse each project on its own: the policy's, and the cap the team set", async () => {
    const { db, run, cli } = shared({
      app: "  team: platform\n  project: app\n  project_daily_usd: 0.25\n  time_zone: UTC\n",
      web: "  team: platform\n  project: web\n  time_zone: UTC\n",
    });
    const set = await cli(["budget", "team", "set", "platform", "--daily", "10", "--project", "web=0.2/day", "--by", "lead@test"]);
    assert.equal(set.code, 0, set.stderr);

    assert.equal((await run("app")).code, 0, "app: $0.132 ≤ $0.25");
    // app: $0.120 + $0.132 = $0.252 > its own $0.25.
    const appRefused = await run("app");
    assert.equal(appRefused.code, 3);
    assert.match(lastRouteNotes(db), /dropped: worst case \$0\.13 exceeds \$0\.13 left today/);
    // web is not held back by app's limit: $0 + $0.132 ≤ the team's cap on web, $0.20.
    assert.equal((await run("web")).code, 0);
    // web: $0.120 + $0.132 = $0.252 > $0.20.
    const webRefused = await run("web");
    assert.equal(webRefused.code, 3);
    assert.match(lastRouteNotes(db), /dropped: worst case \$0\.13 exceeds \$0\.08 left today/);
    assert.equal(reservations(db).filter((row) => row.status === "settled").length, 2);

    const budget = await cli(["budget", "team", "show", "platform", "--json"]);
    const status = JSON.parse(budget.stdout) as { day: { spentUsd: number; leftUsd: number }; projects: { project: string; day: { spentUsd: number; leftUsd?: number; limits: { limitUsd: number }[] } }[] };
    assert.deepEqual([status.day.spentUsd, status.day.leftUsd], [0.24, 9.76]);
    assert.deepEqual(
      status.projects.map(({ project, day }) => [project, day.spentUsd, day.limits.map((limit) => limit.limitUsd), day.leftUsd]),
      [
        ["app", 0.12, [], undefined],
        ["web", 0.12, [0.2], 0.08],
      ],
      "app's own $0.25 is its policy's, not shown without that policy",
    );
  });

  it("refuses a team policy whose time zone differs from the database's, and a team without a project name, at their lines", async () => {
    const { run } = shared({
      first: "  team: platform\n  project: app\n  time_zone: UTC\n",
      paris: "  team: platform\n  project: web\n  time_zone: Europe/Paris\n",
    });
    assert.equal((await run("first")).code, 0, "the first project fixes the database's calendar to UTC");
    const paris = await run("paris");
    assert.equal(paris.code, 2);
    assert.match(paris.stderr, /policy\.yaml:10:14 error budget\.time_zone: time zone "Europe\/Paris" differs from the shared database's calendar zone "UTC", and team "platform" has one calendar — remove `time_zone` from `budget:` \(the database's zone applies\), or set it to "UTC"/);

    const directory = temporaryDirectory("orch-team-unnamed-");
    writeFileSync(path.join(directory, "policy.yaml"), policyWith("  team: platform\n"));
    const unnamed = await runCliProcess(["validate", "policy.yaml"], { cwd: directory, env: { FAKE_URL: server.url } });
    assert.equal(unnamed.code, 2);
    assert.match(unnamed.stderr, /policy\.yaml:8:3 error budget\.team: team "platform" needs this project's name, and neither `budget\.project` nor orch\.config\.yaml's `name` gives one — add `project: NAME` under `budget:`, or `name: NAME` to orch\.config\.yaml/);

    writeFileSync(path.join(directory, "orch.config.yaml"), "version: 1\nname: app\n");
    const named = await runCliProcess(["validate", "policy.yaml"], { cwd: directory, env: { FAKE_URL: server.url } });
    assert.equal(named.code, 0, named.stderr);
  });
});
