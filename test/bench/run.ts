/**
 * Benchmarks of orch's own overhead, as ratios measured in one run (so they hold on any machine):
 *   1. start-up: `orch --version` against a bare `node -e ""`;
 *   2. per-step overhead: a 200-step chain on a mock answering in 50 ms, run by orch, against the
 *      same 200 calls made directly one after another (so timer slop is not counted as orch's);
 *   3. validation of a 500-step pipeline;
 *   4. memory: heap growth over a 1,000-step run;
 *   5. the call log: what keeping each call's messages and answer adds per call (call-log.ts).
 * Run: npm run bench   (the README quotes its output)
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { runPipeline } from "../../src/executor/run-pipeline.js";
import { measureCallLog } from "./call-log.js";
import { estimateTokens } from "../../src/policy/estimate-tokens.js";
import { createMockProvider } from "../../src/providers/mock/mock-provider.js";
import { openStore } from "../../src/store/index.js";
import { loadWorkspace } from "../../src/workspace/load-workspace.js";
import { openProviders } from "../../src/workspace/open-providers.js";
import { repositoryRoot, temporaryDirectory } from "../support/cli.js";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeProcess(args: string[], runs: number): number {
  const samples: number[] = [];
  for (let index = 0; index < runs; index++) {
    const started = performance.now();
    execFileSync(process.execPath, args, { cwd: repositoryRoot, stdio: "ignore" });
    samples.push(performance.now() - started);
  }
  return median(samples);
}

function writeChainPipeline(directory: string, steps: number, latencyMs: number, parallel: boolean): string {
  writeFileSync(
    path.join(directory, "policy.yaml"),
    `version: 1\nproviders:\n  offline: { type: mock, latency_ms: ${latencyMs} }\nmodels:\n  m: { model: "offline:m", prices: { input: 1, output: 2 } }\ntiers:\n  economy: [m]\n  standard: [m]\n  premium: [m]\n`,
  );
  const lines = ["version: 1", "name: bench", "policy: policy.yaml", "steps:"];
  for (let index = 0; index < steps; index++) {
    lines.push(`  s${index}:`);
    if (!parallel && index > 0) lines.push(`    needs: [s${index - 1}]`);
    lines.push(parallel || index === 0 ? `    prompt: "Step ${index}"` : `    prompt: "Continue from <%= it.steps.s${index - 1}.output %>"`);
  }
  writeFileSync(path.join(directory, "pipeline.yaml"), `${lines.join("\n")}\n`);
  writeFileSync(path.join(directory, "package.json"), "{}\n");
  return path.join(directory, "pipeline.yaml");
}

async function runOnce(pipelineFile: string, directory: string, concurrency: number) {
  const workspace = await loadWorkspace(pipelineFile);
  const store = openStore(path.join(directory, "orch.db"));
  const providers = openProviders(workspace.policy, { env: {}, workingDirectory: directory });
  const started = performance.now();
  const outcome = await runPipeline({
    pipeline: workspace.pipeline,
    policy: workspace.policy,
    inputs: {},
    store,
    providers: providers.set,
    resultsRoot: path.join(directory, "results"),
    concurrency,
  });
  const elapsed = performance.now() - started;
  await providers.close();
  store.close();
  if (outcome.exitCode !== 0) throw new Error(`bench run failed: ${outcome.status}`);
  return elapsed;
}

const results: Record<string, unknown> = {};

const bareNode = timeProcess(["-e", ""], 7);
const version = timeProcess([path.join(repositoryRoot, "bin/orch.js"), "--version"], 7);
results.startup = { bareNodeMs: Math.round(bareNode), orchVersionMs: Math.round(version), ratio: +(version / bareNode).toFixed(2) };

const sequentialDirectory = temporaryDirectory("orch-bench-");
const latencyMs = 50;
const steps = 200;
estimateTokens("load the tokenizer before timing anything");
const mock = createMockProvider("offline", { type: "mock", latency_ms: latencyMs });
const directStarted = performance.now();
for (let index = 0; index < steps; index++) {
  await mock.call({ model: "m", messages: [{ role: "user", content: `Step ${index}` }], maxTokens: 1024, origin: { runId: "bench", step: `s${index}` } }, new AbortController().signal);
}
const directElapsed = performance.now() - directStarted;
const sequentialElapsed = await runOnce(writeChainPipeline(sequentialDirectory, steps, latencyMs, false), sequentialDirectory, 1);
const overheadPerStepMs = (sequentialElapsed - directElapsed) / steps;
results.perStepOverhead = {
  steps,
  mockLatencyMs: latencyMs,
  directCallsMs: Math.round(directElapsed),
  orchRunMs: Math.round(sequentialElapsed),
  overheadPerStepMs: +overheadPerStepMs.toFixed(2),
  shareOf50msCall: +(overheadPerStepMs / latencyMs).toFixed(3),
  shareOf1sCall: +(overheadPerStepMs / 1000).toFixed(4),
};

const validationDirectory = temporaryDirectory("orch-bench-");
const bigPipeline = writeChainPipeline(validationDirectory, 500, 0, false);
await loadWorkspace(bigPipeline); // warm the module and tokenizer caches once
const validationSamples: number[] = [];
for (let index = 0; index < 5; index++) {
  const started = performance.now();
  await loadWorkspace(bigPipeline);
  validationSamples.push(performance.now() - started);
}
results.validation = { steps: 500, medianMs: Math.round(median(validationSamples)), perStepMs: +(median(validationSamples) / 500).toFixed(3) };

const memoryDirectory = temporaryDirectory("orch-bench-");
const memoryPipeline = writeChainPipeline(memoryDirectory, 1000, 0, true);
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const memoryElapsed = await runOnce(memoryPipeline, memoryDirectory, 8);
global.gc?.();
const heapAfter = process.memoryUsage().heapUsed;
results.memory = {
  steps: 1000,
  wallMs: Math.round(memoryElapsed),
  heapGrowthMiB: +((heapAfter - heapBefore) / 1024 / 1024).toFixed(1),
  rssMiB: +(process.memoryUsage().rss / 1024 / 1024).toFixed(1),
  gcExposed: typeof global.gc === "function",
};

results.callLog = measureCallLog();

const outputDirectory = path.join(repositoryRoot, "test/bench");
mkdirSync(outputDirectory, { recursive: true });
writeFileSync(path.join(outputDirectory, "last-run.json"), `${JSON.stringify({ node: process.version, ...results }, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
