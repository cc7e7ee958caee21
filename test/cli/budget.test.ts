import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { createLedger } from "../../src/budget/ledger.js";
import { ledgerSettingsOf } from "../../src/budget/limits.js";
import type { BudgetStatus } from "../../src/budget/status.js";
import { openStore } from "../../src/store/index.js";
import { runCliInProcess, runCliProcess, temporaryDirectory } from "../support/cli.js";
import { offlinePolicy, writeProject } from "../support/project.js";

const budgetSection = `budget:
  run_usd: 5
  daily_usd: 10
  time_zone: UTC
  alerts: [0.5, 0.8]
  per_pipeline: { release-notes: { daily_usd: 4 } }
  per_tag: { drafts: { monthly_usd: 3 } }
`;
const vanishedProcess = 999_999_004;

/** A database with $6 settled today (alert at 50%), $0.25 open in a living run and $0.50 held by a crashed one. */
async function seededProject() {
  const directory = writeProject({ "policy.yaml": `${offlinePolicy()}${budgetSection}` });
  const db = path.join(directory, "orch.db");
  const store = await openStore(db);
  const settings = ledgerSettingsOf({ run_usd: 5, daily_usd: 10, alerts: [0.5, 0.8], per_pipeline: { "release-notes": { daily_usd: 4 } }, per_tag: { drafts: { monthly_usd: 3 } } });
  const ledgerOf = async (runId: string, processId: number) =>
    await createLedger({ store: store.ledger, runId, pipelineName: "release-notes", ...settings, timeZone: "UTC", processId });
  const first = await ledgerOf("run-a", process.pid);
  for (const amount of [1.5, 1.5]) {
    const reserved = await first.reserve(amount, { tags: ["drafts"] });
    assert.ok(reserved.ok);
    await first.settle(reserved.reservation, amount);
  }
  const other = await createLedger({ store: store.ledger, runId: "run-b", pipelineName: "triage", limits: { dailyUsd: 10 }, alerts: settings.alerts, timeZone: "UTC" });
  const big = await other.reserve(3);
  assert.ok(big.ok);
  await other.settle(big.reservation, 3);
  assert.ok((await other.reserve(0.25)).ok, "left open by a living process");
  assert.ok((await (await ledgerOf("run-c", vanishedProcess)).reserve(0.5)).ok, "held by a process that crashed");
  await store.close();
  return { policyFile: path.join(directory, "policy.yaml"), db };
}

describe("orch budget", () => {
  it("shows limits, spent, reserved, expired and left per scope, and reconciles a crashed process", async () => {
    const { policyFile, db } = await seededProject();
    const { code, stdout, stderr } = await runCliInProcess(["budget", "--policy", policyFile, "--db", db]);
    assert.equal(code, 0, stderr);
    const lines = stdout.split("\n").map((line) => line.trimEnd());
    assert.match(lines[0] ?? "", /^budget · policy .*policy\.yaml · \d{4}-\d{2}-\d{2} \(UTC\) · .*orch\.db$/);
    assert.deepEqual(lines.slice(2, 9), [
      "  scope                              limit  spent  reserved  expired   left   alerts",
      "  run                                   $5  n/a outside a run (--run ID)",
      "  today                                $10  $6.00     $0.25    $0.50  $3.25      50%",
      "  this month                      no limit  $6.00     $0.25    $0.50      —        —",
      "  today · pipeline release-notes        $4  $3.00     $0.00    $0.50  $0.50      50%",
      "  this month · tag drafts               $3  $3.00     $0.00    $0.00  $0.00  50% 80%",
      "",
    ]);
    assert.match(stdout, /\nalerts at 50%, 80% of a limit; raised: this month \(tag drafts\) 50% \(\$1\.50 of \$3\), .*, today 50% \(\$6\.00 of \$10\)\n/);
    assert.match(stdout, /expired today: 1 reservation of crashed or stalled processes, counted at the worst case \(\$0\.50\)/);
    assert.match(stdout, new RegExp(`reconciled now: 1 open reservation of 1 process \\(${vanishedProcess}\\) closed as expired, \\$0\\.50 held`));

    const again = await runCliInProcess(["budget", "--policy", policyFile, "--db", db]);
    assert.doesNotMatch(again.stdout, /reconciled now/, "closed once");
    assert.match(again.stdout, /expired today: 1 reservation/);
  });

  it("shows one run's scope with --run, and the figures as JSON", async () => {
    const { policyFile, db } = await seededProject();
    const { code, stdout } = await runCliInProcess(["budget", "--policy", policyFile, "--db", db, "--run", "run-a", "--json"]);
    assert.equal(code, 0);
    const status = JSON.parse(stdout) as BudgetStatus & { alertFractions: number[]; reconciled: { expired: { processId: number }[] } };
    assert.deepEqual(status.alertFractions, [0.5, 0.8]);
    assert.deepEqual(status.scopes[0], { scope: "run", period: "run-a", limitUsd: 5, leftUsd: 2, spentUsd: 3, reservedUsd: 0, expiredUsd: 0, expiredCount: 0, alertsCrossed: [0.5] });
    assert.deepEqual(status.reconciled.expired.map((row) => row.processId), [vanishedProcess]);
    assert.deepEqual(
      status.alerts.map((alert) => `${alert.scope} ${alert.subject?.name ?? ""} ${alert.fraction}`),
      ["month drafts 0.5", "run  0.5", "day release-notes 0.5", "month drafts 0.8", "day  0.5"],
    );
  });

  it("shows spend without limits when there is no policy", async () => {
    const directory = temporaryDirectory();
    const { code, stdout } = await runCliProcess(["budget", "--db", "orch.db"], { cwd: directory });
    assert.equal(code, 0);
    assert.match(stdout, /^budget · no policy \(pass --policy\): spend only, no limits · /);
    assert.match(stdout, /\n {2}today +no limit +\$0\.00 +\$0\.00 +\$0\.00 +— +—\n/);
    assert.match(stdout, /no alerts configured \(budget\.alerts\)/);
  });

  it("answers bad usage with exit 2", async () => {
    const { code, stderr } = await runCliInProcess(["budget", "today"]);
    assert.equal(code, 2);
    assert.match(stderr, /unexpected argument "today"/);
  });
});
