/**
 * Provider prompt caching, measured in money: a 50-item `for_each` whose items share a
 * 20,000-token context, run by `orch run` through the real SDKs against the fake server, at the
 * price table's real prices (no `prices:` in the policy). The cost is what orch's own ledger
 * settled for the run, with and without provider caching:
 *   - Anthropic (Claude Sonnet 4): `provider_cache: false` against the default (the context marked
 *     with `cache_control`: one 5-minute write, then reads);
 *   - OpenAI (GPT-4.1) and Gemini (2.5 Flash) cache long prefixes by themselves; what orch changes
 *     is the order: a template that puts the context after the item (nothing shared comes first)
 *     against the default, where context files come before the prompt.
 * Items run one after another (concurrency 1): with N in flight, the first N calls would all write.
 * Fake tokens are words; the fake's prompt caches follow the vendors' documented rules
 * (src/fake-server/prompt-cache.ts).
 * Run: npm run bench:cache   (the README quotes its output)
 */
import path from "node:path";
import Database from "better-sqlite3";
import { startFakeLlmServer } from "../../src/fake-server/index.js";
import { runCliInProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";

const items = 50;
const contextWords = 20_000;
const answerWords = 120;

/** A deterministic text of `count` words from a small vocabulary (a fixed linear congruential sequence). */
function sharedContext(count: number): string {
  const vocabulary = ["ledger", "budget", "reserve", "settle", "model", "route", "cache", "prompt", "token", "policy", "step", "answer", "price", "write", "read", "run"];
  let state = 7;
  const words: string[] = [];
  for (let index = 0; index < count; index++) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    words.push(vocabulary[state % vocabulary.length]!);
  }
  return words.join(" ");
}

const providers = {
  anthropic: { settings: `{ type: anthropic, base_url: "\${FAKE_URL}", api_key_env: BENCH_KEY }`, model: "claude-sonnet-4-20250514" },
  openai: { settings: `{ type: openai, base_url: "\${FAKE_URL}/v1", api_key_env: BENCH_KEY }`, model: "gpt-4.1" },
  gemini: { settings: `{ type: gemini, base_url: "\${FAKE_URL}", api_key_env: BENCH_KEY }`, model: "gemini-2.5-flash" },
} as const;

type Vendor = keyof typeof providers;

interface Scenario {
  vendor: Vendor;
  label: string;
  /** Step lines added under `review:`. */
  stepLines: string[];
}

const contextFirst = ["    context: [shared.txt]", '    prompt: "Review item <%= it.item %> against the shared notes."'];
const contextAfterItem = ["    context: [shared.txt]", "    prompt: { file: after-item.eta }"];

const scenarios: Scenario[] = [
  { vendor: "anthropic", label: "no provider caching (provider_cache: false)", stepLines: ["    provider_cache: false", ...contextFirst] },
  { vendor: "anthropic", label: "provider caching (context marked, 5-minute writes)", stepLines: contextFirst },
  { vendor: "openai", label: "context after the item (nothing shared first)", stepLines: contextAfterItem },
  { vendor: "openai", label: "context first (orch's default order)", stepLines: contextFirst },
  { vendor: "gemini", label: "context after the item (nothing shared first)", stepLines: contextAfterItem },
  { vendor: "gemini", label: "context first (orch's default order)", stepLines: contextFirst },
];

function projectFor(scenario: Scenario, context: string): string {
  const provider = providers[scenario.vendor];
  const policy = [
    "version: 1",
    "providers:",
    `  ${scenario.vendor}: ${provider.settings}`,
    "models:",
    `  m: { model: "${scenario.vendor}:${provider.model}" }`,
    "tiers:",
    "  economy: [m]",
    "  standard: [m]",
    "  premium: [m]",
    "",
  ].join("\n");
  const pipeline = [
    "version: 1",
    "name: provider-cache-bench",
    "policy: policy.yaml",
    "inputs:",
    `  files: { type: list, default: [${Array.from({ length: items }, (_, index) => `"f${index}"`).join(", ")}] }`,
    "steps:",
    "  review:",
    '    for_each: { items: "inputs.files", concurrency: 1 }',
    "    max_tokens: 400",
    "    cache: false",
    '    system: "You review one file against the shared notes."',
    ...scenario.stepLines,
    "",
  ].join("\n");
  return writeProject({
    "policy.yaml": policy,
    "pipeline.yaml": pipeline,
    "shared.txt": context,
    "after-item.eta": "Review item <%= it.item %> against the shared notes.\n\n<%= it.context[0].content %>",
  });
}

/** What the ledger settled for the run, in nano-dollars, and the calls' cache figures. */
function ledgerFigures(directory: string) {
  const database = new Database(path.join(directory, "state/orch.db"), { readonly: true });
  try {
    const settled = database.prepare("SELECT COALESCE(SUM(settled_nano_usd), 0) AS nano FROM budget_reservations WHERE status = 'settled'").get() as { nano: number };
    const calls = database
      .prepare("SELECT COUNT(*) AS calls, SUM(input_tokens) AS input, SUM(cached_input_tokens) AS cached, SUM(cache_write_tokens + cache_write_1h_tokens) AS written FROM llm_calls")
      .get() as { calls: number; input: number; cached: number; written: number };
    return { settledNano: settled.nano, ...calls };
  } finally {
    database.close();
  }
}

const server = await startFakeLlmServer();
const context = sharedContext(contextWords);
const answer = sharedContext(answerWords);
const results: Array<Record<string, unknown>> = [];
try {
  for (const scenario of scenarios) {
    server.reset();
    server.script(providers[scenario.vendor].model, { defaultResponse: answer });
    const directory = projectFor(scenario, context);
    const run = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), "--db", path.join(directory, "state/orch.db"), "--results", path.join(directory, "results")], {
      BENCH_KEY: "bench-key-not-secret",
      FAKE_URL: server.url,
    });
    if (run.code !== 0) throw new Error(`${scenario.vendor} / ${scenario.label}: exit ${run.code}\n${run.stdout}\n${run.stderr}`);
    const figures = ledgerFigures(directory);
    results.push({
      vendor: scenario.vendor,
      model: providers[scenario.vendor].model,
      scenario: scenario.label,
      calls: figures.calls,
      inputTokens: figures.input,
      cachedInputTokens: figures.cached,
      cacheWriteTokens: figures.written,
      ledgerUsd: figures.settledNano / 1e9,
    });
  }
} finally {
  await server.close();
}

const ratios = Object.fromEntries(
  (Object.keys(providers) as Vendor[]).map((vendor) => {
    const [without, withCaching] = results.filter((result) => result.vendor === vendor).map((result) => result.ledgerUsd as number);
    return [vendor, { withoutUsd: without, withUsd: withCaching, ratio: +(withCaching! / without!).toFixed(3) }];
  }),
);
console.log(JSON.stringify({ items, contextWords, answerWords, results, ratios }, null, 2));
