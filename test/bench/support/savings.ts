/**
 * What provider caching and batch mode save, measured in money by orch itself: a `for_each` whose
 * items share one long context, run by `orch run` through the real SDKs against the fake server,
 * and the cost read back from orch's own ledger (the settled reservations and the call rows),
 * never recomputed here. Four ways of running the same work:
 *   - nothing: no provider caching (Anthropic: `provider_cache: false`; OpenAI caches long
 *     prefixes by itself, so the context goes after the item and nothing shared comes first);
 *   - caching: orch's default (the context first, marked with `cache_control` for Anthropic);
 *   - batch: `batch: true` without caching (the vendor's batch API, every token at half price);
 *   - both: `batch: true` with orch's default order and marks.
 * Items run one at a time (`concurrency: 1`): with N in flight, the first N calls would all write
 * the cache. A batch step is not held to that: its items go up together (fan-out.ts).
 * Fake tokens are words; the fake's prompt caches follow the vendors' rules (src/fake-server/prompt-cache.ts).
 */
import path from "node:path";
import Database from "better-sqlite3";
import type { FakeLlmServer } from "../../../src/fake-server/index.js";
import { runCliInProcess } from "../../support/cli.js";
import { writeProject } from "../../support/project.js";

export type Vendor = "anthropic" | "openai" | "gemini";
export type Saving = "nothing" | "caching" | "batch" | "both";
export const savings: readonly Saving[] = ["nothing", "caching", "batch", "both"];

export const vendors: Record<Vendor, { settings: string; model: string }> = {
  anthropic: { settings: `{ type: anthropic, base_url: "\${FAKE_URL}", api_key_env: BENCH_KEY, max_retries: 0 }`, model: "claude-sonnet-4-20250514" },
  openai: { settings: `{ type: openai, base_url: "\${FAKE_URL}/v1", api_key_env: BENCH_KEY, max_retries: 0 }`, model: "gpt-4.1" },
  gemini: { settings: `{ type: gemini, base_url: "\${FAKE_URL}", api_key_env: BENCH_KEY, max_retries: 0 }`, model: "gemini-2.5-flash" },
};

export interface SavingsCase {
  vendor: Vendor;
  saving: Saving;
  items: number;
  /** The shared context, in (fake) tokens: one per word. */
  contextWords: number;
  answerWords: number;
  /** A `prices:` line for the model (policy syntax); absent: the price table's real prices. */
  prices?: string;
}

export interface LedgerFigures {
  /** What the ledger settled for the run, in nano-dollars. */
  settledNano: number;
  /** The call rows' costs, summed (USD): the same money, per call. */
  callsUsd: number;
  calls: number;
  inputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  /** Batches submitted to the vendor's batch API. */
  batches: number;
}

/** A deterministic text of `count` words from a small vocabulary (a fixed linear congruential sequence). */
export function wordsText(count: number, seed = 7): string {
  const vocabulary = ["ledger", "budget", "reserve", "settle", "model", "route", "cache", "prompt", "token", "policy", "step", "answer", "price", "write", "read", "run"];
  let state = seed;
  const words: string[] = [];
  for (let index = 0; index < count; index++) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    words.push(vocabulary[state % vocabulary.length]!);
  }
  return words.join(" ");
}

/** The step's lines for one way of running (see the header). */
function stepLines(vendor: Vendor, saving: Saving): string[] {
  const cached = saving === "caching" || saving === "both";
  const lines = saving === "batch" || saving === "both" ? ["    batch: true"] : [];
  if (vendor === "anthropic") {
    if (!cached) lines.push("    provider_cache: false");
    return [...lines, "    context: [shared.txt]", '    prompt: "Review item <%= it.item %> against the shared notes."'];
  }
  // Automatic caching cannot be turned off: without caching, nothing shared may come first.
  return [...lines, "    context: [shared.txt]", cached ? '    prompt: "Review item <%= it.item %> against the shared notes."' : "    prompt: { file: after-item.eta }"];
}

export function savingsProject(test: SavingsCase): string {
  const vendor = vendors[test.vendor];
  const policy = [
    "version: 1",
    "providers:",
    `  ${test.vendor}: ${vendor.settings}`,
    "models:",
    `  m: { model: "${test.vendor}:${vendor.model}"${test.prices ? `, prices: ${test.prices}` : ""} }`,
    "tiers:",
    "  economy: [m]",
    "  standard: [m]",
    "  premium: [m]",
    "",
  ].join("\n");
  const pipeline = [
    "version: 1",
    "name: savings-bench",
    "policy: policy.yaml",
    "inputs:",
    `  files: { type: list, default: [${Array.from({ length: test.items }, (_, index) => `"f${index}"`).join(", ")}] }`,
    "steps:",
    "  review:",
    '    for_each: { items: "inputs.files", concurrency: 1 }',
    `    max_tokens: ${Math.max(16, test.answerWords * 2)}`,
    "    cache: false",
    '    system: "You review one file against the shared notes."',
    ...stepLines(test.vendor, test.saving),
    "",
  ].join("\n");
  return writeProject({
    "policy.yaml": policy,
    "pipeline.yaml": pipeline,
    "shared.txt": wordsText(test.contextWords),
    "after-item.eta": "Review item <%= it.item %> against the shared notes.\n\n<%= it.context[0].content %>",
  });
}

/** Runs one case with `orch run` against the (reset) fake server and reads what orch's ledger recorded. */
export async function measureSavings(server: FakeLlmServer, test: SavingsCase): Promise<LedgerFigures> {
  server.reset();
  server.script(vendors[test.vendor].model, { defaultResponse: wordsText(test.answerWords, 11) });
  const directory = savingsProject(test);
  const database = path.join(directory, "state/orch.db");
  const run = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), "--db", database, "--results", path.join(directory, "results")], {
    BENCH_KEY: "bench-key-not-secret",
    FAKE_URL: server.url,
    ORCH_BATCH_POLL_MS: "10",
  });
  if (run.code !== 0) throw new Error(`${test.vendor} / ${test.saving}: exit ${run.code}\n${run.stdout}\n${run.stderr}`);
  return ledgerFigures(database);
}

function ledgerFigures(file: string): LedgerFigures {
  const database = new Database(file, { readonly: true });
  try {
    const settled = database.prepare("SELECT COALESCE(SUM(settled_nano_usd), 0) AS nano FROM budget_reservations WHERE status = 'settled'").get() as { nano: number };
    const calls = database
      .prepare(
        `SELECT COUNT(*) AS calls, COALESCE(SUM(cost_usd), 0) AS callsUsd, COALESCE(SUM(input_tokens), 0) AS inputTokens,
           COALESCE(SUM(cached_input_tokens), 0) AS cachedInputTokens, COALESCE(SUM(cache_write_tokens + cache_write_1h_tokens), 0) AS cacheWriteTokens
         FROM llm_calls`,
      )
      .get() as Omit<LedgerFigures, "settledNano" | "batches">;
    const batches = database.prepare("SELECT COUNT(*) AS batches FROM batch_jobs").get() as { batches: number };
    return { settledNano: settled.nano, ...calls, batches: batches.batches };
  } finally {
    database.close();
  }
}
