import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLedger, usdToNano, nanoToUsd } from "../../src/budget/ledger.js";
import { calendarKeys } from "../../src/budget/calendar.js";
import { openStore } from "../../src/store/index.js";

async function ledgerWith(limits: { runUsd?: number; dailyUsd?: number; monthlyUsd?: number }, options: { runId?: string; now?: () => Date; ttl?: number } = {}) {
  const store = await openStore(":memory:");
  const ledger = await createLedger({
    store: store.ledger,
    runId: options.runId ?? "run-1",
    pipelineName: "p",
    limits,
    timeZone: "UTC",
    ...(options.now ? { now: options.now } : {}),
    ...(options.ttl === undefined ? {} : { reservationTtlMs: options.ttl }),
  });
  return { store, ledger };
}

describe("ledger", () => {
  it("reserves while the worst case fits, then refuses with the scope and a sentence", async () => {
    const { ledger } = await ledgerWith({ runUsd: 0.1 });
    const first = await ledger.reserve(0.06);
    assert.ok(first.ok);
    const second = await ledger.reserve(0.06);
    assert.equal(second.ok, false);
    assert.equal(!second.ok && second.refusal.scope, "run");
    assert.equal(!second.ok && second.refusal.reason, "worst case $0.0600 exceeds the $0.04 left this run (limit $0.10)");
  });

  it("frees the difference on settle and everything on release", async () => {
    const { ledger } = await ledgerWith({ runUsd: 0.1 });
    const first = await ledger.reserve(0.08);
    assert.ok(first.ok);
    await ledger.settle(first.reservation, 0.01);
    assert.equal((await ledger.left()).run, 0.09);
    const second = await ledger.reserve(0.09);
    assert.ok(second.ok);
    await ledger.release(second.reservation);
    assert.equal((await ledger.left()).run, 0.09);
  });

  it("counts day and month across runs", async () => {
    const store = await openStore(":memory:");
    const make = (runId: string) => createLedger({ store: store.ledger, runId, pipelineName: "p", limits: { dailyUsd: 1 }, timeZone: "UTC" });
    const first = await (await make("a")).reserve(0.7);
    assert.ok(first.ok);
    const refused = await (await make("b")).reserve(0.4);
    assert.equal(!refused.ok && refused.refusal.scope, "day");
    assert.match(!refused.ok ? refused.refusal.reason : "", /left today/);
  });

  it("counts an expired reservation of a vanished process at its worst case and closes it", async () => {
    let now = new Date("2026-01-01T10:00:00Z");
    const { store, ledger } = await ledgerWith({ dailyUsd: 1 }, { now: () => now, ttl: 1000 });
    assert.ok((await ledger.reserve(0.6)).ok);
    now = new Date("2026-01-01T10:00:05Z");
    assert.equal((await ledger.reserve(0.6)).ok, false, "the expired reservation still counts");
    assert.equal(await store.ledger.openReservationCount(), 0, "but it is no longer open");
  });

  it("rounds money up to whole nano-dollars, never down", async () => {
    assert.equal(usdToNano(0.000000001), 1);
    assert.equal(usdToNano(0.0000000011), 2);
    assert.equal(usdToNano(0.1 + 0.2), 300_000_000);
    assert.equal(nanoToUsd(1_500_000_000), 1.5);
  });

  it("derives calendar keys in the configured time zone", async () => {
    const moment = new Date("2026-03-31T23:30:00Z");
    assert.deepEqual(calendarKeys(moment, "UTC"), { day: "2026-03-31", month: "2026-03" });
    assert.deepEqual(calendarKeys(moment, "Europe/Paris"), { day: "2026-04-01", month: "2026-04" });
  });
});
