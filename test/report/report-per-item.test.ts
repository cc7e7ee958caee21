/**
 * Issue 9 item 11: reports count a for_each step per item, keep failed final attempts apart from
 * the models escalations ended on, and never call a failed call free. Every expected figure below
 * is worked out by hand from the calls listed here.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { buildReport, readReportData, reportWindow, type Report } from "../../src/report/index.js";
import { reportTables } from "../../src/report/report-tables.js";
import { openSqliteStore, type SqliteOrchStore } from "../../src/store/sqlite-store.js";
import type { CallStatus, StepStatus } from "../../src/contracts/run-store.js";

const now = new Date("2025-04-10T12:00:00.000Z");

interface Call {
  item?: number;
  attempt: number;
  model: "gpt-mini" | "gpt-big" | "llama";
  status: CallStatus;
  costUsd: number;
  tokens: [number, number];
  rejected?: string;
}

/**
 * e1 (04-02), pipeline fan, for_each step `each` over 4 items; the step FAILED because item 3 did:
 *   item 0: gpt-mini $0.002 (100+20 tokens), kept
 *   item 1: gpt-mini $0.002 (100+20), kept
 *   item 2: llama $0 (200+50) rejected, then gpt-big $0.01 (200+40), kept: escalated, ended on gpt-big
 *   item 3: gpt-mini failed, billed $0.001 (0+0), then gpt-big $0.01 (300+60) rejected: escalated, no answer kept
 * e2 (04-03), pipeline solo, plain step `single`, SUCCEEDED:
 *   llama failed (timeout), $0 (0+0), then gpt-mini $0.003 (150+30), kept: escalated, ended on gpt-mini
 */
const runs: { id: string; pipeline: string; at: string; step: string; status: StepStatus; calls: Call[] }[] = [
  {
    id: "e1",
    pipeline: "fan",
    at: "2025-04-02T09:00:00.000Z",
    step: "each",
    status: "failed",
    calls: [
      { item: 0, attempt: 1, model: "gpt-mini", status: "succeeded", costUsd: 0.002, tokens: [100, 20] },
      { item: 1, attempt: 1, model: "gpt-mini", status: "succeeded", costUsd: 0.002, tokens: [100, 20] },
      { item: 2, attempt: 1, model: "llama", status: "succeeded", costUsd: 0, tokens: [200, 50], rejected: "not valid JSON" },
      { item: 2, attempt: 2, model: "gpt-big", status: "succeeded", costUsd: 0.01, tokens: [200, 40] },
      { item: 3, attempt: 1, model: "gpt-mini", status: "failed", costUsd: 0.001, tokens: [0, 0] },
      { item: 3, attempt: 2, model: "gpt-big", status: "succeeded", costUsd: 0.01, tokens: [300, 60], rejected: "validate npm test: exit 1" },
    ],
  },
  {
    id: "e2",
    pipeline: "solo",
    at: "2025-04-03T09:00:00.000Z",
    step: "single",
    status: "succeeded",
    calls: [
      { attempt: 1, model: "llama", status: "failed", costUsd: 0, tokens: [0, 0] },
      { attempt: 2, model: "gpt-mini", status: "succeeded", costUsd: 0.003, tokens: [150, 30] },
    ],
  },
];

function fill(store: SqliteOrchStore): void {
  const repositories = store.repositories;
  for (const run of runs) {
    const ids = repositories.runs.createRun({ id: run.id, pipelineName: run.pipeline, pipelinePath: `/projects/${run.pipeline}.yaml`, inputs: {}, startedAt: run.at, processId: 1 }, [run.step]);
    const stepExecutionId = ids.get(run.step)!;
    run.calls.forEach((call, index) => {
      const at = new Date(new Date(run.at).getTime() + index * 1000).toISOString();
      const local = call.model === "llama";
      const callId = repositories.runs.recordCall({
        runId: run.id, stepExecutionId, step: run.step, attempt: call.attempt, ...(call.item === undefined ? {} : { itemIndex: call.item }),
        pipelineName: run.pipeline, task: "writing", provider: local ? "local" : "openai", providerType: local ? "ollama" : "openai", model: call.model,
        promptSha256: `${run.id}-${call.item ?? ""}`, status: call.status, inputTokens: call.tokens[0], outputTokens: call.tokens[1],
        cachedInputTokens: 0, reasoningTokens: 0, costUsd: call.costUsd, latencyMs: 100, synthetic: false, startedAt: at, finishedAt: at,
        ...(call.status === "failed" ? { errorKind: local ? "timeout" : "server" } : {}),
      });
      if (call.rejected) repositories.executions.markCallRejected(callId, call.rejected);
    });
    repositories.runs.finishStep(stepExecutionId, { status: run.status, finishedAt: run.at, attempts: run.calls.length, inputTokens: 0, outputTokens: 0, costUsd: 0 });
  }
}

