/**
 * The run log's contract (`RunStore`) against every store: rows of the same shape and values, and
 * the writes that must be atomic — a paid call's step, settlement, row, texts and answer — are all
 * there or none of them is.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { describeEachStore } from "./stores.js";
import { at, callRecord, fullText, recordCall, reserve, startRun, t0 } from "./support/fixtures.js";

const keys = { runId: "run-1", day: "2026-03-10", month: "2026-03" };
const pendingStep = {
  status: "pending", started_at: null, finished_at: null, provider: null, model: null, output: null, output_sha256: null, output_file: null,
  error_kind: null, error_message: null, skip_reason: null, retry_after: null, attempts: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0,
  result_json: null,
};

describeEachStore("run store contract", (current) => {
  it("creates a run and a pending row per step, in the order given, and reads them back whole", async () => {
    const store = current();
    const ids = await store.runs.createRun(
      { id: "run-1", pipelineName: "notes", pipelinePath: "/work/notes.yaml", policyPath: "/work/policy.yaml", inputs: { topic: "ice" }, startedAt: t0, resultsDirectory: "/work/results", processId: 42 },
      ["draft", "review", "publish"],
    );
    assert.deepEqual([...ids], [["draft", 1], ["review", 2], ["publish", 3]]);
    assert.deepEqual(await store.runs.getRun("run-1"), {
      id: "run-1", pipeline_name: "notes", pipeline_path: "/work/notes.yaml", policy_path: "/work/policy.yaml", status: "running",
      inputs_json: `{"topic":"ice"}`, started_at: t0, finished_at: null, results_directory: "/work/results", process_id: 42, exit_code: null,
      resumed_at: null, resume_count: 0,
    });
    assert.deepEqual(await store.runs.listSteps("run-1"), [
      { id: 1, run_id: "run-1", step: "draft", ...pendingStep },
      { id: 2, run_id: "run-1", step: "review", ...pendingStep },
      { id: 3, run_id: "run-1", step: "publish", ...pendingStep },
    ]);
    assert.equal(await store.runs.getRun("run-2"), undefined);
    assert.deepEqual(await store.runs.listSteps("run-2"), []);
    await store.runs.finishRun("run-1", "failed", at(5), 1);
    assert.deepEqual(
      await store.runs.getRun("run-1").then((row) => row && { status: row.status, finished_at: row.finished_at, exit_code: row.exit_code }),
      { status: "failed", finished_at: at(5), exit_code: 1 },
    );
  });

  it("records a paid call in one operation: the step running, the reservation settled, the call row, its texts and its answer", async () => {
    const store = current();
    const step = (await startRun(store, "run-1")).get("draft")!;
    const reservationId = await reserve(store, 400);
    const call = callRecord("run-1", step, {
      startedAt: at(1), finishedAt: at(1, 3), latencyMs: 3000, cachedInputTokens: 30, cacheWriteTokens: 5, cacheWrite1hTokens: 7,
      providerCacheSavedNano: -12, reasoningTokens: 4, reservationId, itemIndex: 2, cacheKey: "key-a",
    });
    const written = await store.runs.recordPaidCall({
      stepExecutionId: step,
      close: { kind: "settle", reservationId, actualNanoUsd: 250, call: { step: "draft", item: 2, attempt: 1, provider: "openai", model: "mini" } },
      call,
      text: fullText("the answer"),
      answer: {
        cacheKey: "key-a", runId: "run-1", step: "draft", itemIndex: 2, provider: "openai", model: "mini", answer: "the answer",
        inputTokens: 100, outputTokens: 20, costUsd: 0.25, shareable: true, createdAt: at(1, 3),
      },
    });
    assert.deepEqual(written, { callId: 1, entryId: 1, settlement: { settled: true } });
    assert.deepEqual(await store.runs.listSteps("run-1"), [{ id: step, run_id: "run-1", step: "draft", ...pendingStep, status: "running", started_at: at(1) }]);
    assert.deepEqual(await store.runs.listCalls("run-1"), [
      {
        id: 1, run_id: "run-1", step_execution_id: step, step: "draft", attempt: 1, pipeline_name: "notes", task: "writing", provider: "openai",
        provider_type: "openai", model: "mini", prompt_sha256: "prompt-sha", status: "succeeded", input_tokens: 100, output_tokens: 20,
        cached_input_tokens: 30, reasoning_tokens: 4, cost_usd: 0.25, latency_ms: 3000, error_kind: null, error_message: null, synthetic: 0,
        reservation_id: reservationId, started_at: at(1), finished_at: at(1, 3), item_index: 2, cache_key: "key-a", rejection_reason: null,
        checker_output: null, cache_write_tokens: 5, cache_write_1h_tokens: 7, provider_cache_saved_nano: -12, verdict: null, verdict_at: null,
        language: null,
      },
    ]);
    assert.deepEqual(await store.ledger.usageInScope("day", keys), { settledNanoUsd: 250, reservedNanoUsd: 0, expiredNanoUsd: 0, expiredCount: 0 });
    assert.deepEqual(await store.cache.findInRun("key-a", "run-1", "draft", 2, []), {
      id: 1, cacheKey: "key-a", runId: "run-1", step: "draft", itemIndex: 2, provider: "openai", model: "mini", answer: "the answer",
      inputTokens: 100, outputTokens: 20, costUsd: 0.25, state: "pending", createdAt: at(1, 3),
    });
    const [logged] = await store.callLog.calls("run-1");
    assert.deepEqual(
      { kept: logged?.kept, messages_json: logged?.messages_json, answer: logged?.answer, answer_sha256: logged?.answer_sha256 },
      { kept: "full", messages_json: `[{"role":"user","content":"write"}]`, answer: "the answer", answer_sha256: null },
    );
  });

  it("records a settlement above the reservation as an overrun, a release, and a close of a reservation already closed", async () => {
    const store = current();
    const step = (await startRun(store, "run-1")).get("draft")!;
    const over = await reserve(store, 100);
    const settledCall = { step: "draft", attempt: 1, provider: "openai", model: "mini" };
    const first = await store.runs.recordPaidCall({
      stepExecutionId: step,
      close: { kind: "settle", reservationId: over, actualNanoUsd: 160, call: settledCall },
      call: callRecord("run-1", step, { startedAt: at(1), finishedAt: at(2) }),
      text: fullText("a"),
    });
    assert.deepEqual(first, {
      callId: 1,
      settlement: {
        settled: true,
        overrun: { reservationId: over, ...keys, pipelineName: "notes", ...settledCall, synthetic: false, reservedNanoUsd: 100, settledNanoUsd: 160, overrunNanoUsd: 60, createdAt: at(2) },
      },
    });
    const unused = await reserve(store, 300);
    const released = await store.runs.recordPaidCall({
      stepExecutionId: step,
      close: { kind: "release", reservationId: unused },
      call: callRecord("run-1", step, { attempt: 2, status: "failed", costUsd: 0, errorKind: "server", errorMessage: "502", startedAt: at(3), finishedAt: at(4) }),
      text: { kept: "hashes" },
    });
    assert.deepEqual(released, { callId: 2, settlement: { settled: true } });
    const again = await store.runs.recordPaidCall({
      stepExecutionId: step,
      close: { kind: "settle", reservationId: over, actualNanoUsd: 10, call: { ...settledCall, attempt: 3 } },
      call: callRecord("run-1", step, { attempt: 3, startedAt: at(5), finishedAt: at(6) }),
      text: fullText("c"),
    });
    assert.deepEqual(again, { callId: 3, settlement: { settled: false } }, "a closed reservation is left alone; the call is still recorded");
    assert.deepEqual(await store.ledger.usageInScope("day", keys), { settledNanoUsd: 160, reservedNanoUsd: 0, expiredNanoUsd: 0, expiredCount: 0 });
    const steps = await store.runs.listSteps("run-1");
    assert.equal(steps[0]?.started_at, at(1), "the step began with its first call");
    assert.deepEqual(
      (await store.runs.listCalls("run-1")).map((row) => [row.id, row.status, row.error_kind]),
      [[1, "succeeded", null], [2, "failed", "server"], [3, "succeeded", null]],
    );
    const texts = await store.callLog.calls("run-1");
    assert.deepEqual([texts[1]?.kept, texts[1]?.messages_json, texts[1]?.answer], ["hashes", null, null]);
  });

  it("writes nothing when the settlement fails: no call row, no texts, no answer, the step still pending, the reservation still open", async () => {
    const store = current();
    const step = (await startRun(store, "run-1")).get("draft")!;
    const reservationId = await reserve(store, 400);
    await assert.rejects(
      store.runs.recordPaidCall({
        stepExecutionId: step,
        // A negative amount breaks the reservation row's check: the settlement throws inside the transaction.
        close: { kind: "settle", reservationId, actualNanoUsd: -5, call: { step: "draft", attempt: 1, provider: "openai", model: "mini" } },
        call: callRecord("run-1", step),
        text: fullText("lost"),
        answer: { cacheKey: "key-a", runId: "run-1", step: "draft", provider: "openai", model: "mini", answer: "lost", inputTokens: 1, outputTokens: 1, costUsd: 0.25, shareable: true, createdAt: t0 },
      }),
    );
    assert.deepEqual(await store.runs.listCalls("run-1"), []);
    assert.deepEqual(await store.callLog.calls("run-1"), []);
    assert.equal((await store.cache.stats()).entries, 0);
    assert.equal((await store.runs.listSteps("run-1"))[0]?.status, "pending");
    assert.equal(await store.ledger.openReservationCount("run-1"), 1);
    assert.deepEqual(await store.ledger.usageInScope("day", keys), { settledNanoUsd: 0, reservedNanoUsd: 400, expiredNanoUsd: 0, expiredCount: 0 });
  });

  it("undoes the settlement and the step's start when the call row cannot be written", async () => {
    const store = current();
    const step = (await startRun(store, "run-1")).get("draft")!;
    const reservationId = await reserve(store, 400);
    await assert.rejects(
      store.runs.recordPaidCall({
        stepExecutionId: step,
        close: { kind: "settle", reservationId, actualNanoUsd: 900, call: { step: "draft", attempt: 1, provider: "openai", model: "mini" } },
        // No run of this id: the call row breaks its foreign key after the step and the settlement were written.
        call: callRecord("ghost-run", step),
        text: fullText("lost"),
      }),
    );
    assert.equal((await store.runs.listSteps("run-1"))[0]?.status, "pending");
    assert.equal(await store.ledger.openReservationCount("run-1"), 1);
    assert.deepEqual(await store.ledger.usageInScope("day", keys), { settledNanoUsd: 0, reservedNanoUsd: 400, expiredNanoUsd: 0, expiredCount: 0 });
    assert.deepEqual(await store.ledger.overrunsInPeriods(keys), [], "no overrun of a settlement that did not happen");
    assert.deepEqual(await store.ledger.settle(reservationId, 250, at(1)), { settled: true }, "the reservation is still open to settle");
  });

  it("records an answer served from the cache: a hit, the serving kept for the run, and a cached call row", async () => {
    const store = current();
    const first = (await startRun(store, "run-1")).get("draft")!;
    const { entryId } = await recordCall(store, callRecord("run-1", first, { costUsd: 0.5 }), { answer: "kept answer" });
    const second = (await startRun(store, "run-2", { startedAt: at(10) }, ["draft", "review"])).get("review")!;
    const callId = await store.runs.recordReusedAnswer({
      stepExecutionId: second,
      entryId: entryId!,
      use: { runId: "run-2", step: "review", itemIndex: 0 },
      call: callRecord("run-2", second, { step: "review", status: "cached", costUsd: 0, itemIndex: 0, startedAt: at(11), finishedAt: at(11, 1) }),
      text: fullText("kept answer"),
    });
    assert.equal(callId, 2);
    const stats = await store.cache.stats();
    assert.deepEqual([stats.hits, stats.savedUsd], [1, 0.5]);
    assert.equal((await store.cache.findInRun("key-a", "run-2", "review", 0, []))?.id, entryId, "a resumed run finds what it was served");
    assert.equal(await store.cache.findInRun("key-a", "run-2", "review", undefined, []), undefined, "only for the unit that was served");
    assert.deepEqual(
      (await store.runs.listSteps("run-2")).map((row) => [row.step, row.status, row.started_at]),
      [["draft", "pending", null], ["review", "running", at(11)]],
    );
    assert.deepEqual(
      (await store.runs.listCalls("run-2")).map((row) => [row.id, row.step, row.status, row.cost_usd, (row as unknown as Record<string, unknown>).item_index]),
      [[2, "review", "cached", 0, 0]],
    );
  });

  it("finishes a step in one operation: its row and result document, and its answers accepted for other runs", async () => {
    const store = current();
    const step = (await startRun(store, "run-1")).get("draft")!;
    const { entryId } = await recordCall(store, callRecord("run-1", step, { startedAt: at(1), finishedAt: at(2) }), { answer: "done" });
    assert.equal(await store.cache.findReusable("key-a", t0, []), undefined, "not shareable before the checks accept it");
    await store.runs.finishStep(
      step,
      {
        status: "succeeded", finishedAt: at(3), provider: "openai", model: "mini", output: "done", outputSha256: "out-sha", outputFile: "/work/out.md",
        resultJson: `{"step":"draft"}`, attempts: 1, inputTokens: 100, outputTokens: 20, costUsd: 0.25,
      },
      [entryId!],
    );
    assert.deepEqual(await store.runs.listSteps("run-1"), [
      {
        id: step, run_id: "run-1", step: "draft", status: "succeeded", started_at: at(1), finished_at: at(3), provider: "openai", model: "mini",
        output: "done", output_sha256: "out-sha", output_file: "/work/out.md", error_kind: null, error_message: null, skip_reason: null, retry_after: null,
        attempts: 1, input_tokens: 100, output_tokens: 20, cost_usd: 0.25, result_json: `{"step":"draft"}`,
      },
    ]);
    assert.equal((await store.cache.findReusable("key-a", t0, []))?.state, "accepted");
    await store.runs.finishStep(step, { status: "deferred", startedAt: at(7), finishedAt: at(8), skipReason: "over budget", retryAfter: at(60), attempts: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 });
    const [row] = (await store.runs.listSteps("run-1")) as unknown as Record<string, unknown>[];
    assert.deepEqual(
      [row?.status, row?.started_at, row?.provider, row?.output, row?.skip_reason, row?.retry_after, row?.result_json],
      ["deferred", at(7), null, null, "over budget", at(60), null],
      "every field is rewritten; startedAt replaces the start only when given",
    );
  });
});
