/**
 * Added time per call: a 300-step chain run by orch against an OpenAI-compatible server on
 * loopback (the project's fake server, through the real `openai` SDK), against the same 300 calls
 * made directly with the SDK, one after another, to the same server in the same process.
 */
import path from "node:path";
import { performance } from "node:perf_hooks";
import OpenAI from "openai";
import { runPipeline } from "../../../src/executor/run-pipeline.js";
import type { FakeLlmServer } from "../../../src/fake-server/index.js";
import { openStore } from "../../../src/store/index.js";
import { loadWorkspace } from "../../../src/workspace/load-workspace.js";
import { openProviders } from "../../../src/workspace/open-providers.js";
import { temporaryDirectory } from "../../support/cli.js";
import { benchOpenAiModel, chain, writePipeline, writePolicy } from "../support/projects.js";

const apiKey = "sk-bench-0123456789abcdef";

/**
 * Milliseconds per call, orch running the chain. `options.database`: where it records (a fresh
 * SQLite file by default, or a `postgres://` URL of an empty database); `options.budget` gives the
 * policy a daily and a monthly limit, so every call reserves and settles in the ledger.
 */
export async function orchPerCallMs(server: FakeLlmServer, steps: number, options: { database?: string; budget?: boolean } = {}): Promise<number> {
  const directory = temporaryDirectory("orch-bench-overhead-");
  writePolicy(directory, { openAiBaseUrl: `${server.url}/v1`, ...(options.budget ? { budget: { dailyUsd: 100_000, monthlyUsd: 1_000_000 } } : {}) });
  const workspace = await loadWorkspace(writePipeline(directory, steps, chain));
  const store = await openStore(options.database ?? path.join(directory, "orch.db"));
  const env = { BENCH_OPENAI_KEY: apiKey };
  const opened = openProviders(workspace.policy, { env, workingDirectory: directory });
  const started = performance.now();
  const outcome = await runPipeline({ pipeline: workspace.pipeline, policy: workspace.policy, inputs: {}, store, providers: opened.set, resultsRoot: path.join(directory, "results"), concurrency: 1, env });
  const elapsed = performance.now() - started;
  await opened.close();
  await store.close();
  server.reset();
  if (outcome.exitCode !== 0) throw new Error(`bench run failed: ${outcome.status}`);
  return elapsed / steps;
}

/** Milliseconds per call, the SDK alone, each prompt carrying the previous answer as orch's do. */
export async function directPerCallMs(server: FakeLlmServer, steps: number): Promise<number> {
  const client = new OpenAI({ apiKey, baseURL: `${server.url}/v1`, maxRetries: 0 });
  let previous = "";
  const started = performance.now();
  for (let index = 0; index < steps; index++) {
    const response = await client.chat.completions.create({
      model: benchOpenAiModel,
      messages: [{ role: "user", content: `Step ${index}${previous ? ` after ${previous}` : ""}` }],
      max_tokens: 1024,
    });
    previous = response.choices[0]?.message.content ?? "";
  }
  const elapsed = performance.now() - started;
  server.reset();
  return elapsed / steps;
}
