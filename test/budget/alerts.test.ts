import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { createLedger, type BudgetAlert, type BudgetLimits, type Ledger } from "../../src/budget/index.js";
import { openStore, type OrchStore } from "../../src/store/index.js";
import { temporaryDirectory } from "../support/cli.js";

async function ledgerOf(store: OrchStore, limits: BudgetLimits, options: { runId?: string; pipelineName?: string; at?: () => Date; onAlert?: (alert: BudgetAlert) => void } = {}) {
  return createLedger({
    store: store.ledger,
    runId: options.runId ?? "run-1",
    pipelineName: options.pipelineName ?? "release-notes",
    limits,
    timeZone: "UTC",
    now: options.at ?? (() => new Date("2026-03-10T12:00:00Z")),
    alerts: [0.5, 0.8, 0.95],
    ...(options.onAlert ? { onAlert: options.onAlert } : {}),
  });
}

async function spend(ledger: Ledger, usd: number): Promise<BudgetAlert[]> {
  const reserved = await ledger.reserve(usd);
  assert.ok(reserved.ok, "the reservation fits");
  return await ledger.settle(reserved.reservation, usd);
}

describe("soft alerts", () => {
  it("are returned by the settle that reaches a fraction, with the figures", async () => {
    const ledger = await ledgerOf(await openStore(":memory:"), { dailyUsd: 10 });
    assert.deepEqual(await spend(ledger, 4), []);
    assert.deepEqual(await spend(ledger, 1.5), [
      { scope: "day", period: "2026-03-10", fraction: 0.5, usedUsd: 5.5, limitUsd: 10, at: "2026-03-10T12:00:00.000Z" },
    ]);
  });

  it("give every fraction a big settle jumps over, each once", async () => {
    const alerts: BudgetAlert[] = [];
    const ledger = await ledgerOf(await openStore(":memory:"), { dailyUsd: 10 }, { onAlert: (alert) => alerts.push(alert) });
    assert.deepEqual((await spend(ledger, 9.6)).map((alert) => alert.fraction), [0.5, 0.8, 0.95]);
    assert.deepEqual(await spend(ledger, 0.1), []);
    assert.deepEqual(alerts.map((alert) => alert.fraction), [0.5, 0.8, 0.95], "onAlert sees the same alerts");
  });

  it("count spend, not open reservations", async () => {
    const ledger = await ledgerOf(await openStore(":memory:"), { dailyUsd: 10 });
    assert.ok((await ledger.reserve(8)).ok);
    assert.deepEqual(await spend(ledger, 0.5), []);
  });

  it("are raised once per period across processes sharing the database", async () => {
    const file = path.join(temporaryDirectory("orch-alerts-"), "orch.db");
    const [first, second] = [(await openStore(file)), (await openStore(file))];
    const limits = { dailyUsd: 10 };
    assert.equal((await spend(await ledgerOf(first, limits, { runId: "a" }), 6)).length, 1);
    assert.deepEqual(await spend(await ledgerOf(second, limits, { runId: "b" }), 0.1), [], "the other connection sees it was raised");
    const tomorrow = await ledgerOf(second, limits, { runId: "c", at: () => new Date("2026-03-11T09:00:00Z") });
    assert.deepEqual((await spend(tomorrow, 6)).map((alert) => `${alert.period} ${alert.fraction}`), ["2026-03-11 0.5"]);
    await first.close();
    await second.close();
  });

  it("name the pipeline or tag of a scoped limit, and each scope alerts on its own", async () => {
    const store = await openStore(":memory:");
    const limits = { runUsd: 100, monthlyUsd: 100, perPipeline: { "release-notes": { dailyUsd: 2 } } };
    assert.deepEqual(await spend(await ledgerOf(store, limits), 1.2), [
      { scope: "day", subject: { kind: "pipeline", name: "release-notes" }, period: "2026-03-10", fraction: 0.5, usedUsd: 1.2, limitUsd: 2, at: "2026-03-10T12:00:00.000Z" },
    ]);
    assert.deepEqual(
      (await spend(await ledgerOf(store, limits, { pipelineName: "triage" }), 50)).map((alert) => [alert.scope, alert.period, alert.fraction]),
      [["run", "run-1", 0.5], ["month", "2026-03", 0.5]],
    );
  });
});
