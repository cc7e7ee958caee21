import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { createLedger, isProcessAlive, reconcileLedger } from "../../src/budget/index.js";
import { openStore, type OrchStore } from "../../src/store/index.js";

const deadProcess = 999_999_001;
const livingProcess = 999_999_002;
const isAlive = (processId: number) => processId !== deadProcess;
let clock = new Date("2026-03-10T12:00:00Z");

function ledgerOf(store: OrchStore, processId: number, runId = `run-${processId}`) {
  return createLedger({ store: store.ledger, runId, pipelineName: "p", limits: { dailyUsd: 1 }, timeZone: "UTC", now: () => clock, processId, reservationTtlMs: 60_000 });
}

describe("reconciliation", () => {
  it("expires the open reservations of a vanished process, which keep counting at their worst case", async () => {
    const store = await openStore(":memory:");
    assert.ok((await (await ledgerOf(store, deadProcess)).reserve(0.4)).ok);
    assert.ok((await (await ledgerOf(store, livingProcess)).reserve(0.1)).ok);
    const report = await reconcileLedger(store.ledger, { now: clock, isProcessAlive: isAlive });
    assert.deepEqual(report, {
      expired: [{ id: 1, runId: `run-${deadProcess}`, pipelineName: "p", processId: deadProcess, amountUsd: 0.4, createdAt: clock.toISOString(), reason: "process-gone" }],
      heldUsd: 0.4,
    });
    assert.equal(await store.ledger.openReservationCount(), 1, "the living process keeps its reservation");
    assert.equal((await (await ledgerOf(store, livingProcess)).reserve(0.6)).ok, false, "0.4 expired + 0.1 open + 0.6 > 1");
    assert.deepEqual((await reconcileLedger(store.ledger, { now: clock, isProcessAlive: isAlive })).expired, [], "reported once");
  });

  it("expires reservations past their time-to-live, whatever their process", async () => {
    const store = await openStore(":memory:");
    const ledger = await ledgerOf(store, livingProcess);
    assert.ok((await ledger.reserve(0.2)).ok);
    clock = new Date(clock.getTime() + 61_000);
    assert.deepEqual(
      (await ledger.reconcile()).expired.map((row) => [row.id, row.reason]),
      [[1, "overdue"]],
    );
  });

  it("lets a slow process settle or release a reservation that expired meanwhile", async () => {
    const store = await openStore(":memory:");
    const ledger = await ledgerOf(store, deadProcess);
    const first = await ledger.reserve(0.5);
    const second = await ledger.reserve(0.3);
    assert.ok(first.ok && second.ok);
    await reconcileLedger(store.ledger, { now: clock, isProcessAlive: isAlive });
    await ledger.settle(first.reservation, 0.05);
    await ledger.release(second.reservation);
    assert.deepEqual(await ledger.left(), { day: 0.95 });
  });

  it("asks the operating system whether a process still runs", async () => {
    assert.equal(isProcessAlive(process.pid), true);
    const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    assert.equal(isProcessAlive(Number(child.stdout)), false);
  });
});
