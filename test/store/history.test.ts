import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createProviderHealth, cooldownMs } from "../../src/executor/provider-health.js";
import type { CallStatus } from "../../src/contracts/run-store.js";
import { openSqliteStore, type SqliteOrchStore } from "../../src/store/sqlite-store.js";

function seed(store: SqliteOrchStore) {
  const { runs } = store.repositories;
  const ids = runs.createRun(
    { id: "r1", pipelineName: "p", pipelinePath: "/p.yaml", inputs: {}, startedAt: "2026-01-01T00:00:00.000Z", processId: 1 },
    ["a"],
  );
  let attempt = 0;
  return (call: { provider?: string; model?: string; task?: string; status: CallStatus; costUsd?: number; errorKind?: string; at: string; rejected?: string }) => {
    const id = runs.recordCall({
      runId: "r1",
      stepExecutionId: ids.get("a")!,
      step: "a",
      attempt: ++attempt,
      pipelineName: "p",
      task: call.task ?? "code",
      provider: call.provider ?? "openai",
      providerType: "openai",
      model: call.model ?? "mini",
      promptSha256: "x",
      status: call.status,
      inputTokens: 10,
      outputTokens: 10,
      cachedInputTokens: 0,
      reasoningTokens: 0,
      costUsd: call.costUsd ?? 0.01,
      latencyMs: 100,
      ...(call.errorKind ? { errorKind: call.errorKind } : {}),
      synthetic: false,
      startedAt: call.at,
      finishedAt: call.at,
    });
    if (call.rejected) store.database.prepare("UPDATE llm_calls SET rejection_reason = ? WHERE id = ?").run(call.rejected, id);
  };
}

describe("provider cool-downs", () => {
  it("cool a provider down after three transient failures in a row, for five minutes", async () => {
    const store = openSqliteStore(":memory:");
    const health = await createProviderHealth(store.history, Date.parse("2026-01-10T00:00:00.000Z"));
    const t0 = Date.parse("2026-01-10T00:00:00.000Z");
    health.record("openai", { ok: false, kind: "server" }, t0);
    health.record("openai", { ok: false, kind: "timeout" }, t0 + 1000);
    assert.equal(health.coolingDownUntil("openai", t0 + 2000), undefined, "two failures are not enough");
    health.record("openai", { ok: false, kind: "rate_limit" }, t0 + 2000);
    assert.equal(health.coolingDownUntil("openai", t0 + 3000), t0 + 2000 + cooldownMs);
    assert.equal(health.coolingDownUntil("openai", t0 + 2000 + cooldownMs + 1), undefined, "it ends");
    health.record("openai", { ok: true }, t0 + 4000);
    assert.equal(health.coolingDownUntil("openai", t0 + 5000), undefined, "a success resets the streak");
  });

  it("do not count errors that waiting would not fix", async () => {
    const store = openSqliteStore(":memory:");
    const t0 = Date.parse("2026-01-10T00:00:00.000Z");
    const health = await createProviderHealth(store.history, t0);
    for (let index = 0; index < 5; index++) health.record("anthropic", { ok: false, kind: "bad_request" }, t0 + index);
    assert.equal(health.coolingDownUntil("anthropic", t0 + 10), undefined);
  });

  it("start from the store: a provider that kept failing in an earlier run is still cooling down", async () => {
    const store = openSqliteStore(":memory:");
    const record = seed(store);
    for (const second of ["10", "20", "30"]) record({ status: "failed", errorKind: "network", at: `2026-01-10T00:00:${second}.000Z` });
    record({ provider: "gemini", status: "failed", errorKind: "network", at: "2026-01-10T00:00:10.000Z" });
    record({ provider: "gemini", status: "succeeded", at: "2026-01-10T00:00:40.000Z" });
    const now = Date.parse("2026-01-10T00:01:00.000Z");
    const health = await createProviderHealth(store.history, now);
    assert.equal(health.coolingDownUntil("openai", now), Date.parse("2026-01-10T00:00:30.000Z") + cooldownMs);
    assert.equal(health.coolingDownUntil("gemini", now), undefined);
  });
});
