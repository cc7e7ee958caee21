/**
 * The history contract (`HistoryStore`) against every store: what routing learns from (settled
 * calls with the targets rejected before them), cool-downs (recent outcomes per provider), daily
 * caps (calls since) and watch mode's cost today.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { CallRecord } from "../../../src/contracts/run-store.js";
import type { OrchStore } from "../../../src/contracts/orch-store.js";
import { describeEachStore } from "./stores.js";
import { at, callRecord, recordCall, startRun } from "./support/fixtures.js";

describeEachStore("history contract", (current) => {
  async function seed(store: OrchStore): Promise<void> {
    const one = (await startRun(store, "run-1")).get("draft")!;
    const two = (await startRun(store, "run-2")).get("draft")!;
    const call = async (runId: string, step: number, overrides: Partial<CallRecord>) => (await recordCall(store, callRecord(runId, step, overrides), { answer: "a" })).callId;
    const mini = await call("run-1", one, { attempt: 1, model: "mini", startedAt: at(1) });
    await store.executions.rejectAnswer(mini, "schema", undefined, undefined);
    await store.executions.recordVerdict(mini, "rejected", at(2), "typescript");
    const haiku = await call("run-1", one, { attempt: 2, provider: "anthropic", model: "haiku", startedAt: at(2) });
    await store.executions.rejectAnswer(haiku, "tests failed", "1 failing", undefined);
    await store.executions.recordVerdict(haiku, "rejected", at(3), "typescript");
    const big = await call("run-1", one, { attempt: 3, model: "big", startedAt: at(3), costUsd: 0.5 });
    await store.executions.recordVerdict(big, "accepted", at(4), "typescript");
    const item = await call("run-1", one, { attempt: 1, itemIndex: 0, startedAt: at(4) });
    await store.executions.recordVerdict(item, "accepted", at(5), undefined);
    await call("run-1", one, { attempt: 1, itemIndex: 1, startedAt: at(5) }); // no verdict yet, run still going: not settled
    await call("run-1", one, { attempt: 2, itemIndex: 0, status: "failed", costUsd: 0, errorKind: "server", startedAt: at(6) });
    await call("run-2", two, { attempt: 1, startedAt: at(7), costUsd: 0.125 }); // no verdict, but its run finished: accepted
    await store.runs.finishRun("run-2", "succeeded", at(8), 0);
    await call("run-2", two, { attempt: 1, startedAt: "2026-03-09T23:59:59.999Z" }); // before the window
  }

  const settled = (id: number, unit: string, target: string, accepted: 0 | 1, costUsd: number, failedBefore: string | null, verdictAt: string | null, language: string | null) => ({
    id, unit, step: "draft", inputTokens: 100, outputTokens: 20, target, task: "writing", language, accepted, costUsd, failedBefore, verdictAt,
  });

  it("answers settled calls with a verdict, or of a finished run, each with the targets rejected before it on the same request", async () => {
    const store = current();
    await seed(store);
    assert.deepEqual(await store.history.settledCalls("2026-03-10T00:00:00.000Z"), [
      settled(1, "run-1|draft|", "openai:mini", 0, 0.25, null, at(2), "typescript"),
      settled(2, "run-1|draft|", "anthropic:haiku", 0, 0.25, "openai:mini", at(3), "typescript"),
      settled(3, "run-1|draft|", "openai:big", 1, 0.5, "openai:mini anthropic:haiku", at(4), "typescript"),
      settled(4, "run-1|draft|0", "openai:mini", 1, 0.25, null, at(5), null),
      settled(7, "run-2|draft|", "openai:mini", 1, 0.125, null, null, null),
    ]);
    assert.deepEqual((await store.history.settledCalls(at(3, 1))).map((row) => row.id), [4, 7]);
    assert.deepEqual((await store.history.settledCallsSince(at(4), "run-2")).map((row) => row.id), [3, 4], "verdicts from the instant on, of other runs");
    assert.deepEqual((await store.history.settledCallsSince(at(2), "run-1")).map((row) => row.id), [], "a verdict-less row has no verdict instant");
  });

  it("answers each provider's latest outcomes, newest first; counts calls and sums costs exactly since an instant", async () => {
    const store = current();
    const step = (await startRun(store, "run-1")).get("draft")!;
    const outcome = (provider: string, minute: number, status: "succeeded" | "failed" | "cached", costUsd: number, errorKind?: string) =>
      recordCall(store, callRecord("run-1", step, { provider, status, costUsd, startedAt: at(minute), finishedAt: at(minute, 30), ...(errorKind ? { errorKind } : {}) }));
    await outcome("openai", 1, "failed", 0, "rate_limit");
    await outcome("openai", 2, "succeeded", 0.1);
    await outcome("anthropic", 3, "failed", 0, "server");
    await outcome("openai", 4, "cached", 0);
    await outcome("openai", 5, "failed", 0.2, "timeout");
    await outcome("anthropic", 6, "succeeded", 0.3);
    assert.deepEqual(await store.history.recentOutcomes(at(1, 30), 2), [
      { provider: "anthropic", status: "succeeded", errorKind: null, finishedAt: at(6, 30) },
      { provider: "anthropic", status: "failed", errorKind: "server", finishedAt: at(3, 30) },
      { provider: "openai", status: "failed", errorKind: "timeout", finishedAt: at(5, 30) },
      { provider: "openai", status: "succeeded", errorKind: null, finishedAt: at(2, 30) },
    ]);
    assert.deepEqual(
      (await store.history.recentOutcomes(at(2, 31), 5)).map((row) => [row.provider, row.finishedAt]),
      [["anthropic", at(6, 30)], ["anthropic", at(3, 30)], ["openai", at(5, 30)]],
    );
    assert.equal(await store.history.callsSince("openai", at(1)), 3, "a cache hit is not a call");
    assert.equal(await store.history.callsSince("openai", at(2)), 2);
    assert.equal(await store.history.callsSince("mistral", at(0)), 0);
    assert.equal(await store.history.costSince(at(1)), 0.6, "0.1 + 0.2 + 0.3 summed as SQLite does, compensated (one double after the other gives 0.6000000000000001)");
    assert.equal(await store.history.costSince(at(5)), 0.5);
    assert.equal(await store.history.costSince(at(7)), 0);
  });
});
