/**
 * The call log's contract (`CallLogStore`) against every store: `orch runs` (filters, order, cost
 * in exact nano-dollars), `latest`, `latest~1`, run id prefixes, a step's route, a run's calls with
 * their texts.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { describeEachStore } from "./stores.js";
import { at, callRecord, recordCall, startRun } from "./support/fixtures.js";

describeEachStore("call log contract", (current) => {
  it("lists runs newest first with what their calls cost in whole nano-dollars, rounded half up per call and summed exactly", async () => {
    const store = current();
    const first = (await startRun(store, "run-a", { startedAt: at(1) })).get("draft")!;
    // × 1e9: 2.5 → 3 and 1.5 → 2 (half up, not to even), 123456789.5 → 123456790, 3000000000.5 → 3000000001: 3123456796 in all.
    for (const [attempt, costUsd] of [2.5e-9, 1.5e-9, 0.1234567895, 3.0000000005, 0].entries()) {
      await recordCall(store, callRecord("run-a", first, { attempt: attempt + 1, costUsd, status: costUsd === 0 ? "failed" : "succeeded" }));
    }
    const second = (await startRun(store, "run-b", { startedAt: at(2), pipelineName: "review", pipelinePath: "/work/review.yaml" })).get("draft")!;
    await recordCall(store, callRecord("run-b", second, { costUsd: 0.5, synthetic: true, pipelineName: "review" }));
    await startRun(store, "run-c", { startedAt: at(2) });
    await store.runs.finishRun("run-c", "succeeded", at(3), 0);

    const listed = await store.callLog.listRuns({ limit: 10 });
    assert.deepEqual(
      listed.map((row) => [row.id, row.cost_nano_usd, row.calls, row.synthetic]),
      [["run-c", 0, 0, 0], ["run-b", 500_000_000, 1, 1], ["run-a", 3_123_456_796, 5, 0]],
      "run-b and run-c started at the same instant: the one recorded later comes first",
    );
    assert.deepEqual(listed[0], {
      id: "run-c", pipeline_name: "notes", pipeline_path: "/work/notes.yaml", policy_path: null, status: "succeeded", inputs_json: "{}",
      started_at: at(2), finished_at: at(3), results_directory: null, process_id: 42, exit_code: 0, resumed_at: null, resume_count: 0,
      cost_nano_usd: 0, calls: 0, synthetic: 0,
    });
    const ids = async (filter: Parameters<typeof store.callLog.listRuns>[0]) => (await store.callLog.listRuns(filter)).map((row) => row.id);
    assert.deepEqual(await ids({ limit: 2 }), ["run-c", "run-b"]);
    assert.deepEqual(await ids({ limit: 10, pipeline: { name: "review", file: "/nowhere.yaml" } }), ["run-b"]);
    assert.deepEqual(await ids({ limit: 10, pipeline: { name: "nothing", file: "/work/notes.yaml" } }), ["run-c", "run-a"]);
    assert.deepEqual(await ids({ limit: 10, status: "running" }), ["run-b", "run-a"]);
    assert.deepEqual(await ids({ limit: 10, sinceIso: at(2) }), ["run-c", "run-b"]);
    assert.deepEqual(await ids({ limit: 10, sinceIso: at(2), status: "running", pipeline: { name: "notes", file: "" } }), []);
  });

  it("finds the latest run, the run before it of the same pipeline, and runs by id prefix with wildcards taken literally", async () => {
    const store = current();
    assert.equal(await store.callLog.latestRun(), undefined);
    await startRun(store, "20260310-120000-aaaaaa", { startedAt: at(0) });
    await startRun(store, "20260310-120500-bbbbbb", { startedAt: at(5), pipelineName: "review" });
    await startRun(store, "20260310-120500-cccccc", { startedAt: at(5) });
    await startRun(store, "20260310-120500-dddddd", { startedAt: at(5) });
    await startRun(store, "2026_0310-x", { startedAt: at(1) });
    await startRun(store, "20260310-115900-eeeeee", { startedAt: at(-1), pipelineName: "other" });
    const latest = await store.callLog.latestRun();
    assert.equal(latest?.id, "20260310-120500-dddddd", "a tie on the start goes to the run recorded last");
    assert.equal((await store.callLog.runBefore(latest!))?.id, "20260310-120500-cccccc");
    const before = await store.callLog.runBefore((await store.runs.getRun("20260310-120500-cccccc"))!);
    assert.equal(before?.id, "2026_0310-x", "same pipeline only: the review run is passed over");
    assert.equal(await store.callLog.runBefore((await store.runs.getRun("20260310-120000-aaaaaa"))!), undefined);

    const prefixed = async (prefix: string, limit?: number) => (await store.callLog.runsByPrefix(prefix, limit)).map((row) => row.id);
    assert.deepEqual(await prefixed("20260310-1205"), ["20260310-120500-dddddd", "20260310-120500-cccccc", "20260310-120500-bbbbbb"]);
    assert.deepEqual(await prefixed("20260310-1205", 2), ["20260310-120500-dddddd", "20260310-120500-cccccc"]);
    assert.deepEqual(await prefixed("2026_"), ["2026_0310-x"], "_ matches itself, not any character");
    assert.deepEqual(await prefixed("2026%"), [], "% matches itself");
    assert.equal((await prefixed("2")).length, 5, "five at most by default (of six)");
  });

  it("reads a step's recorded route alone, as compact JSON; none for a step without a result or a route", async () => {
    const store = current();
    const ids = await startRun(store, "run-1", {}, ["draft", "review", "publish"]);
    const route = { matched: "writing → cheap", candidates: ["openai:mini", "anthropic:haiku"], notes: [{ reference: "openai:mini", cost: 1.5e-7 }], chosen: "openai:mini" };
    const finish = (resultJson: string) => ({ status: "succeeded" as const, finishedAt: at(1), resultJson, attempts: 1, inputTokens: 0, outputTokens: 0, costUsd: 0 });
    await store.runs.finishStep(ids.get("draft")!, finish(JSON.stringify({ step: "draft", route, output: "long" }, null, 2)));
    await store.runs.finishStep(ids.get("review")!, finish(JSON.stringify({ step: "review" })));
    assert.equal(
      await store.callLog.stepRoute("run-1", "draft"),
      `{"matched":"writing → cheap","candidates":["openai:mini","anthropic:haiku"],"notes":[{"reference":"openai:mini","cost":1.5e-7}],"chosen":"openai:mini"}`,
    );
    assert.equal(await store.callLog.stepRoute("run-1", "review"), undefined);
    assert.equal(await store.callLog.stepRoute("run-1", "publish"), undefined);
    assert.equal(await store.callLog.stepRoute("run-1", "nothing"), undefined);
    assert.deepEqual((await store.callLog.steps("run-1")).map((row) => row.step), ["draft", "review", "publish"]);
  });

  it("answers a run's calls with their texts, in the order they were made", async () => {
    const store = current();
    const step = (await startRun(store, "run-1")).get("draft")!;
    await recordCall(store, callRecord("run-1", step, { itemIndex: 1, latencyMs: 800, startedAt: at(1) }), { answer: "first" });
    await store.executions.rejectAnswer(1, "not JSON", "line 1: unexpected", 1);
    await store.runs.recordPaidCall({
      stepExecutionId: step,
      call: callRecord("run-1", step, { attempt: 2, status: "failed", costUsd: 0, errorKind: "timeout", errorMessage: "after 30 s", startedAt: at(2), synthetic: true }),
      text: { kept: "hashes", answerSha256: "answer-sha" },
    });
    assert.deepEqual(await store.callLog.calls("run-1"), [
      {
        id: 1, step: "draft", item_index: 1, attempt: 1, provider: "openai", provider_type: "openai", model: "mini", status: "succeeded",
        prompt_sha256: "prompt-sha", input_tokens: 100, output_tokens: 20, cost_usd: 0.25, latency_ms: 800, error_kind: null, error_message: null,
        rejection_reason: "not JSON", checker_output: "line 1: unexpected", synthetic: 0, started_at: at(1), kept: "full",
        messages_json: `[{"role":"user","content":"write"}]`, answer: "first", answer_sha256: null,
      },
      {
        id: 2, step: "draft", item_index: null, attempt: 2, provider: "openai", provider_type: "openai", model: "mini", status: "failed",
        prompt_sha256: "prompt-sha", input_tokens: 100, output_tokens: 20, cost_usd: 0, latency_ms: null, error_kind: "timeout",
        error_message: "after 30 s", rejection_reason: null, checker_output: null, synthetic: 1, started_at: at(2), kept: "hashes",
        messages_json: null, answer: null, answer_sha256: "answer-sha",
      },
    ]);
    assert.deepEqual(await store.callLog.calls("run-2"), []);
  });
});
