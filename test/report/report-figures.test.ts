import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ledgerSettingsOf } from "../../src/budget/limits.js";
import { buildReport, readReportData, reportWindow, type Report } from "../../src/report/index.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { fillReportDatabase } from "./support/report-fixture.js";

const now = new Date("2025-03-10T12:00:00.000Z");
const limits = ledgerSettingsOf({
  run_usd: 0.1,
  daily_usd: 0.095,
  monthly_usd: 10,
  per_pipeline: { notes: { daily_usd: 0.09 } },
  per_tag: { drafts: { monthly_usd: 0.1 } },
}).limits;

async function reportOf(groupBy: Report["groupBy"] = "model"): Promise<Report> {
  const store = openSqliteStore(":memory:");
  try {
    await fillReportDatabase(store);
    const window = reportWindow({ from: "2025-03-01", to: "2025-03-09" }, now);
    return buildReport(await readReportData(store.reports, window, "UTC"), {
      window,
      groupBy,
      now,
      timeZone: "UTC",
      limits,
      policyFile: "policy.yaml",
      targets: { localShare: 0.5 },
    });
  } finally {
    await store.close();
  }
}

describe("report figures over a database of known calls", () => {
  let report: Report;
  before(async () => {
    report = await reportOf();
  });

  it("count calls, tokens, spend and successful steps of the window only (February's run left out)", async () => {
    const { totals } = report;
    // 16 rows in March: 15 calls made (2 failed) and 1 cache hit.
    assert.equal(totals.rows, 16);
    assert.equal(totals.callsMade, 15);
    assert.equal(totals.succeededCalls, 13);
    assert.equal(totals.failedCalls, 2);
    assert.equal(totals.cachedCalls, 1);
    assert.equal(totals.inputTokens, 11_400);
    assert.equal(totals.outputTokens, 2_620);
    // .04+.05+.002 + .04+.05 + .04+.001+.05+.002 + .003×3
    assert.equal(totals.spendUsd, 0.284);
    assert.equal(totals.syntheticSpendUsd, 0);
    // 13 step executions with calls (the budget-stopped one made none), all succeeded.
    assert.equal(totals.steps, 13);
    assert.equal(totals.successfulSteps, 13);
    assert.equal(totals.costPerSuccessfulStepUsd, 0.021846154);
  });

  it("measure the local share (ollama) apart from the free share (every answered $0 call: local and the subscription CLI)", async () => {
    assert.deepEqual(report.totals.local, { calls: 2, callShare: 2 / 15, tokens: 1_100, tokenShare: 1_100 / 14_020 });
    // r2's rejected llama answer (1,100 tokens) and r6's sonnet (450); r1's llama timeout failed, so it is not free.
    assert.deepEqual(report.totals.free, { calls: 2, callShare: 2 / 15, tokens: 1_550, tokenShare: 1_550 / 14_020 });
  });

  it("group by model, largest spend first, with cost per successful step", async () => {
    assert.deepEqual(
      report.groups.map((group) => [group.key, group.rows, group.callsMade, group.failedCalls, group.cachedCalls, group.spendUsd, group.successfulSteps, group.costPerSuccessfulStepUsd]),
      [
        ["openai:gpt-big", 6, 6, 0, 0, 0.27, 6, 0.045],
        ["openai:gpt-mini", 7, 6, 1, 1, 0.014, 6, 0.002333333],
        ["claude-cli:sonnet", 1, 1, 0, 0, 0, 1, 0],
        ["local:llama", 2, 2, 1, 0, 0, 0, null],
      ],
    );
  });

  it("group by day in calendar order, and give every day of the window its spend", async () => {
    const byDay = await reportOf("day");
    assert.deepEqual(byDay.groups.map((group) => [group.key, group.rows, group.spendUsd]), [
      ["2025-03-03", 4, 0.092],
      ["2025-03-04", 4, 0.09],
      ["2025-03-05", 5, 0.096],
      ["2025-03-06", 3, 0.006],
    ]);
    assert.equal(byDay.daily.length, 9);
    assert.deepEqual(byDay.daily[0], { day: "2025-03-01", spendUsd: 0, calls: 0 });
    assert.deepEqual(byDay.daily[4], { day: "2025-03-05", spendUsd: 0.096, calls: 5 });
  });

  it("give latency p50/p95 per model over successful calls (nearest rank)", async () => {
    assert.deepEqual(report.latency, [
      { model: "claude-cli:sonnet", calls: 1, p50Ms: 4000, p95Ms: 4000, maxMs: 4000 },
      { model: "local:llama", calls: 1, p50Ms: 800, p95Ms: 800, maxMs: 800 },
      // 1000 1200 1400 2000 2200 2400: p50 is the 3rd, p95 the 6th.
      { model: "openai:gpt-big", calls: 6, p50Ms: 1400, p95Ms: 2400, maxMs: 2400 },
      // 300 320 350 400 500 (the failed 900 ms call is left out).
      { model: "openai:gpt-mini", calls: 5, p50Ms: 350, p95Ms: 500, maxMs: 500 },
    ]);
  });

  it("compute the cache hit rate, the money saved (priced over all history) and the repeated misses", async () => {
    assert.deepEqual(report.cache, {
      // 1 hit + 12 first attempts that were not hits.
      lookups: 13,
      hits: 1,
      hitRate: 1 / 13,
      // notes/headline on openai:gpt-mini cost $0.004 (February), $0.002 and $0.002: average $0.0026667.
      savedUsd: 0.002666667,
      unpricedHits: 0,
      // p-sum-1 was answered twice by gpt-big.
      repeatedMisses: { prompts: 1, extraCalls: 1, extraCostUsd: 0.04 },
    });
  });

  it("count escalations and what the attempts that were not kept cost", async () => {
    assert.deepEqual(report.escalations, {
      stepExecutions: 13,
      escalatedExecutions: 3,
      rate: 3 / 13,
      extraAttempts: 3,
      extraCostUsd: 0.001,
      costUsd: 0.151,
      bySteps: [{ pipeline: "notes", step: "draft", executions: 3, escalated: 3, extraAttempts: 3, extraCostUsd: 0.001, costUsd: 0.151, finalModels: { "openai:gpt-big": 3 }, failedFinalModels: {} }],
    });
  });

  it("measure budget use per scope from the ledger, and the share of days within budget", async () => {
    const scopes = report.budget.scopes.map((scope) => ({
      name: `${scope.scope}${scope.subject ? ` ${scope.subject.kind} ${scope.subject.name}` : ""}`,
      periods: scope.periods,
      within: scope.periodsWithinBudget,
      share: scope.withinShare,
      used: scope.usedUsd,
      peak: `${scope.peakPeriod} ${scope.peakUsedUsd}`,
    }));
    assert.deepEqual(scopes, [
      // 0.092, 0.09, 0.096 (over 0.095), 0.006
      { name: "day", periods: 4, within: 3, share: 0.75, used: 0.284, peak: "2025-03-05 0.096" },
      { name: "month", periods: 1, within: 1, share: 1, used: 0.284, peak: "2025-03 0.284" },
      { name: "run", periods: 6, within: 6, share: 1, used: 0.284, peak: "r3 0.093" },
      // notes per day: 0.092 (over 0.09), 0.09, 0.093 (over)
      { name: "day pipeline notes", periods: 3, within: 1, share: 1 / 3, used: 0.275, peak: "2025-03-05 0.093" },
      // drafts: 0.05 + 0.05 + 0.051 over 0.1
      { name: "month tag drafts", periods: 1, within: 0, share: 0, used: 0.151, peak: "2025-03 0.151" },
    ]);
    // 03-04 (0.09; notes 0.09 of 0.09) and 03-06 (0.006, no notes spend) kept every daily limit;
    // 03-03 (notes 0.092 > 0.09) and 03-05 (0.096 > 0.095) did not. 03-06's budget-stopped step is
    // the limit holding: it does not put the day over.
    assert.deepEqual(report.budget.days, { active: 4, withinBudget: 2, share: 0.5 });
    assert.equal(report.budget.budgetStoppedSteps, 1);
  });

  it("recommend from the data, each with its figures", async () => {
    assert.deepEqual(
      report.recommendations.map((advice) => advice.kind),
      ["cheaper-model", "local-share", "start-higher", "repeated-misses"],
    );
    const [cheaper, local, higher, misses] = report.recommendations;
    assert.deepEqual(cheaper?.figures, {
      task: "analysis",
      model: "openai:gpt-big",
      costPerSuccessUsd: 0.04,
      successes: 3,
      calls: 3,
      successRate: 1,
      cheaperModel: "openai:gpt-mini",
      cheaperCostPerSuccessUsd: 0.003,
      cheaperSuccesses: 3,
      cheaperCalls: 3,
      cheaperSuccessRate: 1,
      thresholdUsd: 0.01,
      // (0.04 - 0.003) × 3
      savingUsd: 0.111,
    });
    assert.match(cheaper?.message ?? "", /^analysis: openai:gpt-big costs \$0\.0400 per successful step \(3 of 3 calls, 100%\), over the \$0\.01 threshold; openai:gpt-mini succeeds 100% \(3 of 3\) at \$0\.0030: .* saved about \$0\.11$/);
    // 2 of 15 local; 0.5 × 15 − 2 = 5.5, so 6 calls would have to move. Writing went remote 7 times.
    assert.deepEqual(local?.figures, { localShare: 2 / 15, target: 0.5, localCalls: 2, callsMade: 15, callsToMove: 6, topRemoteTask: "writing", topRemoteTaskCalls: 7 });
    assert.deepEqual(higher?.figures, {
      pipeline: "notes",
      step: "draft",
      executions: 3,
      escalated: 3,
      extraAttempts: 3,
      extraCostUsd: 0.001,
      finalModel: "openai:gpt-big",
      finalModelCount: 3,
    });
    assert.deepEqual(misses?.figures, { prompts: 1, extraCalls: 1, extraCostUsd: 0.04 });
  });

  it("recommend nothing about the local share without a target, and nothing at all from an empty window", async () => {
    const store = openSqliteStore(":memory:");
    try {
      await fillReportDatabase(store);
      const window = reportWindow({ from: "2025-03-01", to: "2025-03-09" }, now);
      const withoutTarget = buildReport(await readReportData(store.reports, window, "UTC"), { window, groupBy: "model", now, timeZone: "UTC" });
      assert.ok(!withoutTarget.recommendations.some((advice) => advice.kind === "local-share"));
      assert.equal(withoutTarget.budget.days, null, "no daily limit without a policy");
      assert.ok(withoutTarget.budget.scopes.every((scope) => scope.withinShare === null));

      const empty = reportWindow({ from: "2024-01-01", to: "2024-01-31" }, now);
      const nothing = buildReport(await readReportData(store.reports, empty, "UTC"), { window: empty, groupBy: "model", now, timeZone: "UTC", targets: { localShare: 0.5 } });
      assert.equal(nothing.totals.rows, 0);
      assert.equal(nothing.totals.costPerSuccessfulStepUsd, null);
      assert.equal(nothing.cache.hitRate, 0);
      assert.deepEqual(nothing.recommendations, []);
      assert.equal(nothing.daily.length, 31);
    } finally {
      await store.close();
    }
  });
});

