/**
 * The batch contract (`BatchStore`) against every store: a submitted batch and its calls, the
 * pending call a later process collects by cache key, and their ends.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { describeEachStore } from "./stores.js";
import { at } from "./support/fixtures.js";

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
});
