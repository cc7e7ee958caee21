/**
 * Recorded calls per second: 2,000 independent steps answered at once, as orch runs them, against
 * orch's own store writing the same rows without the executor (the floor the store sets). The
 * provider answers like the mock but is counted as real money, so day and month budgets are
 * checked as they are for paid calls; with `seededReservations` the month already holds that many.
 */
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createLedger } from "../../../src/budget/index.js";
import { calendarKeys } from "../../../src/budget/calendar.js";
import { runPipeline } from "../../../src/executor/run-pipeline.js";
import type { Provider } from "../../../src/providers/provider.js";
import { openStore } from "../../../src/store/index.js";
import { openSqliteStore } from "../../../src/store/sqlite-store.js";
import { loadWorkspace } from "../../../src/workspace/load-workspace.js";
import { openProviders } from "../../../src/workspace/open-providers.js";
import { temporaryDirectory } from "../../support/cli.js";
import { independent, writePipeline, writePolicy } from "../support/projects.js";

export interface RecordedCallsOptions {
  steps: number;
  budget: boolean;
  seededReservations: number;
}

const budget = { dailyUsd: 1_000_000, monthlyUsd: 1_000_000 };

/** Calls per second of an orch run. */
export async function orchRecordedCalls(options: RecordedCallsOptions): Promise<number> {
  const directory = temporaryDirectory("orch-bench-calls-");
  writePolicy(directory, { latencyMs: 0, ...(options.budget ? { budget } : {}) });
  const workspace = await loadWorkspace(writePipeline(directory, options.steps, independent));
  const file = path.join(directory, "orch.db");
  seed(file, options.seededReservations);
  const store = await openStore(file);
  const opened = openProviders(workspace.policy, { env: {}, workingDirectory: directory });
  const asRealMoney = (provider: Provider): Provider => new Proxy(provider, { get: (target, key) => (key === "type" ? "openai" : Reflect.get(target, key)) });
  const started = performance.now();
  const outcome = await runPipeline({
    pipeline: workspace.pipeline,
    policy: workspace.policy,
    inputs: {},
    store,
    providers: { ...opened.set, get: (id) => asRealMoney(opened.set.get(id)) },
    resultsRoot: path.join(directory, "results"),
    concurrency: 16,
  });
  const elapsed = performance.now() - started;
  await opened.close();
  await store.close();
  if (outcome.exitCode !== 0) throw new Error(`bench run failed: ${outcome.status}`);
  return options.steps / (elapsed / 1000);
}

/**
 * Calls per second of the store alone (through the store contract, as the executor writes) writing
 * what a run writes per call: reservation, then step start + call + its texts + settlement in one
 * operation, step end.
 */
export async function storeRecordedCalls(options: RecordedCallsOptions): Promise<number> {
  const directory = temporaryDirectory("orch-bench-store-");
  const file = path.join(directory, "orch.db");
  seed(file, options.seededReservations);
  const store = await openStore(file);
  const runId = "bench-store";
  const names = Array.from({ length: options.steps }, (_, index) => `s${index}`);
  const started = performance.now();
  const ids = await store.runs.createRun({ id: runId, pipelineName: "bench", pipelinePath: "p.yaml", inputs: {}, startedAt: new Date().toISOString(), processId: process.pid }, names);
  const ledger = await createLedger({ store: store.ledger, runId, pipelineName: "bench", limits: options.budget ? budget : {}, timeZone: "UTC" });
  for (const name of names) {
    const at = new Date().toISOString();
    const stepExecutionId = ids.get(name)!;
    const reservation = await ledger.reserve(0.00001);
    if (!reservation.ok) throw new Error("bench store refused");
    const written = await store.runs.recordPaidCall({
      stepExecutionId,
      close: ledger.closing(reservation.reservation, 0.000005, { step: name, attempt: 1, provider: "fake", model: "m" }),
      call: {
        runId, stepExecutionId, step: name, attempt: 1, pipelineName: "bench", task: "chat", provider: "fake", providerType: "openai", model: "m",
        promptSha256: "0".repeat(64), status: "succeeded", inputTokens: 5, outputTokens: 5, cachedInputTokens: 0, reasoningTokens: 0, costUsd: 0.000005,
        synthetic: false, reservationId: reservation.reservation.id, startedAt: at, finishedAt: at, cacheKey: "k",
      },
      text: { kept: "hashes", answerSha256: "0".repeat(64) },
    });
    await ledger.settled(reservation.reservation, written.settlement);
    await store.runs.finishStep(stepExecutionId, { status: "succeeded", finishedAt: at, output: "answer", attempts: 1, inputTokens: 5, outputTokens: 5, costUsd: 0.000005, resultJson: "{}\n" });
  }
  const elapsed = performance.now() - started;
  await store.close();
  return options.steps / (elapsed / 1000);
}

/** Settled reservations of other runs earlier this month, real money (written in one transaction through the SQLite repositories: not timed). */
function seed(file: string, count: number): void {
  if (count === 0) return;
  const store = openSqliteStore(file);
  const { ledger } = store.repositories;
  const keys = calendarKeys(new Date(), "UTC");
  const at = new Date().toISOString();
  store.database.transaction(() => {
    for (let index = 0; index < count; index++) {
      const outcome = ledger.reserve({ runId: `earlier-${index % 50}`, ...keys, pipelineName: "earlier", amountNanoUsd: 1000, limits: [], processId: process.pid, createdAt: at, expiresAt: "2100-01-01T00:00:00.000Z" });
      if (outcome.ok) ledger.settle(outcome.reservationId, 900, at);
    }
  })();
  store.database.close();
}
