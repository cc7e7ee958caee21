import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { before, describe, it } from "node:test";
import Database from "better-sqlite3";
import type { Report } from "../../src/report/index.js";
import { runCliInProcess, runCliProcess } from "../support/cli.js";
import { copyQuickstart, writeProject } from "../support/project.js";
import { fixturePolicy, reportDatabaseFile } from "./support/report-fixture.js";

const march = ["--from", "2025-03-01", "--to", "2025-03-09"];

describe("orch report", () => {
  let directory: string;
  let db: string;
  let policy: string;
  before(async () => {
    directory = writeProject({ "policy.yaml": fixturePolicy });
    db = await reportDatabaseFile(directory);
    policy = path.join(directory, "policy.yaml");
  });

  it("prints the overview, the tables and the recommendations as plain text", async () => {
    const { code, stdout, stderr } = await runCliInProcess(["report", ...march, "--policy", policy, "--db", db]);
    assert.equal(code, 0, stderr);
    const lines = stdout.split("\n");
    assert.match(lines[0] ?? "", /^report · 2025-03-01 to 2025-03-09 \(2025-03-01 – 2025-03-09\) · by model · .*orch\.db$/);
    assert.deepEqual(lines.slice(2, 8), [
      "  calls 15 made (2 failed) + 1 cache hit · tokens 11,400 in / 2,620 out",
      "  spend $0.28 · steps 13 succeeded of 13 · cost per successful step $0.0218",
      // free: r2's rejected llama answer and sonnet, 2 of 15 calls (r1's failed llama call is not free).
      "  local 13% of calls, 8% of tokens (target 50%) · free ($0) 13% of calls, 11% of tokens",
      "  cache 1 hit of 13 lookups (8%) · saved $0.0027 · repeated misses 1 ($0.0400)",
      "  escalations 3 of 13 step executions (23%) · 3 extra attempts · $0.0010 on attempts not kept",
      "  days within every daily limit 2 of 4 active days (50%) · 1 step stopped by a budget (the limit held)",
    ]);
    const table = lines.slice(lines.indexOf("by model") + 1, lines.indexOf("by model") + 6);
    assert.deepEqual(table, [
      "  model              calls  failed  cached  tokens in  tokens out    spend  share  free  successes  cost/success",
      "  openai:gpt-big         6       0       0      7,500       2,100    $0.27    95%    0%          6       $0.0450",
      "  openai:gpt-mini        6       1       1      2,700         170  $0.0140     5%    0%          6       $0.0023",
      "  claude-cli:sonnet      1       0       0        400          50       $0     0%  100%          1            $0",
      // llama: one answered $0 call (rejected) of two; the other failed, so it is not free.
      "  local:llama            2       1       0        800         300       $0     0%   50%          0             —",
    ]);
    for (const heading of ["latency of successful calls", "escalations by step", "recommendations"]) assert.ok(lines.includes(heading), heading);
    assert.ok(lines.some((line) => /^budget · policy .*policy\.yaml · UTC$/.test(line)));
    assert.ok(lines.includes("  day · pipeline notes   $0.09   3 days   1 (33%)  $0.28  $0.0930 (2025-03-05)      103%"), stdout);
    assert.match(stdout, /1\. \[cheaper-model\] analysis: openai:gpt-big/);
    assert.match(stdout, /4\. \[repeated-misses\] 1 prompt was answered again/);
  });

  it("prints the whole report as JSON with --json", async () => {
    const { code, stdout } = await runCliInProcess(["report", ...march, "--by", "task", "--json", "--policy", policy, "--db", db]);
    assert.equal(code, 0);
    const report = JSON.parse(stdout) as Report;
    assert.deepEqual(Object.keys(report), [
      "generatedAt", "window", "groupBy", "totals", "groups", "spendByModel", "daily", "latency", "cache", "providerCache", "escalations", "budget", "targets", "recommendations", "runs",
    ]);
    assert.equal(report.groupBy, "task");
    assert.deepEqual(report.groups.map((group) => [group.key, group.spendUsd]), [["writing", 0.155], ["analysis", 0.129]]);
    assert.equal(report.totals.spendUsd, 0.284);
    assert.deepEqual(report.targets, { costPerSuccessUsd: 0.01, minSamples: 3, localShare: 0.5 });
    assert.equal(report.budget.policyFile, policy);
  });

  it("prints the breakdown as CSV with --csv", async () => {
    const { code, stdout } = await runCliInProcess(["report", ...march, "--by", "day", "--csv", "--policy", policy, "--db", db]);
    assert.equal(code, 0);
    const rows = [
      "day,rows,calls_made,failed_calls,cached_calls,input_tokens,output_tokens,spend_usd,spend_share,free_call_share,successful_steps,cost_per_successful_step_usd",
      // 03-03's only $0 call is r1's llama timeout: failed, so not free.
      "2025-03-03,4,4,1,0,2800,720,0.092,0.323943662,0,3,0.030666667",
      "2025-03-04,4,3,0,1,3300,1000,0.09,0.316901408,0.333333333,3,0.03",
      "2025-03-05,5,5,1,0,4500,830,0.096,0.338028169,0,4,0.024",
      "2025-03-06,3,3,0,0,800,70,0.006,0.021126761,0.333333333,3,0.002",
    ];
    assert.equal(stdout, `${rows.join("\r\n")}\n`);
  });

  it("writes one self-contained HTML page with charts and tables, linking the graph given", async () => {
    const html = path.join(directory, "out/report.html");
    const { code, stdout } = await runCliInProcess(["report", ...march, "--html", html, "--graph", path.join(directory, "graph.svg"), "--policy", policy, "--db", db]);
    assert.equal(code, 0);
    assert.match(stdout, /html report written to .*out\/report\.html$/m);
    const page = readFileSync(html, "utf8");
    assert.match(page, /^<!DOCTYPE html>/);
    assert.equal((page.match(/<rect class="bar" data-day=/g) ?? []).length, 9, "one column per day of the window");
    assert.equal((page.match(/<rect class="bar" data-model=/g) ?? []).length, 4);
    for (const id of ["chart-daily", "chart-models", "table-breakdown", "table-latency", "table-budget", "table-escalations"]) assert.match(page, new RegExp(`id="${id}"`));
    assert.match(page, /<a id="graph-link" href="\.\.\/graph\.svg">/);
    assert.match(page, /class="limit"/, "the daily limit is drawn: it is close to the spend");
    assert.doesNotMatch(page, /<script|<link|src=|url\(http|@import/, "nothing is fetched");
  });

  it("embeds the last run's graph in the HTML page when its pipeline file is still there", async () => {
    const project = copyQuickstart();
    const quickstartDb = path.join(project, "orch.db");
    const pipeline = path.join(project, "examples/quickstart/pipeline.yaml");
    const run = await runCliInProcess(["run", pipeline, "--db", quickstartDb, "--results", path.join(project, "results")]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const html = path.join(project, "report.html");
    const { code } = await runCliInProcess(["report", "--since", "1h", "--html", html, "--json", "--policy", path.join(project, "routing-policies/offline.yaml"), "--db", quickstartDb]);
    assert.equal(code, 0);
    const page = readFileSync(html, "utf8");
    assert.match(page, /<section id="graph">/);
    for (const step of ["collect", "classify", "headline", "draft", "announce"]) assert.match(page, new RegExp(`<g class="node" data-step="${step}" data-status="succeeded">`));
    assert.equal((page.match(/<path class="edge"/g) ?? []).length, 5);
  });

  it("exits 2 on flags it cannot use", async () => {
    const cases: [string[], RegExp][] = [
      [["--by", "colour"], /--by expects one of provider, model, pipeline, task, day/],
      [["--json", "--csv"], /cannot be combined/],
      [["--since", "7d", "--from", "2025-03-01"], /--since cannot be combined/],
      [["--graph", "g.svg"], /needs --html/],
      [["--from", "yesterday"], /YYYY-MM-DD/],
      [["--colour"], /Unknown option '--colour'/],
      [["extra"], /unexpected argument "extra"/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await runCliInProcess(["report", ...args, "--policy", policy, "--db", db]);
      assert.equal(code, 2, args.join(" "));
      assert.match(stderr, message);
    }
    const missingPolicy = await runCliInProcess(["report", "--policy", path.join(directory, "missing.yaml"), "--db", db]);
    assert.equal(missingPolicy.code, 2);
  });

  it("reports use only, without limits, when no policy is given or found", async () => {
    const { code, stdout, stderr } = await runCliProcess(["report", ...march, "--db", db], { cwd: directory });
    assert.equal(code, 0, stderr);
    // Without a policy zone, days follow the zone fixed for the database (stored on its first use).
    const stored = new Database(db, { readonly: true });
    const zone = (stored.prepare(`SELECT value FROM ledger_settings WHERE name = 'time_zone'`).get() as { value: string }).value;
    await stored.close();
    assert.match(stdout, new RegExp(`^budget · no policy: use only, no limits · ${zone.replace(/[/+]/g, "\\$&")}$`, "m"));
    assert.doesNotMatch(stdout, /days within/);
    assert.ok(!existsSync(path.join(directory, "routing-policies")));
  });
});