describe("report figures: per item, failed attempts apart, no free failure", () => {
  let report: Report;
  before(async () => {
    const store = openSqliteStore(":memory:");
    try {
      fill(store);
      const window = reportWindow({ from: "2025-04-01", to: "2025-04-09" }, now);
      report = buildReport(await readReportData(store.reports, window, "UTC"), { window, groupBy: "model", now, timeZone: "UTC" });
    } finally {
      await store.close();
    }
  });

  it("count each item of a for_each step on its own: one failed item does not undo the three kept answers", () => {
    const { totals } = report;
    assert.equal(totals.callsMade, 8);
    assert.equal(totals.failedCalls, 2);
    // .002 + .002 + 0 + .01 + .001 + .01 + 0 + .003
    assert.equal(totals.spendUsd, 0.028);
    // Items 0–3 of e1 and e2's step.
    assert.equal(totals.steps, 5);
    // Items 0, 1, 2 of the failed step, and e2's step.
    assert.equal(totals.successfulSteps, 4);
    // 0.028 / 4
    assert.equal(totals.costPerSuccessfulStepUsd, 0.007);
  });

  it("credit each model with the items it answered", () => {
    assert.deepEqual(
      report.groups.map((group) => [group.key, group.callsMade, group.failedCalls, group.spendUsd, group.successfulSteps, group.costPerSuccessfulStepUsd, group.freeCallShare]),
      [
        // items 2 (kept) and 3 (rejected): .01 + .01, one success.
        ["openai:gpt-big", 2, 0, 0.02, 1, 0.02, 0],
        // items 0, 1 (kept), item 3 (failed, $0.001), e2 (kept): .008 / 3 successes.
        ["openai:gpt-mini", 4, 1, 0.008, 3, 0.002666667, 0],
        // item 2's rejected answer was free; e2's timeout was a failure, not a free call: 1 of 2.
        ["local:llama", 2, 1, 0, 0, null, 0.5],
      ],
    );
  });

  it("never count a failed call as free: only the $0 answer that came back is", () => {
    // Tokens of calls made: 120 + 120 + 250 + 240 + 0 + 360 + 0 + 180 = 1,270.
    assert.deepEqual(report.totals.free, { calls: 1, callShare: 1 / 8, tokens: 250, tokenShare: 250 / 1_270 });
    assert.deepEqual(report.totals.local, { calls: 2, callShare: 2 / 8, tokens: 250, tokenShare: 250 / 1_270 });
  });

  it("list the models escalations ended on apart from the failed last attempts", () => {
    assert.deepEqual(report.escalations, {
      stepExecutions: 5,
      escalatedExecutions: 3,
      rate: 3 / 5,
      extraAttempts: 3,
      // The attempts before the last: item 2's llama ($0), item 3's failed gpt-mini ($0.001), e2's llama ($0).
      extraCostUsd: 0.001,
      // (0 + .01) + (.001 + .01) + (0 + .003)
      costUsd: 0.024,
      bySteps: [
        { pipeline: "fan", step: "each", executions: 4, escalated: 2, extraAttempts: 2, extraCostUsd: 0.001, costUsd: 0.021, finalModels: { "openai:gpt-big": 1 }, failedFinalModels: { "openai:gpt-big": 1 } },
        { pipeline: "solo", step: "single", executions: 1, escalated: 1, extraAttempts: 1, extraCostUsd: 0, costUsd: 0.003, finalModels: { "openai:gpt-mini": 1 }, failedFinalModels: {} },
      ],
    });
    const table = reportTables(report).find((candidate) => candidate.id === "escalations")!;
    assert.deepEqual(table.headings.slice(-2), ["final models", "failed last attempts"]);
    assert.deepEqual(table.rows[0]!.slice(-2), ["openai:gpt-big ×1", "openai:gpt-big ×1"]);
  });
});
