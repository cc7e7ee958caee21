/**
 * `--run`, `--pipeline` and windows on `orch report` and `orch budget`, and the HTML page's per-run
 * drill-down, over the fixture database (runs r0–r6 of pipelines notes and triage; every figure
 * below is summed by hand from `support/report-fixture.ts`).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { before, describe, it } from "node:test";
import type { Report } from "../../src/report/index.js";
import { runCliInProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { fixturePolicy, reportDatabaseFile } from "./support/report-fixture.js";

const march = ["--from", "2025-03-01", "--to", "2025-03-09"];

describe("report and budget filters", () => {
  let directory: string;
  let db: string;
  let policy: string;
  before(async () => {
    directory = writeProject({ "policy.yaml": fixturePolicy });
    db = await reportDatabaseFile(directory);
    policy = path.join(directory, "policy.yaml");
  });
  const report = async (args: string[]) => {
    const result = await runCliInProcess(["report", ...args, "--policy", policy, "--db", db, "--json"]);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as Report;
  };

  it("--pipeline keeps one pipeline's calls", async () => {
    // triage: r4, r5, r6 classify on gpt-mini at $0.003 each, and r6's label on the subscription CLI at $0.
    const triage = await report([...march, "--pipeline", "triage"]);
    assert.equal(triage.totals.callsMade, 4);
    assert.equal(triage.totals.spendUsd, 0.009);
    assert.match(triage.window.label, /· pipeline triage$/);
    assert.deepEqual(triage.runs.map((run) => run.runId), ["r6", "r5", "r4"]);
  });

  it("--run alone covers that run, whenever it was", async () => {
    // r2: summarise $0.04, draft's llama answer rejected ($0) then gpt-big $0.05, headline from the cache.
    const r2 = await report(["--run", "r2"]);
    assert.equal(r2.totals.callsMade, 3);
    assert.equal(r2.totals.cachedCalls, 1);
    assert.equal(r2.totals.spendUsd, 0.09);
    assert.deepEqual(r2.runs.map((run) => run.runId), ["r2"]);
    assert.deepEqual(
      r2.runs[0]!.steps.map((step) => [step.step, step.attempts.map((attempt) => `${attempt.model} ${attempt.status}${attempt.rejection ? ` (${attempt.rejection})` : ""}`)]),
      [
        ["summarise", ["openai:gpt-big succeeded"]],
        ["draft", ["local:llama succeeded (not valid JSON)", "openai:gpt-big succeeded"]],
        ["headline", ["openai:gpt-mini cached"]],
      ],
    );
  });

  it("refuses a run or a pipeline the database does not know (exit 2)", async () => {
    const run = await runCliInProcess(["report", "--run", "r9", "--db", db]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--run: no run "r9" in .*orch\.db/);
    const pipeline = await runCliInProcess(["report", "--pipeline", "notse", "--db", db]);
    assert.equal(pipeline.code, 2);
    assert.match(pipeline.stderr, /--pipeline: no run of a pipeline named "notse"[^\n]*\n.*did you mean "notes"\?/);
    const budget = await runCliInProcess(["budget", "--pipeline", "nope", "--db", db]);
    assert.equal(budget.code, 2);
  });

  it("the HTML page opens each run on its steps, attempts, costs and checks", async () => {
    const html = path.join(directory, "r.html");
    const result = await runCliInProcess(["report", ...march, "--policy", policy, "--db", db, "--html", html]);
    assert.equal(result.code, 0, result.stderr);
    const page = readFileSync(html, "utf8");
    for (const id of ["r1", "r2", "r3", "r4", "r5", "r6"]) assert.match(page, new RegExp(`<details class="run" id="run-${id}"><summary>${id} · `));
    assert.doesNotMatch(page, /id="run-r0"/, "r0 is in February, outside the window");
    const r2 = page.slice(page.indexOf('id="run-r2"'), page.indexOf("</details>", page.indexOf('id="run-r2"')));
    assert.match(r2, /<summary>r2 · notes · 2025-03-04T09:00:00\.000Z · 3 step executions · 4 attempts · \$0\.0900<\/summary>/);
    assert.match(r2, /<td>draft \(succeeded\)<\/td><td>1<\/td><td>local:llama<\/td><td>succeeded<\/td><td class="number">800<\/td><td class="number">300<\/td><td class="number">\$0<\/td><td>not valid JSON<\/td>/);
  });

  it("budget --pipeline shows that pipeline's day and month; a window sums what the ledger counted", async () => {
    const result = await runCliInProcess(["budget", "--pipeline", "notes", ...march, "--policy", policy, "--db", db, "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout);
    assert.deepEqual(
      json.scopes.map((scope: { scope: string; subject?: { kind: string; name: string } }) => `${scope.scope} ${scope.subject?.kind} ${scope.subject?.name}`),
      ["day pipeline notes", "month pipeline notes"],
    );
    // r1 $0.092 + r2 $0.09 + r3 $0.093 (the ledger settles every call; cache hits reserve nothing).
    assert.deepEqual({ realUsd: json.window.realUsd, syntheticUsd: json.window.syntheticUsd, runs: json.window.runs }, { realUsd: 0.275, syntheticUsd: 0, runs: 3 });
    const text = await runCliInProcess(["budget", "--pipeline", "triage", ...march, "--policy", policy, "--db", db]);
    assert.match(text.stdout, /\nwindow 2025-03-01 to 2025-03-09 \(2025-03-01 – 2025-03-09\) · pipeline triage: \$0\.0090 counted by the ledger over 3 runs\n/);
  });
});
