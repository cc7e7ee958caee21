/**
 * The call log's cost per call: what `recordPaidCall` adds to a call's transaction (scrubbing the
 * messages, one insert into llm_call_texts), measured as the difference between recording calls
 * with and without it, on a 2 KB prompt and a 1 KB answer, in a file database (WAL) like a run's.
 * Goal (issue 12): at most 0.2 ms per call.
 */
import path from "node:path";
import { performance } from "node:perf_hooks";
import { callTextOf } from "../../src/executor/call-log.js";
import type { PipelineStep } from "../../src/pipeline/model.js";
import { createRedactor } from "../../src/secrets/redact.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { temporaryDirectory } from "../support/cli.js";

export function measureCallLog(calls = 2000): { calls: number; withoutMs: number; withMs: number; overheadPerCallMs: number } {
  const store = openSqliteStore(path.join(temporaryDirectory("orch-bench-"), "orch.db"));
  const { runs, callLog } = store.repositories;
  const ids = runs.createRun({ id: "bench", pipelineName: "bench", pipelinePath: "/bench.yaml", inputs: {}, startedAt: new Date().toISOString(), processId: process.pid }, ["s"]);
  const context = { policy: { version: 1 as const, providers: {}, models: {}, tiers: { economy: ["m"] as [string], standard: ["m"] as [string], premium: ["m"] as [string] } }, redact: createRedactor(["sk-bench-secret-0123456789", "ghp-bench-token-0123456789"]) };
  const step = { sensitive: false } as PipelineStep;
  const prompt = "Summarise the following change log for the release notes.\n".repeat(35);
  const answer = "A line of the answer that the model wrote back.\n".repeat(21);
  const record = (index: number, withLog: boolean) => {
    // A new array per call, as a new unit renders one: nothing is served from the scrub cache.
    const messages = [{ role: "user" as const, content: `${prompt}${index}` }];
    const text = withLog ? callTextOf(context, step, messages, answer) : undefined;
    store.database.transaction(() => {
      const callId = runs.recordCall({
        runId: "bench", stepExecutionId: ids.get("s")!, step: "s", attempt: index, pipelineName: "bench", task: "chat", provider: "p", providerType: "mock",
        model: "m", promptSha256: "0".repeat(64), status: "succeeded", inputTokens: 500, outputTokens: 250, cachedInputTokens: 0, reasoningTokens: 0,
        costUsd: 0.001, synthetic: true, startedAt: "2026-01-01T00:00:00.000Z", finishedAt: "2026-01-01T00:00:01.000Z",
      });
      if (text) callLog.recordCallText(callId, text);
    }).immediate();
  };
  const time = (withLog: boolean, offset: number) => {
    const started = performance.now();
    for (let index = 0; index < calls; index++) record(offset + index, withLog);
    return performance.now() - started;
  };
  time(true, 0); // warm statements and pages
  // Alternating halves, so drift (page cache, WAL growth) weighs on both alike.
  const firstWithout = time(false, calls);
  const firstWith = time(true, 2 * calls);
  const withoutMs = firstWithout + time(false, 3 * calls);
  const withMs = firstWith + time(true, 4 * calls);
  store.database.close();
  return { calls: 2 * calls, withoutMs: Math.round(withoutMs), withMs: Math.round(withMs), overheadPerCallMs: +((withMs - withoutMs) / (2 * calls)).toFixed(4) };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(measureCallLog(), null, 2));
