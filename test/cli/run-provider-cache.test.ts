/**
 * `orch run` with provider prompt caching, through the real Anthropic SDK against the fake server:
 * the shared context goes first and is marked, the first item writes it and the next read it, each
 * call is billed at its own prices in the ledger, and every reservation holds the write premium.
 * Fake tokens are words, and the worst case is the prompt's bytes: every figure is counted by hand.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { runCliInProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { callRows, jsonEvents, runPaths } from "../executor/support/run-project.js";

const policy = `version: 1
providers:
  anthropic: { type: anthropic, base_url: "\${FAKE_URL}", api_key_env: ANTHROPIC_TEST_KEY, max_retries: 0 }
models:
  sonnet: { model: "anthropic:claude-sonnet-4-20250514", prices: { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75, cache_write_1h: 6 } }
tiers:
  economy: [sonnet]
  standard: [sonnet]
  premium: [sonnet]
`;

// 1,200 words: 1,200 fake tokens, about as many o200k tokens (each " alpha" is one): above the 1,024 minimum.
const shared = Array.from({ length: 1200 }, () => "alpha").join(" ");

function pipeline(system: string, providerCache = ""): string {
  return `version: 1
name: cached
policy: policy.yaml
steps:
  review:
    for_each: { items: "inputs.files", concurrency: 1 }
    max_tokens: 100
    cache: false${providerCache}
    system: "${system}"
    context: [shared.txt]
    prompt: "Review item <%= it.item %>."
inputs:
  files: { type: list, default: ["1", "2", "3"] }
`;
}

describe("orch run with provider prompt caching", () => {
  let server: FakeLlmServer;
  before(async () => {
    server = await startFakeLlmServer();
  });
  after(async () => server.close());

  async function run(pipelineText: string) {
    server.reset();
    server.script("claude-sonnet-4-20250514", { defaultResponse: "Looks fine." }); // 2 output tokens
    const directory = writeProject({ "pipeline.yaml": pipelineText, "policy.yaml": policy, "shared.txt": shared });
    const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--json"], {
      ANTHROPIC_TEST_KEY: "sk-ant-test-cache-1",
      FAKE_URL: server.url,
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    return { directory, events: jsonEvents(result.stdout) };
  }

  it("puts the shared context first, marks it, and bills one write then reads; reservations hold the write premium", async () => {
    const { directory, events } = await run(pipeline("You review files."));
    const contextBlock = `--- shared.txt ---\n${shared}\n\n`;
    for (const [index, sent] of server.requests.entries()) {
      const body = sent.body as { system: unknown; messages: unknown };
      assert.deepEqual(body.system, [{ type: "text", text: "You review files." }]);
      assert.deepEqual(body.messages, [
        {
          role: "user",
          content: [
            { type: "text", text: contextBlock, cache_control: { type: "ephemeral" } },
            { type: "text", text: `Review item ${index + 1}.` },
          ],
        },
      ]);
    }

    // Prompt: 3 (system) + 1,203 (label and words) + 3 (item) = 1,209 fake tokens; the prefix is 1,206.
    // Item 1 writes: (1,206 × 3.75 + 3 × 3 + 2 × 15) / 1e6 USD; items 2 and 3 read: (1,206 × 0.3 + 9 + 30) / 1e6.
    const calls = callRows(directory);
    assert.deepEqual(
      calls.map((call) => [call.item_index, call.input_tokens, call.cost_usd]),
      [
        [0, 1_209, 0.0045615],
        [1, 1_209, 0.0004008],
        [2, 1_209, 0.0004008],
      ],
    );

    // The worst case: the prompt's bytes plus 8 framing tokens a message — system 17 + 8, user 7,220
    // (context block) + 14 (prompt) + 8 — of which the prefix's 7,253 at the write price, the other
    // 14 at the input price, and the 100-token output cap: 7,253 × 3.75 + 14 × 3 + 100 × 15 per million.
    const reserved = events.flatMap((event) => (event.type === "attempt-start" ? [event.reservedUsd] : []));
    assert.deepEqual(reserved, [0.02874075, 0.02874075, 0.02874075]);
    for (const call of calls) assert.ok(call.cost_usd <= 0.02874075);
    assert.equal(events.some((event) => event.type === "budget-overrun"), false);

    // The report: two reads saved 1,206 × (3 − 0.3) each, the write cost 1,206 × (3.75 − 3) more:
    // (2 × 3,256.2 − 904.5) / 1e6 USD.
    const report = await runCliInProcess(["report", "--since", "1d", "--json", "--db", path.join(directory, "state/orch.db")]);
    assert.equal(report.code, 0, report.stderr);
    assert.deepEqual(JSON.parse(report.stdout).providerCache, { callsReading: 2, callsWriting: 1, cachedInputTokens: 2_412, cacheWriteTokens: 1_206, savedUsd: 0.0056079 });
    const text = await runCliInProcess(["report", "--since", "1d", "--db", path.join(directory, "state/orch.db")]);
    assert.match(text.stdout, /provider cache 2 calls read 2,412 tokens, 1 call wrote 1,206 · saved \$0\.0056 net of write premiums/);
  });

  it("marks for an hour with provider_cache: { ttl: 1h }, and reserves the 1-hour write price", async () => {
    const { directory, events } = await run(pipeline("You review files.", "\n    provider_cache: { ttl: 1h }"));
    const first = (server.requests[0]?.body as { messages: Array<{ content: Array<Record<string, unknown>> }> }).messages[0]!.content[0];
    assert.deepEqual(first?.["cache_control"], { type: "ephemeral", ttl: "1h" });
    // Item 1 writes for an hour: (1,206 × 6 + 9 + 30) / 1e6 USD.
    assert.equal(callRows(directory)[0]?.cost_usd, 0.007275);
    const reserved = events.find((event) => event.type === "attempt-start");
    // 7,253 × 6 + 14 × 3 + 100 × 15 per million.
    assert.equal(reserved?.type === "attempt-start" ? reserved.reservedUsd : undefined, 0.04506);
  });

  it("marks nothing, and reserves no premium, when the system prompt reads the item (nothing stable comes first)", async () => {
    const { events } = await run(pipeline("You review file <%= it.item %>."));
    assert.equal(JSON.stringify(server.requests.map((sent) => sent.body)).includes("cache_control"), false);
    // System "You review file 1." is 18 bytes: (26 + 7,242) × 3 + 100 × 15 per million.
    const reserved = events.find((event) => event.type === "attempt-start");
    assert.equal(reserved?.type === "attempt-start" ? reserved.reservedUsd : undefined, 0.023304);
  });

  it("marks nothing with provider_cache: false", async () => {
    await run(pipeline("You review files.", "\n    provider_cache: false"));
    assert.equal(JSON.stringify(server.requests.map((sent) => sent.body)).includes("cache_control"), false);
  });
});
