import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createRunLearning } from "../../src/executor/learning.js";
import { openSqliteStore, type SqliteOrchStore } from "../../src/store/sqlite-store.js";

const started = new Date("2026-01-10T12:00:00.000Z");

/** A run in the store and a way to record its answered calls, each with its verdict. */
function runIn(store: SqliteOrchStore, runId: string) {
  const { runs, executions } = store.repositories;
  const ids = runs.createRun({ id: runId, pipelineName: "p", pipelinePath: "/p.yaml", inputs: {}, startedAt: "2026-01-10T00:00:00.000Z", processId: 1 }, ["a"]);
  let attempt = 0;
  return (model: string, verdict: "accepted" | "rejected", verdictAt: string) => {
    const id = runs.recordCall({
      runId,
      stepExecutionId: ids.get("a")!,
      step: "a",
      attempt: ++attempt,
      pipelineName: "p",
      task: "code",
      provider: "openai",
      providerType: "openai",
      model,
      promptSha256: "x",
      status: "succeeded",
      inputTokens: 10,
      outputTokens: 10,
      cachedInputTokens: 0,
      reasoningTokens: 0,
      costUsd: 0.01,
      latencyMs: 100,
      synthetic: false,
      startedAt: verdictAt,
      finishedAt: verdictAt,
    });
    if (verdict === "rejected") executions.markCallRejected(id, "bad");
    executions.recordVerdict(id, verdict, verdictAt, "go");
  };
}

describe("run learning", () => {
  it("starts from the store's settled calls, conditioned on what was rejected before in the same unit", async () => {
    const store = openSqliteStore(":memory:");
    const earlier = runIn(store, "earlier");
    earlier("cheap", "rejected", "2026-01-09T10:00:00.000Z");
    earlier("strong", "accepted", "2026-01-09T10:00:01.000Z");
    const learning = await createRunLearning(store.history, "ours", started);
    // strong was asked once, after cheap's rejection, and succeeded: all calls after a rejection,
    // (1 + 2 × 0.5) / (1 + 2) = 2/3; every narrower level holds that same call, counted once.
    const afterCheap = (await learning.current()).estimate("openai:strong", { task: "code", language: "go", failedBefore: ["openai:cheap"] });
    assert.deepEqual([afterCheap.calls, afterCheap.successes, afterCheap.probability], [1, 1, 2 / 3]);
    assert.equal(afterCheap.level, "task-language");
  });

  it("picks up other processes' verdicts as they are recorded, each once, and leaves its own run's to record()", async () => {
    const store = openSqliteStore(":memory:");
    let clock = started;
    const learning = await createRunLearning(store.history, "ours", started, () => clock);
    const fresh = { task: "code", failedBefore: [] };
    assert.equal((await learning.current()).estimate("openai:cheap", fresh).probability, 0.5);

    const other = runIn(store, "other");
    clock = new Date("2026-01-10T12:00:05.000Z");
    other("cheap", "rejected", "2026-01-10T12:00:05.000Z");
    // (0 + 2 × 0.5) / (1 + 2)
    assert.equal((await learning.current()).estimate("openai:cheap", fresh).probability, 1 / 3);
    assert.equal((await learning.current()).estimate("openai:cheap", fresh).probability, 1 / 3, "read again, still counted once");

    const ours = runIn(store, "ours");
    ours("cheap", "accepted", "2026-01-10T12:00:06.000Z");
    assert.equal((await learning.current()).estimate("openai:cheap", fresh).calls, 1, "this run's own calls come through record(), not the store");
  });
});

describe("reading other processes' verdicts as a run goes on", () => {
  it("reads from its previous look on (less the clock margin), so a long run does not walk its own verdicts again at every step", async () => {
    const bounds: string[] = [];
    const history = {
      settledCalls: async () => [],
      settledCallsSince: async (verdictAt: string) => {
        bounds.push(verdictAt);
        return [];
      },
    };
    let clock = started;
    const learning = await createRunLearning(history, "ours", started, () => clock);
    await learning.current();
    clock = new Date("2026-01-10T12:10:00.000Z");
    await learning.current();
    clock = new Date("2026-01-10T12:30:00.000Z");
    await learning.current();
    // Each look: the previous look's instant (the run's start at first) less 5 s.
    assert.deepEqual(bounds, ["2026-01-10T11:59:55.000Z", "2026-01-10T11:59:55.000Z", "2026-01-10T12:09:55.000Z"]);
  });
});
