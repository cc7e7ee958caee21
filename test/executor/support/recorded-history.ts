/** A database of recorded requests with verdicts, for `orch tune` and `orch backtest`. */
import path from "node:path";
import { openSqliteStore } from "../../../src/store/sqlite-store.js";
import { temporaryDirectory } from "../../support/cli.js";

/**
 * Eight recorded requests (items of one step): on the even ones cheap ($0.001) was accepted; on the
 * odd ones it was rejected, then mid ($0.01) was accepted.
 */
export function seededDatabase(items = 8): string {
  const calls: RecordedCall[] = [];
  for (let item = 0; item < items; item++) {
    calls.push({ item, model: "cheap", costUsd: 0.001, accepted: item % 2 === 0 });
    if (item % 2 === 1) calls.push({ item, model: "mid", costUsd: 0.01, accepted: true });
  }
  return recordedDatabase(calls);
}

export interface RecordedCall {
  item: number;
  model: string;
  costUsd: number;
  accepted: boolean;
}

/** Run r1 of pipeline p, step gen (task code): these calls, in order, each with its verdict. */
export function recordedDatabase(calls: readonly RecordedCall[]): string {
  const db = path.join(temporaryDirectory(), "orch.db");
  const store = openSqliteStore(db);
  const { runs, executions } = store.repositories;
  const ids = runs.createRun({ id: "r1", pipelineName: "p", pipelinePath: "/p.yaml", inputs: {}, startedAt: new Date().toISOString(), processId: 1 }, ["gen"]);
  const at = new Date().toISOString();
  let attempt = 0;
  for (const { item, model, costUsd, accepted } of calls) {
    const id = runs.recordCall({
      runId: "r1", stepExecutionId: ids.get("gen")!, step: "gen", attempt: ++attempt, itemIndex: item, pipelineName: "p", task: "code",
      provider: "openai", providerType: "openai", model, promptSha256: "x", status: "succeeded", inputTokens: 10, outputTokens: 10,
      cachedInputTokens: 0, reasoningTokens: 0, costUsd, latencyMs: 100, synthetic: false, startedAt: at, finishedAt: at,
    });
    if (!accepted) executions.markCallRejected(id, "tests failed");
    executions.recordVerdict(id, accepted ? "accepted" : "rejected", at, undefined);
  }
  store.database.close();
  return db;
}
