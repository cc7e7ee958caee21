import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { budgetStatus, createLedger, reconcileLedger, type BudgetLimits } from "../../src/budget/index.js";
import { openStore } from "../../src/store/index.js";

const at = new Date("2026-03-10T12:00:00Z");
const limits: BudgetLimits = { runUsd: 2, dailyUsd: 10, perPipeline: { "release-notes": { dailyUsd: 4 } }, perTag: { drafts: { monthlyUsd: 3 } } };

async function seededStore() {
  const store = await openStore(":memory:");
  const ledgerOf = (processId: number) =>
    createLedger({ store: store.ledger, runId: "run-1", pipelineName: "release-notes", limits, timeZone: "UTC", now: () => at, processId, alerts: [0.5, 0.8] });
  const living = await ledgerOf(process.pid);
  const settled = await living.reserve(1.5, { tags: ["drafts"] });
  assert.ok(settled.ok);
  await living.settle(settled.reservation, 1.25);
  assert.ok((await living.reserve(0.25)).ok, "left open");
  assert.ok((await (await ledgerOf(999_999_003)).reserve(0.125)).ok, "held by a vanished process");
  await reconcileLedger(store.ledger, { now: at, isProcessAlive: (processId) => processId !== 999_999_003 });
  return store;
}

describe("budgetStatus", () => {
  it("shows per scope the limit, spent, reserved, expired and left, and the alerts crossed", async () => {
    const status = await budgetStatus((await seededStore()).ledger, limits, "UTC", at, { runId: "run-1" });
    const row = (spentUsd: number, limitUsd: number | undefined, alertsCrossed: number[] = [], calendar = true) => ({
      spentUsd,
      reservedUsd: 0.25,
      expiredUsd: 0.125,
      expiredCount: 1,
      ...(calendar ? { syntheticUsd: 0 } : {}),
      ...(limitUsd === undefined ? {} : { limitUsd, leftUsd: limitUsd - 1.625 }),
      alertsCrossed,
    });
    assert.deepEqual(
      status.scopes.map(({ scope, subject, period, ...figures }) => ({ scope, subject, period, figures })),
      [
        { scope: "run", subject: undefined, period: "run-1", figures: row(1.25, 2, [0.5], false) },
        { scope: "day", subject: undefined, period: "2026-03-10", figures: row(1.25, 10) },
        { scope: "month", subject: undefined, period: "2026-03", figures: row(1.25, undefined) },
        { scope: "day", subject: { kind: "pipeline", name: "release-notes" }, period: "2026-03-10", figures: row(1.25, 4) },
        {
          scope: "month",
          subject: { kind: "tag", name: "drafts" },
          period: "2026-03",
          figures: { spentUsd: 1.25, reservedUsd: 0, expiredUsd: 0, expiredCount: 0, syntheticUsd: 0, limitUsd: 3, leftUsd: 1.75, alertsCrossed: [] },
        },
      ],
    );
    assert.deepEqual(status.alerts, [{ scope: "run", period: "run-1", fraction: 0.5, usedUsd: 1.25, limitUsd: 2, at: at.toISOString() }]);
  });

  it("leaves the run scope out outside a run", async () => {
    const status = await budgetStatus((await seededStore()).ledger, limits, "UTC", at);
    assert.equal(status.runId, undefined);
    assert.deepEqual(status.scopes.map((scope) => scope.scope), ["day", "month", "day", "month"]);
    assert.deepEqual(status.alerts, []);
  });
});
