/**
 * The batch contract (`BatchStore`) against every store: a submitted batch and its calls, the
 * pending call a later process collects by cache key, and their ends.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { describeEachStore } from "./stores.js";
import { at, callRecord, startRun } from "./support/fixtures.js";

describeEachStore("batch contract", (current) => {
  it("records a batch with its calls and finds the newest pending call of a provider by cache key", async () => {
    const store = current();
    const job = (vendorBatchId: string, provider = "openai") => ({ runId: "run-1", provider, vendorBatchId, submittedAt: at(1), deadlineAt: at(60 * 24) });
    const first = await store.batches.recordSubmitted(job("batch_1"), [
      { customId: "c-1", cacheKey: "key-a", step: "draft" },
      { customId: "c-2", cacheKey: "key-b", step: "draft", item: 3 },
    ]);
    const second = await store.batches.recordSubmitted(job("batch_2"), [{ customId: "c-1", cacheKey: "key-a", step: "draft" }]);
    await store.batches.recordSubmitted(job("msgbatch_3", "anthropic"), [{ customId: "c-1", cacheKey: "key-c", step: "draft" }]);
    assert.deepEqual([first, second], [1, 2]);
    assert.deepEqual(await store.batches.pendingCall("openai", "key-a"), { batchJobId: 2, vendorBatchId: "batch_2", customId: "c-1", deadlineAt: at(60 * 24) });
    assert.equal(await store.batches.pendingCall("openai", "key-c"), undefined, "another provider's batch");
    assert.equal((await store.batches.pendingCall("anthropic", "key-c"))?.vendorBatchId, "msgbatch_3");

    await store.batches.finishCall(2, "c-1", "collected");
    assert.equal((await store.batches.pendingCall("openai", "key-a"))?.batchJobId, 1, "a collected call waits no more");
    await store.batches.finishJob(1, "expired");
    assert.equal(await store.batches.pendingCall("openai", "key-a"), undefined, "nor does a call of an ended job");
    assert.equal(await store.batches.pendingCall("openai", "key-b"), undefined);
    await store.batches.finishJob(3, "abandoned");
    await store.batches.finishJob(3, "ended");
    assert.equal(await store.batches.pendingCall("anthropic", "key-c"), undefined, "a job ends once");
  });

  it("records a batch with no calls", async () => {
    const store = current();
    assert.equal(await store.batches.recordSubmitted({ runId: "run-1", provider: "openai", vendorBatchId: "b", submittedAt: at(0), deadlineAt: at(1) }, []), 1);
  });

  it("keeps an ended batch's answers until the run records them, lists pending jobs, and counts each job's calls by where they stand", async () => {
    const store = current();
    await startRun(store, "run-1", { policyPath: "/work/policy.yaml" });
    const job = (runId: string, vendorBatchId: string) => ({ runId, provider: "openai", vendorBatchId, submittedAt: at(1), deadlineAt: at(60) });
    const first = await store.batches.recordSubmitted(job("run-1", "batch_1"), [
      { customId: "c-1", cacheKey: "key-a", step: "draft" },
      { customId: "c-2", cacheKey: "key-b", step: "draft" },
      { customId: "c-3", cacheKey: "key-c", step: "draft" },
    ]);
    const second = await store.batches.recordSubmitted(job("run-2", "batch_2"), [{ customId: "c-1", cacheKey: "key-d", step: "draft" }]);
    const pendingOf = (runId: string) => ({
      runId, pipelinePath: runId === "run-1" ? "/work/notes.yaml" : null, policyPath: runId === "run-1" ? "/work/policy.yaml" : null,
      provider: "openai", submittedAt: at(1), deadlineAt: at(60), status: "pending",
    });
    assert.deepEqual(await store.batches.pendingJobs(), [
      { batchJobId: first, vendorBatchId: "batch_1", ...pendingOf("run-1") },
      { batchJobId: second, vendorBatchId: "batch_2", ...pendingOf("run-2") },
    ], "oldest first; a run the store has no row of has no files");
    assert.deepEqual((await store.batches.pendingJobs("run-2")).map((row) => row.batchJobId), [second]);

    await store.batches.recordAnswers(first, [{ customId: "c-1", answerJson: '{"text":"one"}' }, { customId: "c-2", answerJson: '{"error":"refused"}' }]);
    await store.batches.recordAnswers(first, [{ customId: "c-1", answerJson: '{"text":"later"}' }]);
    assert.deepEqual(await store.batches.pendingCall("openai", "key-a"), { batchJobId: first, vendorBatchId: "batch_1", customId: "c-1", deadlineAt: at(60), answerJson: '{"text":"one"}' }, "an answer kept stays");
    assert.equal(await store.batches.pendingCall("openai", "key-c"), undefined, "an ended job's call without an answer waits no more");
    assert.deepEqual((await store.batches.pendingJobs()).map((row) => row.batchJobId), [second], "the job ended with its answers");

    const step = (await startRun(store, "run-3")).get("draft")!;
    await store.runs.recordPaidCall({
      stepExecutionId: step,
      call: callRecord("run-3", step),
      text: { kept: "hashes", answerSha256: "sha" },
      batchCall: { batchJobId: first, customId: "c-1" },
    });
    assert.equal(await store.batches.pendingCall("openai", "key-a"), undefined, "collected with the call that recorded it");
    await store.batches.finishCall(first, "c-3", "fallen-back");
    const counts = (await store.batches.jobSummaries()).map(({ batchJobId, status, calls, waiting, answered, collected, fallenBack }) => [batchJobId, status, calls, waiting, answered, collected, fallenBack]);
    assert.deepEqual(counts, [[second, "pending", 1, 1, 0, 0, 0], [first, "ended", 3, 0, 1, 1, 1]], "newest first");
    assert.deepEqual((await store.batches.jobSummaries("run-1")).map((row) => [row.batchJobId, row.pipelinePath]), [[first, "/work/notes.yaml"]]);
  });
});
