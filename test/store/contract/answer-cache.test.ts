/**
 * The answer cache's contract (`AnswerCacheStore`) against every store: which answer another run may
 * reuse (accepted, shareable, fresh, newest first), which one a resumed run finds again (its own
 * or one it was served, for the same step and item, oldest first), and housekeeping.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { OrchStore } from "../../../src/contracts/orch-store.js";
import { describeEachStore } from "./stores.js";
import { at, callRecord, recordCall, startRun, t0 } from "./support/fixtures.js";

/** Records a paid answer of run-1's step `draft` (or `step`) finished at `finishedAt`, accepted unless said otherwise. */
async function answer(
  store: OrchStore,
  step: number,
  options: { finishedAt: string; cacheKey?: string; itemIndex?: number; shareable?: boolean; accept?: boolean; costUsd?: number; text?: string; runId?: string; stepName?: string },
): Promise<number> {
  const { entryId } = await recordCall(
    store,
    callRecord(options.runId ?? "run-1", step, {
      step: options.stepName ?? "draft",
      startedAt: options.finishedAt,
      finishedAt: options.finishedAt,
      cacheKey: options.cacheKey ?? "key-a",
      costUsd: options.costUsd ?? 0.25,
      ...(options.itemIndex === undefined ? {} : { itemIndex: options.itemIndex }),
    }),
    { answer: options.text ?? "answer", shareable: options.shareable ?? true },
  );
  if (options.accept !== false) await store.runs.finishStep(step, { status: "succeeded", finishedAt: options.finishedAt, attempts: 1, inputTokens: 0, outputTokens: 0, costUsd: 0 }, [entryId!]);
  return entryId!;
}

