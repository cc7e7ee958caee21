/**
 * The report queries' contract (`ReportStore`) against every store: windows are [from, to), rows
 * oldest first; averages and ledger sums come out as SQLite computes them; names order bytewise.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { describeEachStore } from "./stores.js";
import { at, callRecord, recordCall, reserve, startRun, t0 } from "./support/fixtures.js";

describeEachStore("report store contract", (current) => {
  it("answers the calls started in [from, to) with their last attempt and their step's fate", async () => {
    const store = current();
    const ids = await startRun(store, "run-1", {}, ["draft", "review"]);
    const draft = ids.get("draft")!;
    await recordCall(store, callRecord("run-1", draft, { attempt: 1, startedAt: at(1), cachedInputTokens: 40, cacheWriteTokens: 5, cacheWrite1hTokens: 6, providerCacheSavedNano: 1234, latencyMs: 900 }), { answer: "x" });
    await store.executions.rejectAnswer(1, "schema", "tail", 1);
    await recordCall(store, callRecord("run-1", draft, { attempt: 2, model: "big", startedAt: at(2), synthetic: true }));
    await recordCall(store, callRecord("run-1", draft, { attempt: 1, itemIndex: 0, status: "failed", errorKind: "server", costUsd: 0, startedAt: at(3) }));
    await recordCall(store, callRecord("run-1", ids.get("review")!, { step: "review", status: "cached", costUsd: 0, startedAt: at(4) }));
    await store.runs.finishStep(draft, { status: "succeeded", finishedAt: at(5), attempts: 2, inputTokens: 0, outputTokens: 0, costUsd: 0.5 });

    const rows = await store.reports.callsBetween(at(1), at(4));
    assert.deepEqual(rows[0], {
      id: 1, runId: "run-1", stepExecutionId: draft, step: "draft", itemIndex: null, attempt: 1, lastAttempt: 2, pipelineName: "notes", task: "writing",
      provider: "openai", providerType: "openai", model: "mini", promptSha256: "prompt-sha", cacheKey: "key-a", status: "succeeded", replaysOwnAnswer: false, inputTokens: 100,
      outputTokens: 20, cachedInputTokens: 40, cacheWriteTokens: 11, providerCacheSavedNano: 1234, costUsd: 0.25, latencyMs: 900, errorKind: null,
      rejectionReason: "schema", checkerOutput: "tail", synthetic: false, startedAt: at(1), stepStatus: "succeeded",
    });
    assert.deepEqual(
      rows.map((row) => [row.id, row.attempt, row.lastAttempt, row.itemIndex, row.synthetic, row.errorKind, row.stepStatus]),
      [[1, 1, 2, null, false, null, "succeeded"], [2, 2, 2, null, true, null, "succeeded"], [3, 1, 1, 0, false, "server", "succeeded"]],
      "the cached call at the window's end is outside it",
    );
    assert.deepEqual(await store.reports.callsBetween(at(4), at(5)).then((found) => found.map((row) => [row.id, row.stepStatus])), [[4, "running"]]);
  });

  it("marks a cached row that serves its unit's own answer again, paid by the same run (a resume's replay), and no other", async () => {
    const store = current();
    const ids = await startRun(store, "run-1", {}, ["draft", "review"]);
    const draft = ids.get("draft")!;
    const review = ids.get("review")!;
    await recordCall(store, callRecord("run-1", draft, { startedAt: at(1), cacheKey: "key-a", itemIndex: 0 }), { answer: "a" });
    await recordCall(store, callRecord("run-1", draft, { startedAt: at(2), cacheKey: "key-b", itemIndex: 1 }), { answer: "b" });
    await store.executions.rejectAnswer(2, "schema", "tail", 2);
    const cached = { status: "cached" as const, costUsd: 0 };
    await recordCall(store, callRecord("run-1", draft, { ...cached, startedAt: at(3), cacheKey: "key-a", itemIndex: 0 }));
    await recordCall(store, callRecord("run-1", draft, { ...cached, startedAt: at(3), cacheKey: "key-a", itemIndex: 1 }));
    await recordCall(store, callRecord("run-1", review, { ...cached, step: "review", startedAt: at(3), cacheKey: "key-a", itemIndex: 0 }));
    await recordCall(store, callRecord("run-1", draft, { ...cached, startedAt: at(3), cacheKey: "key-b", itemIndex: 1 }));
    const otherRun = (await startRun(store, "run-2")).get("draft")!;
    await recordCall(store, callRecord("run-2", otherRun, { ...cached, runId: "run-2", startedAt: at(3), cacheKey: "key-a", itemIndex: 0 }));
    const rows = await store.reports.callsBetween(at(0), at(4));
    assert.deepEqual(
      rows.map((row) => [row.runId, row.step, row.itemIndex, row.cacheKey, row.status, row.replaysOwnAnswer]),
      [
        ["run-1", "draft", 0, "key-a", "succeeded", false],
        ["run-1", "draft", 1, "key-b", "succeeded", false],
        ["run-1", "draft", 0, "key-a", "cached", true],
        ["run-1", "draft", 1, "key-a", "cached", false],
        ["run-1", "review", 0, "key-a", "cached", false],
        ["run-1", "draft", 1, "key-b", "cached", false],
        ["run-2", "draft", 0, "key-a", "cached", false],
      ],
      "only the same run, step, item and key after an answer its checks did not reject",
    );
  });

  it("names the team and project a call's run spent for, from the run's reservations; none when its policy named none", async () => {
    const store = current();
    const teamStep = (await startRun(store, "run-1")).get("draft")!;
    const plainStep = (await startRun(store, "run-2")).get("draft")!;
    await reserve(store, 100, { runId: "run-1", team: "platform", project: "app" });
    await reserve(store, 100, { runId: "run-2" });
    await recordCall(store, callRecord("run-1", teamStep, { startedAt: at(1) }));
    await recordCall(store, callRecord("run-2", plainStep, { runId: "run-2", startedAt: at(2) }));
    const rows = await store.reports.callsBetween(at(0), at(3));
    assert.deepEqual(rows.map((row) => [row.runId, row.team, row.project]), [["run-1", "platform", "app"], ["run-2", undefined, undefined]]);
    assert.equal("team" in rows[1]!, false, "absent, not null");
  });

  it("averages successful paid calls over all time as SQLite does, and the cost of the answers behind a window's hits", async () => {
    const store = current();
    const step = (await startRun(store, "run-1")).get("draft")!;
    for (const [minute, costUsd] of [[1, 0.1], [2, 0.2], [3, 0.3]] as const) await recordCall(store, callRecord("run-1", step, { startedAt: at(minute), costUsd, cacheKey: "key-a" }), { answer: "a" });
    await recordCall(store, callRecord("run-1", step, { startedAt: at(4), costUsd: 0.75, model: "big", cacheKey: "key-b" }), { answer: "b" });
    await recordCall(store, callRecord("run-1", step, { startedAt: at(5), status: "failed", costUsd: 9, model: "big" }));
    await recordCall(store, callRecord("run-1", step, { startedAt: at(6), status: "cached", costUsd: 0, cacheKey: "key-a" }));
    await recordCall(store, callRecord("run-1", step, { startedAt: at(7), status: "cached", costUsd: 0, cacheKey: "key-b" }));
    const average = { pipelineName: "notes", step: "draft", task: "writing", provider: "openai" };
    assert.deepEqual(await store.reports.averageSuccessfulCosts(), [
      { ...average, model: "big", calls: 1, averageCostUsd: 0.75 },
      // (0.1 + 0.2 + 0.3) summed as SQLite does, compensated, to 0.6, then divided by 3 in floating point.
      { ...average, model: "mini", calls: 3, averageCostUsd: 0.19999999999999998 },
    ]);
    assert.deepEqual(await store.reports.cachedAnswerCosts(at(6), at(7)), [{ cacheKey: "key-a", costUsd: 0.19999999999999998 }]);
    assert.deepEqual(await store.reports.cachedAnswerCosts(at(7), at(8)), [{ cacheKey: "key-b", costUsd: 0.75 }]);
    assert.deepEqual(await store.reports.cachedAnswerCosts(at(1), at(6)), [], "no hit in the window");
  });

  it("sums what the ledger counted per day, run and pipeline, and per tag, for the months asked", async () => {
    const store = current();
    const settled = await reserve(store, 1000, { tags: ["hot"] });
    await store.ledger.settle(settled, 700, at(1));
    const released = await reserve(store, 500, { tags: ["hot"] });
    await store.ledger.release(released, at(1));
    await reserve(store, 300, { tags: ["hot", "cold"] });
    await reserve(store, 50, { synthetic: true });
    await reserve(store, 20, { day: "2026-03-11", runId: "run-2", pipelineName: "Zeta" });
    await reserve(store, 40, { day: "2026-03-11", runId: "run-2", pipelineName: "Zeta", expiresAt: at(2) });
    await store.ledger.expireReservations(at(3), []);
    await reserve(store, 9, { day: "2026-04-01", month: "2026-04", runId: "run-3" });
    assert.deepEqual(await store.reports.ledgerUse("2026-03", "2026-03"), [
      { day: "2026-03-10", month: "2026-03", runId: "run-1", pipelineName: "notes", synthetic: 0, usedNanoUsd: 1000 },
      { day: "2026-03-10", month: "2026-03", runId: "run-1", pipelineName: "notes", synthetic: 1, usedNanoUsd: 50 },
      { day: "2026-03-11", month: "2026-03", runId: "run-2", pipelineName: "Zeta", synthetic: 0, usedNanoUsd: 60 },
    ]);
    assert.equal((await store.reports.ledgerUse("2026-03", "2026-04")).length, 4);
    assert.deepEqual(await store.reports.ledgerUseByTag("2026-01", "2026-12"), [
      { tag: "cold", day: "2026-03-10", month: "2026-03", synthetic: 0, usedNanoUsd: 300 },
      { tag: "hot", day: "2026-03-10", month: "2026-03", synthetic: 0, usedNanoUsd: 1000 },
    ]);
    assert.deepEqual(await store.reports.ledgerUse("2026-05", "2026-06"), []);
  });

  it("answers budget stops in a window, pipeline names in byte order, whether a run is known, and the latest run before an instant", async () => {
    const store = current();
    const ids = await startRun(store, "run-1", { pipelineName: "notes" }, ["draft", "review", "publish"]);
    const stop = (step: string, minute: number) =>
      store.runs.finishStep(ids.get(step)!, { status: "budget_stopped", finishedAt: at(minute), skipReason: "day limit", attempts: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 });
    await stop("review", 2);
    await stop("draft", 1);
    await store.runs.finishStep(ids.get("publish")!, { status: "skipped", finishedAt: at(1), attempts: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 });
    assert.deepEqual(await store.reports.budgetStopsBetween(at(1), at(3)), [
      { runId: "run-1", pipelineName: "notes", step: "draft", finishedAt: at(1) },
      { runId: "run-1", pipelineName: "notes", step: "review", finishedAt: at(2) },
    ]);
    assert.deepEqual((await store.reports.budgetStopsBetween(at(1, 1), at(2))), []);

    await startRun(store, "run-2", { pipelineName: "alpha", pipelinePath: "/work/alpha.yaml", startedAt: at(5) });
    await startRun(store, "run-3", { pipelineName: "Beta", startedAt: at(5) });
    await reserve(store, 10, { runId: "run-ledger-only", pipelineName: "Zeta" });
    await reserve(store, 10, { runId: "run-1", pipelineName: "notes" });
    assert.deepEqual(await store.reports.pipelineNames(), ["Beta", "Zeta", "alpha", "notes"]);
    assert.equal(await store.reports.runKnown("run-1"), true);
    assert.equal(await store.reports.runKnown("run-ledger-only"), true, "money the ledger counted makes a run known");
    assert.equal(await store.reports.runKnown("run-9"), false);

    assert.equal((await store.reports.latestRun(at(6)))?.id, "run-3", "a tie on the start goes to the run recorded last");
    assert.equal((await store.reports.latestRun(at(5)))?.id, "run-1", "started before the instant, not at it");
    assert.equal((await store.reports.latestRun(at(6), "/work/alpha.yaml"))?.pipeline_name, "alpha");
    assert.equal(await store.reports.latestRun(t0), undefined);
  });
});
