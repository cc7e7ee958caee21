/**
 * What traces cost per call: the telemetry subscriber fed a run's events (a step with one attempt
 * per call: step-start, attempt-start, attempt-end, step-end — a step and a `chat` span per call,
 * and the step's route read from SQLite), against the same events given to a listener that does
 * nothing. The spans go through the real batch processor and OTLP/HTTP exporter to a loopback
 * collector that answers at once; the final flush (serialising and sending every span) is
 * measured apart and reported per call too, after a warm-up round. Goal (issue 12): at most 0.2 ms per call.
 *
 *   node --import tsx test/bench/telemetry.ts
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { RunEvent } from "../../src/executor/events.js";
import type { PipelineModel, PipelineStep } from "../../src/pipeline/model.js";
import type { RoutingPolicy } from "../../src/generated/routing-policy.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { startRunTelemetry } from "../../src/telemetry/run-telemetry.js";
import { temporaryDirectory } from "../support/cli.js";

export interface TelemetryCost {
  calls: number;
  subscriberMsPerCall: number;
  flushMsPerCall: number;
  spansReceived: number;
}

/** A first round warms the JIT, the SDK's code paths and SQLite's statements, as any run past its first calls has. */
export async function measureTelemetry(calls = 2000): Promise<TelemetryCost> {
  await oneRound(Math.ceil(calls / 2));
  return oneRound(calls);
}

async function oneRound(calls: number): Promise<TelemetryCost> {
  let spansReceived = 0;
  const collector = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      spansReceived += (Buffer.concat(chunks).toString().match(/"spanId"/g) ?? []).length;
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;

  const stepNames = Array.from({ length: calls }, (_, index) => `s${index}`);
  const store = openSqliteStore(path.join(temporaryDirectory("orch-bench-"), "orch.db"));
  store.repositories.runs.createRun({ id: "bench", pipelineName: "bench", pipelinePath: "/bench.yaml", inputs: {}, startedAt: new Date().toISOString(), processId: process.pid }, stepNames);
  const route = { matched: "tier:standard", candidates: ["cheap", "dear"], notes: [{ reference: "cheap", kept: true, reason: "worst case $0.0012 fits the $5.00 left today", target: "openai:gpt-4o-mini" }], chosen: "openai:gpt-4o-mini" };
  // A result as large as a real one (prompt and output kept): the route is read out of it by SQLite.
  const result = JSON.stringify({ route, prompt: [{ role: "user", content: "x".repeat(2_000) }], output: "y".repeat(1_000) });
  store.database.prepare("UPDATE step_executions SET result_json = ? WHERE run_id = 'bench'").run(result);

  const pipeline = { name: "bench", steps: new Map(stepNames.map((name) => [name, { name, maxTokens: 500, temperature: 0.2 } as PipelineStep])) } as unknown as PipelineModel;
  const policy = { version: 1, providers: { openai: { type: "openai" } }, models: {}, tiers: {} } as unknown as RoutingPolicy;
  const telemetry = await startRunTelemetry({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }, settings: undefined, pipeline, policy, stepRoute: (runId, step) => store.callLog.stepRoute(runId, step) });
  if (!telemetry) throw new Error("telemetry did not start");

  const at = new Date().toISOString();
  const usage = { inputTokens: 500, outputTokens: 250 };
  const events: RunEvent[][] = stepNames.map((step) => [
    { type: "step-start", step, at },
    { type: "attempt-start", step, attempt: 1, reference: "cheap", provider: "openai", model: "gpt-4o-mini", synthetic: false, reservedUsd: 0.0012, at },
    { type: "attempt-end", step, attempt: 1, provider: "openai", model: "gpt-4o-mini", status: "succeeded", usage, costUsd: 0.001, latencyMs: 900, finishReason: "stop", at },
    { type: "step-end", step, status: "succeeded", provider: "openai", model: "gpt-4o-mini", synthetic: false, usage, costUsd: 0.001, attempts: 1, at },
  ]);
  const runStart: RunEvent = { type: "run-start", runId: "bench", pipeline: "bench", steps: stepNames, resultsDirectory: "/tmp", syntheticProviders: [], at };
  const totals = { steps: { pending: 0, running: 0, succeeded: calls, failed: 0, skipped: 0, budget_stopped: 0, deferred: 0, cancelled: 0 }, calls, inputTokens: 0, outputTokens: 0, costUsd: 0, cacheHits: 0, savedUsd: 0, overruns: 0, overrunUsd: 0 };
  const runEnd: RunEvent = { type: "run-end", runId: "bench", status: "succeeded", exitCode: 0, totals, resultsDirectory: "/tmp", durationMs: 1, at };

  const feed = (listener: (event: RunEvent) => void): number => {
    const started = performance.now();
    for (const step of events) for (const event of step) listener(event);
    return performance.now() - started;
  };
  let seen = 0;
  const nothing = (event: RunEvent) => void (seen += event.type.length);
  feed(nothing);
  const baseline = feed(nothing);
  telemetry.onEvent(runStart);
  // The events are handed over at once and turned into spans in order (each step's route read from the store): timed until all are.
  const handedOverAt = performance.now();
  feed(telemetry.onEvent);
  await telemetry.idle();
  const withTraces = performance.now() - handedOverAt;
  telemetry.onEvent(runEnd);
  const flushStarted = performance.now();
  const warning = await telemetry.finish();
  const flushMs = performance.now() - flushStarted;
  await store.close();
  collector.closeAllConnections();
  await new Promise<void>((resolve) => collector.close(() => resolve()));
  if (warning) throw new Error(warning);
  return {
    calls,
    subscriberMsPerCall: +((withTraces - baseline) / calls).toFixed(4),
    flushMsPerCall: +(flushMs / calls).toFixed(4),
    spansReceived,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await measureTelemetry(), null, 2));