describeEachStore("answer cache contract", (current) => {
  it("offers other runs the newest accepted, shareable answer created since the TTL's start, skipping the excluded", async () => {
    const store = current();
    const step = (await startRun(store, "run-1")).get("draft")!;
    const old = await answer(store, step, { finishedAt: at(1) });
    const newer = await answer(store, step, { finishedAt: at(5) });
    const sameInstant = await answer(store, step, { finishedAt: at(5) });
    await answer(store, step, { finishedAt: at(9), accept: false });
    await answer(store, step, { finishedAt: at(9), shareable: false });
    await answer(store, step, { finishedAt: at(9), cacheKey: "key-b" });
    assert.deepEqual([old, newer, sameInstant], [1, 2, 3]);
    assert.equal((await store.cache.findReusable("key-a", t0, []))?.id, sameInstant, "newest; a tie goes to the later entry");
    assert.equal((await store.cache.findReusable("key-a", t0, [sameInstant]))?.id, newer);
    assert.equal((await store.cache.findReusable("key-a", t0, [sameInstant, newer]))?.id, old);
    assert.equal(await store.cache.findReusable("key-a", at(1, 1), [sameInstant, newer]), undefined, "older than the TTL allows");
    assert.equal((await store.cache.findReusable("key-a", at(1), [sameInstant, newer]))?.id, old, "created exactly at the TTL's start counts");
    assert.equal((await store.cache.findReusable("key-b", t0, []))?.cacheKey, "key-b");
    assert.equal(await store.cache.findReusable("key-c", t0, []), undefined);
  });

  it("gives a resumed run the oldest answer it has for the same step and item, paid or served, whatever its state", async () => {
    const store = current();
    const ids = await startRun(store, "run-1", {}, ["draft", "review"]);
    const draft = ids.get("draft")!;
    const plainRejected = await answer(store, draft, { finishedAt: at(1), accept: false });
    await store.executions.rejectAnswer(1, "schema", undefined, plainRejected);
    const plainLater = await answer(store, draft, { finishedAt: at(2), shareable: false, accept: false });
    const itemOne = await answer(store, draft, { finishedAt: at(3), itemIndex: 1, accept: false });
    const other = (await startRun(store, "run-2", { startedAt: at(4) })).get("draft")!;
    const paidByOther = await answer(store, other, { finishedAt: at(4), runId: "run-2", itemIndex: 7 });

    assert.deepEqual(
      await store.cache.findInRun("key-a", "run-1", "draft", undefined, []),
      { id: plainRejected, cacheKey: "key-a", runId: "run-1", step: "draft", itemIndex: null, provider: "openai", model: "mini", answer: "answer", inputTokens: 100, outputTokens: 20, costUsd: 0.25, state: "rejected", createdAt: at(1) },
      "even a rejected answer: resuming must not pay for it again",
    );
    assert.equal((await store.cache.findInRun("key-a", "run-1", "draft", undefined, [plainRejected]))?.id, plainLater);
    assert.equal(await store.cache.findInRun("key-a", "run-1", "draft", undefined, [plainRejected, plainLater]), undefined, "an item's answer is not the plain step's");
    assert.equal((await store.cache.findInRun("key-a", "run-1", "draft", 1, []))?.id, itemOne);
    assert.equal(await store.cache.findInRun("key-a", "run-1", "draft", 2, []), undefined);
    assert.equal(await store.cache.findInRun("key-a", "run-1", "review", 7, []), undefined, "another run's answer is not this run's…");
    await store.runs.recordReusedAnswer({
      stepExecutionId: ids.get("review")!,
      entryId: paidByOther,
      use: { runId: "run-1", step: "review", itemIndex: 7 },
      call: callRecord("run-1", ids.get("review")!, { step: "review", status: "cached", costUsd: 0, itemIndex: 7, startedAt: at(6), finishedAt: at(6) }),
      text: { kept: "hashes" },
    });
    assert.equal((await store.cache.findInRun("key-a", "run-1", "review", 7, []))?.id, paidByOther, "…until it was served to it");
    assert.equal(await store.cache.findInRun("key-b", "run-1", "review", 7, []), undefined, "for the same key only");
  });

  it("forgets a finished run's resume-only and rejected answers and its servings, keeping accepted shareable ones", async () => {
    const store = current();
    const step = (await startRun(store, "run-1")).get("draft")!;
    const accepted = await answer(store, step, { finishedAt: at(1) });
    await answer(store, step, { finishedAt: at(2), shareable: false });
    await answer(store, step, { finishedAt: at(3), accept: false });
    const other = (await startRun(store, "run-2")).get("draft")!;
    const kept = await answer(store, other, { finishedAt: at(4), runId: "run-2", shareable: false, accept: false });
    await store.runs.recordReusedAnswer({
      stepExecutionId: step,
      entryId: kept,
      use: { runId: "run-1", step: "draft", itemIndex: 3 },
      call: callRecord("run-1", step, { status: "cached", costUsd: 0, itemIndex: 3, startedAt: at(5), finishedAt: at(5) }),
      text: { kept: "hashes" },
    });
    assert.equal(await store.cache.forgetResumeOnly("run-1"), 2);
    assert.equal((await store.cache.findReusable("key-a", t0, []))?.id, accepted);
    assert.equal(await store.cache.findInRun("key-a", "run-1", "draft", 3, []), undefined, "its servings are forgotten too");
    assert.equal((await store.cache.findInRun("key-a", "run-2", "draft", undefined, []))?.id, kept, "another run's answers stay");
    assert.equal((await store.cache.stats()).entries, 2);
  });

  it("counts entries, bytes and hits, and what the hits saved, exactly; clears by age", async () => {
    const store = current();
    assert.deepEqual(await store.cache.stats(), { entries: 0, reusable: 0, resumeOnly: 0, answerBytes: 0, oldest: null, newest: null, hits: 0, savedUsd: 0 });
    const step = (await startRun(store, "run-1")).get("draft")!;
    const tenth = await answer(store, step, { finishedAt: at(1), costUsd: 0.1, text: "héllo" });
    const fifth = await answer(store, step, { finishedAt: at(2), costUsd: 0.2, text: "abc", shareable: false });
    const third = await answer(store, step, { finishedAt: at(3), costUsd: 0.3, text: "", accept: false });
    const serve = async (entryId: number, minute: number) =>
      store.runs.recordReusedAnswer({
        stepExecutionId: step,
        entryId,
        use: { runId: "run-1", step: "draft" },
        call: callRecord("run-1", step, { status: "cached", costUsd: 0, startedAt: at(minute), finishedAt: at(minute) }),
        text: { kept: "hashes" },
      });
    await serve(tenth, 4);
    await serve(fifth, 5);
    await serve(third, 6);
    // "héllo" is 6 bytes in UTF-8. Saved: 0.1 + 0.2 + 0.3, summed as SQLite does (compensated): 0.6,
    // where adding the doubles one after the other gives 0.6000000000000001.
    assert.deepEqual(await store.cache.stats(), { entries: 3, reusable: 1, resumeOnly: 2, answerBytes: 9, oldest: at(1), newest: at(3), hits: 3, savedUsd: 0.6 });
    assert.equal(await store.cache.clear(at(2)), 1, "created before the instant, not at it");
    assert.equal((await store.cache.stats()).entries, 2);
    assert.equal(await store.cache.clear(), 2);
    assert.equal((await store.cache.stats()).entries, 0);
  });

  it("sums what the hits saved in nano-dollars, so $0.000057 is 0.000057, not a sum of doubles' drift", async () => {
    const store = current();
    const step = (await startRun(store, "run-1")).get("draft")!;
    // Two answers of $0.000008 served twice, one of $0.000008 and one of $0.000017 served once: 57,000
    // nano-dollars. Adding the doubles (in any order, compensated or not) gives 0.000056999999999999996.
    const costs = [0.000008, 0.000008, 0.000008, 0.000017];
    const hits = [2, 2, 1, 1];
    let minute = 10;
    for (const [index, costUsd] of costs.entries()) {
      const entryId = await answer(store, step, { finishedAt: at(index + 1), costUsd, cacheKey: `key-${index}` });
      for (let hit = 0; hit < hits[index]!; hit++) {
        await store.runs.recordReusedAnswer({
          stepExecutionId: step,
          entryId,
          use: { runId: "run-1", step: "draft" },
          call: callRecord("run-1", step, { status: "cached", costUsd: 0, startedAt: at(minute), finishedAt: at(minute++) }),
          text: { kept: "hashes" },
        });
      }
    }
    const stats = await store.cache.stats();
    assert.deepEqual([stats.hits, stats.savedUsd], [6, 0.000057]);
  });
});
