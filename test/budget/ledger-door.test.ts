import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLedger } from "../../src/budget/ledger.js";
import { openStore } from "../../src/store/index.js";

async function ledgerWith(limits: { dailyUsd?: number }) {
  const store = await openStore(":memory:");
  const ledger = await createLedger({ store: store.ledger, runId: "run-1", pipelineName: "p", limits, timeZone: "UTC" });
  return { ledger };
}

describe("the ledger's door", () => {
  for (const amount of [Number.POSITIVE_INFINITY, Number.NaN, -0.01, 1e308, 1e7]) {
    it(`refuses to reserve $${amount}, and records nothing`, async () => {
      const { ledger } = await ledgerWith({ dailyUsd: 1 });
      await assert.rejects(ledger.reserve(amount), (error: Error) => {
        assert.match(error.message, /^internal error: the budget ledger was asked to reserve \$/);
        assert.match(error.message, /nothing was recorded$/);
        return true;
      });
      assert.deepEqual(await ledger.left(), { day: 1 });
    });
  }

  it("refuses to settle a non-finite amount, and the reservation stays open", async () => {
    const { ledger } = await ledgerWith({ dailyUsd: 1 });
    const reserved = await ledger.reserve(0.25);
    assert.ok(reserved.ok);
    await assert.rejects(ledger.settle(reserved.reservation, Number.POSITIVE_INFINITY), /internal error: the budget ledger was asked to settle \$Infinity/);
    assert.equal((await ledger.left()).day, 0.75);
    await ledger.settle(reserved.reservation, 0.1);
    assert.equal((await ledger.left()).day, 0.9);
  });
});
