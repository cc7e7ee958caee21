import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { createLedger } from "../../src/budget/ledger.js";
import { openStore } from "../../src/store/index.js";
import { runCliInProcess } from "../support/cli.js";
import { offlinePolicy, writeProject } from "../support/project.js";

/** A project whose ledger has $6 settled now, under a monthly limit of `monthlyUsd`. */
async function projectWithSpend(monthlyUsd: number) {
  const directory = writeProject({ "policy.yaml": `${offlinePolicy()}budget:\n  monthly_usd: ${monthlyUsd}\n  time_zone: UTC\n` });
  const db = path.join(directory, "orch.db");
  const store = await openStore(db);
  const ledger = await createLedger({ store: store.ledger, runId: "run-a", pipelineName: "p", limits: {}, alerts: [], timeZone: "UTC" });
  const reserved = await ledger.reserve(6);
  assert.ok(reserved.ok);
  await ledger.settle(reserved.reservation, 6);
  await store.close();
  return { policyFile: path.join(directory, "policy.yaml"), db };
}

describe("orch budget and orch report: month-end forecast", () => {
  it("alerts when the projection crosses the monthly limit (any projection of $6 spent is above $5)", async () => {
    const { policyFile, db } = await projectWithSpend(5);
    const budget = await runCliInProcess(["budget", "--policy", policyFile, "--db", db]);
    assert.match(budget.stdout, /forecast alert: \$6\.00 spent in \d{4}-\d{2} over [\d.]+ of \d{2} days → \$[\d.,]+ projected by month end, above the \$5 monthly limit/);
    const json = JSON.parse((await runCliInProcess(["budget", "--policy", policyFile, "--db", db, "--json"])).stdout);
    assert.equal(json.forecast.spentUsd, 6);
    assert.equal(json.forecast.overLimit, true);
    const report = await runCliInProcess(["report", "--policy", policyFile, "--db", db, "--since", "1d"]);
    assert.match(report.stdout, /forecast alert: \$6\.00 spent in/);
  });

  it("says the projection is within a limit it cannot reach this month", async () => {
    // $6 over at least one day, times at most 31 days, is at most $186.
    const { policyFile, db } = await projectWithSpend(1000);
    const budget = await runCliInProcess(["budget", "--policy", policyFile, "--db", db]);
    assert.match(budget.stdout, /forecast: \$6\.00 spent in .* projected by month end, within the \$1000 monthly limit/);
  });
});
