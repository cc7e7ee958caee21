/**
 * The execution contract (`ExecutionStore`) against every store: finding a run to resume, reopening
 * it in place, numbering attempts after the recorded ones, and keeping each answer's verdict.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { describeEachStore } from "./stores.js";
import { at, callRecord, recordCall, startRun } from "./support/fixtures.js";

describeEachStore("execution contract", (current) => {
  it("finds a run and the unfinished runs of a pipeline file, newest first", async () => {
    const store = current();
    await startRun(store, "run-1", { startedAt: at(1), resultsDirectory: "/work/results/run-1" });
    await startRun(store, "run-2", { startedAt: at(2) });
    await startRun(store, "run-3", { startedAt: at(2) });
    await startRun(store, "run-4", { startedAt: at(3), pipelinePath: "/work/other.yaml" });
    await store.runs.finishRun("run-2", "succeeded", at(4), 0);
    await store.runs.finishRun("run-1", "budget_stopped", at(4), 3);
    assert.deepEqual(await store.executions.getRun("run-1"), {
      id: "run-1", pipelineName: "notes", pipelinePath: "/work/notes.yaml", status: "budget_stopped", inputsJson: "{}", startedAt: at(1),
      resultsDirectory: "/work/results/run-1", processId: 42,
    });
    assert.equal(await store.executions.getRun("run-9"), undefined);
    assert.deepEqual((await store.executions.unfinishedRuns("/work/notes.yaml")).map((run) => run.id), ["run-3", "run-1"]);
    assert.deepEqual((await store.executions.unfinishedRuns("/work/notes.yaml", 1)).map((run) => run.id), ["run-3"]);
  });

  it("reopens a run in place: steps that did not succeed reset to pending, succeeded ones kept, new steps added", async () => {
    const store = current();
    const ids = await startRun(store, "run-1", {}, ["draft", "review", "gone"]);
    const done = { finishedAt: at(2), provider: "openai", model: "mini", output: "text", attempts: 1, inputTokens: 10, outputTokens: 5, costUsd: 0.25 };
    await store.runs.finishStep(ids.get("draft")!, { status: "succeeded", startedAt: at(1), ...done });
    await store.runs.finishStep(ids.get("review")!, { status: "failed", startedAt: at(1), errorKind: "rejected", errorMessage: "no", ...done });
    await store.runs.finishRun("run-1", "failed", at(3), 1);
    const reopened = await store.executions.reopenRun("run-1", ["draft", "review", "publish"], 77, at(10));
    assert.deepEqual([...reopened.ids], [["draft", 1], ["review", 2], ["publish", 4]], "the new step's row follows the three already there");
    assert.deepEqual(
      reopened.succeeded.map((row) => [row.id, row.step, row.status, row.output, row.cost_usd]),
      [[1, "draft", "succeeded", "text", 0.25]],
    );
    const steps = await store.runs.listSteps("run-1");
    assert.deepEqual(
      steps.map((row) => [row.step, row.status, row.started_at, row.error_kind, row.attempts, row.cost_usd]),
      [["draft", "succeeded", at(1), null, 1, 0.25], ["review", "pending", null, null, 0, 0], ["gone", "pending", null, null, 0, 0], ["publish", "pending", null, null, 0, 0]],
    );
    // Columns SQLite's `SELECT *` answers beyond the contract's RunRow: both stores give them.
    const run = (await store.runs.getRun("run-1")) as unknown as Record<string, unknown> | undefined;
    assert.deepEqual(
      [run?.status, run?.finished_at, run?.exit_code, run?.process_id, run?.resumed_at, run?.resume_count],
      ["running", null, null, 77, at(10), 1],
    );
    await store.executions.reopenRun("run-1", ["draft"], 78, at(20));
    assert.equal(((await store.runs.getRun("run-1")) as unknown as Record<string, unknown>).resume_count, 2);
  });

  it("answers the highest attempt recorded per step and item", async () => {
    const store = current();
    const ids = await startRun(store, "run-1", {}, ["draft", "review"]);
    for (const [step, attempt, itemIndex] of [["draft", 1, undefined], ["draft", 3, undefined], ["draft", 2, 0], ["review", 1, 4]] as const) {
      await recordCall(store, callRecord("run-1", ids.get(step)!, { step, attempt, ...(itemIndex === undefined ? {} : { itemIndex }) }));
    }
    assert.deepEqual(Object.fromEntries(await store.executions.lastAttempts("run-1")), { "draft#": 3, "draft#0": 2, "review#4": 1 });
    assert.equal((await store.executions.lastAttempts("run-2")).size, 0);
  });

  it("rejects an answer in one operation: the reason and checker output on the call, its entry rejected unless already accepted", async () => {
    const store = current();
    const step = (await startRun(store, "run-1")).get("draft")!;
    const first = await recordCall(store, callRecord("run-1", step, { cacheKey: "key-a" }), { answer: "one" });
    const second = await recordCall(store, callRecord("run-1", step, { attempt: 2, cacheKey: "key-b" }), { answer: "two" });
    await store.runs.finishStep(step, { status: "succeeded", finishedAt: at(1), attempts: 2, inputTokens: 0, outputTokens: 0, costUsd: 0 }, [second.entryId!]);
    await store.executions.rejectAnswer(first.callId, "not JSON", "SyntaxError at 1:1", first.entryId);
    await store.executions.rejectAnswer(second.callId, "later check", undefined, second.entryId);
    const calls = await store.callLog.calls("run-1");
    assert.deepEqual(calls.map((row) => [row.rejection_reason, row.checker_output]), [["not JSON", "SyntaxError at 1:1"], ["later check", null]]);
    assert.equal((await store.cache.findInRun("key-a", "run-1", "draft", undefined, []))?.state, "rejected");
    assert.equal((await store.cache.findInRun("key-b", "run-1", "draft", undefined, []))?.state, "accepted", "an accepted answer stays accepted");
    await store.executions.recordVerdict(first.callId, "rejected", at(2), "python");
    const [row] = await store.runs.listCalls("run-1");
    const full = row as unknown as Record<string, unknown>;
    assert.deepEqual([full.verdict, full.verdict_at, full.language], ["rejected", at(2), "python"]);
  });
});