describe("report figures with for_each items and cache keys", () => {
  /**
   * f1 (03-07): item 0 answered by gpt-mini ($0.002, key k0); item 1 first by llama (rejected), then gpt-mini ($0.003, key k1).
   * f2 (03-08): item 0 a cache hit on k0, whose entry cost $0.0025 when paid; item 1 gpt-mini again on k1 ($0.003), uncached.
   */
  async function forEachReport(): Promise<Report> {
    const store = openSqliteStore(":memory:");
    const { runs, cache, executions } = store.repositories;
    try {
      const call = (runId: string, stepExecutionId: number, itemIndex: number, attempt: number, model: string, status: "succeeded" | "cached", costUsd: number, cacheKey: string, at: string) =>
        runs.recordCall({
          runId, stepExecutionId, step: "each", itemIndex, attempt, pipelineName: "fan", task: "writing", provider: model === "llama" ? "local" : "openai",
          providerType: model === "llama" ? "ollama" : "openai", model, promptSha256: `prompt-${itemIndex}`, cacheKey, status, inputTokens: 10, outputTokens: 5,
          cachedInputTokens: 0, reasoningTokens: 0, costUsd, latencyMs: 100, synthetic: false, startedAt: at, finishedAt: at,
        });
      const run = (id: string, at: string, record: (stepExecutionId: number) => void) => {
        const ids = runs.createRun({ id, pipelineName: "fan", pipelinePath: "/projects/fan.yaml", inputs: {}, startedAt: at, processId: 1 }, ["each"]);
        record(ids.get("each")!);
        runs.finishStep(ids.get("each")!, { status: "succeeded", finishedAt: at, attempts: 2, inputTokens: 0, outputTokens: 0, costUsd: 0 });
      };
      run("f1", "2025-03-07T10:00:00.000Z", (id) => {
        const paid = call("f1", id, 0, 1, "gpt-mini", "succeeded", 0.002, "k0", "2025-03-07T10:00:00.000Z");
        cache.insert({ cacheKey: "k0", runId: "f1", step: "each", itemIndex: 0, provider: "openai", model: "gpt-mini", answer: "a", inputTokens: 10, outputTokens: 5, costUsd: 0.0025, shareable: true, callId: paid, createdAt: "2025-03-07T10:00:00.000Z" });
        executions.markCallRejected(call("f1", id, 1, 1, "llama", "succeeded", 0, "k1-llama", "2025-03-07T10:00:01.000Z"), "not JSON");
        call("f1", id, 1, 2, "gpt-mini", "succeeded", 0.003, "k1", "2025-03-07T10:00:02.000Z");
      });
      run("f2", "2025-03-08T10:00:00.000Z", (id) => {
        call("f2", id, 0, 1, "gpt-mini", "cached", 0, "k0", "2025-03-08T10:00:00.000Z");
        call("f2", id, 1, 1, "gpt-mini", "succeeded", 0.003, "k1", "2025-03-08T10:00:01.000Z");
      });
      const window = reportWindow({ from: "2025-03-01", to: "2025-03-09" }, now);
      return buildReport(await readReportData(store.reports, window, "UTC"), { window, groupBy: "model", now, timeZone: "UTC" });
    } finally {
      await store.close();
    }
  }

  it("judge each item's attempts on their own, and price a hit by its cache entry", async () => {
    const report = await forEachReport();
    assert.equal(report.totals.steps, 4, "two items in each of two runs");
    assert.equal(report.totals.successfulSteps, 4, "item 0 of f1 is kept although item 1 needed a second attempt");
    assert.deepEqual(
      { executions: report.escalations.stepExecutions, escalated: report.escalations.escalatedExecutions, extra: report.escalations.extraCostUsd, cost: report.escalations.costUsd },
      { executions: 4, escalated: 1, extra: 0, cost: 0.003 },
    );
    assert.deepEqual(
      { lookups: report.cache.lookups, hits: report.cache.hits, saved: report.cache.savedUsd, repeated: report.cache.repeatedMisses },
      { lookups: 4, hits: 1, saved: 0.0025, repeated: { prompts: 1, extraCalls: 1, extraCostUsd: 0.003 } },
    );
  });
});
