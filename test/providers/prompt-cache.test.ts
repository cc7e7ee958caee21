/**
 * Provider prompt caching through the real SDKs against the fake vendors: what orch sends (Anthropic's
 * `cache_control`, OpenAI's `prompt_cache_key`) and what a repeated prefix is billed (a write first,
 * reads after), at each price. Fake tokens are words, so every figure below is counted by hand.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { createAnthropicProvider } from "../../src/providers/anthropic/anthropic-provider.js";
import { createGeminiProvider } from "../../src/providers/gemini/gemini-provider.js";
import { createOpenAiProvider } from "../../src/providers/openai/openai-provider.js";
import { billNano, type ModelPrices } from "../../src/providers/pricing.js";
import type { ChatMessage, ProviderRequest } from "../../src/providers/provider.js";
import { never, testContext } from "./helpers.js";

let server: FakeLlmServer;
before(async () => {
  server = await startFakeLlmServer();
});
after(async () => {
  await server.close();
});
beforeEach(() => server.reset());

const system = "You review files."; // 3 fake tokens
// "--- shared.txt ---" (3 fake tokens) and 1,200 words: 1,203 fake tokens; about 1,200 o200k tokens
// (each " alpha" is one), above Anthropic's 1,024 minimum and under Haiku 4.5's 4,096.
const contextBlock = `--- shared.txt ---\n${Array.from({ length: 1200 }, () => "alpha").join(" ")}\n\n`;
const prefixTokens = 3 + 1203;

/** The messages render.ts makes for item `item`: a stable system prompt, the context block, the item's prompt (3 fake tokens). */
function itemMessages(item: number, context = contextBlock): ChatMessage[] {
  return [
    { role: "system", content: system, stableChars: system.length },
    { role: "user", content: `${context}Review item ${item}.`, stableChars: context.length },
  ];
}

function request(model: string, item: number, overrides: Partial<ProviderRequest> = {}): ProviderRequest {
  return { model, messages: itemMessages(item), maxTokens: 64, promptCache: { key: "orch-key", ttl: "5m" }, origin: { runId: "r", step: "review" }, ...overrides };
}

const anthropic = () => createAnthropicProvider("claude", { type: "anthropic", base_url: server.url }, testContext({ env: { ANTHROPIC_API_KEY: "sk-ant-test-1" } }));

describe("Anthropic prompt caching", () => {
  const model = "claude-sonnet-4-20250514";
  // USD per million tokens, written here so the bills below are computed by hand.
  const prices: ModelPrices = { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75, cacheWrite1h: 6 };

  it("marks the end of a long stable prefix with cache_control; the first call writes it, the next reads it, each at its price", async () => {
    server.script(model, { defaultResponse: "Looks fine." }); // 2 output tokens
    const provider = anthropic();
    const first = await provider.call(request(model, 1), never);
    const second = await provider.call(request(model, 2), never);

    const body = server.requests[0]?.body as Record<string, unknown>;
    assert.deepEqual(body["system"], [{ type: "text", text: system }]);
    assert.deepEqual(body["messages"], [
      {
        role: "user",
        content: [
          { type: "text", text: contextBlock, cache_control: { type: "ephemeral" } },
          { type: "text", text: "Review item 1." },
        ],
      },
    ]);
    assert.deepEqual(first.usage, { inputTokens: prefixTokens + 3, outputTokens: 2, cacheWriteTokens: prefixTokens });
    assert.deepEqual(second.usage, { inputTokens: prefixTokens + 3, outputTokens: 2, cachedInputTokens: prefixTokens });
    // 1,206 written × $3.75 + 3 × $3 + 2 × $15 per million = 4,522,500 + 9,000 + 30,000 nano-dollars.
    assert.equal(billNano(first.usage, prices), 4_561_500);
    // 1,206 read × $0.30 + 3 × $3 + 2 × $15 per million = 361,800 + 9,000 + 30,000.
    assert.equal(billNano(second.usage, prices), 400_800);
  });

  it("a batch's calls meet the same cache: the first writes, the next reads, each at half its price", async () => {
    server.script(model, { defaultResponse: "Looks fine." });
    const batch = anthropic().batch!;
    const id = await batch.submit([{ customId: "a", request: request(model, 1) }, { customId: "b", request: request(model, 2) }], never);
    const ended = await batch.poll(id, never);
    assert.equal(ended.state, "ended");
    const usage = (customId: string) => {
      const answer = ended.state === "ended" ? ended.answers.get(customId) : undefined;
      return answer?.ok ? answer.response.usage : undefined;
    };
    assert.ok(JSON.stringify(server.requests[0]?.body).includes('"cache_control":{"type":"ephemeral"}'));
    assert.deepEqual(usage("a"), { inputTokens: prefixTokens + 3, outputTokens: 2, cacheWriteTokens: prefixTokens });
    assert.deepEqual(usage("b"), { inputTokens: prefixTokens + 3, outputTokens: 2, cachedInputTokens: prefixTokens });
    const half: ModelPrices = { input: 1.5, output: 7.5, cachedInput: 0.15, cacheWrite: 1.875 };
    // Half the synchronous bills above: 1,206 × $1.875 + 3 × $1.50 + 2 × $7.50, and 1,206 × $0.15 + 3 × $1.50 + 2 × $7.50.
    assert.equal(billNano(usage("a")!, half), 2_261_250 + 4_500 + 15_000);
    assert.equal(billNano(usage("b")!, half), 180_900 + 4_500 + 15_000);
  });

  it("asks for the hour-long lifetime when the step says so, billed at the 1-hour write price", async () => {
    server.script(model, { defaultResponse: "Looks fine." });
    const first = await anthropic().call(request(model, 1, { promptCache: { key: "k", ttl: "1h" } }), never);
    const content = ((server.requests[0]?.body as { messages: Array<{ content: Array<Record<string, unknown>> }> }).messages[0]!.content)[0];
    assert.deepEqual(content?.["cache_control"], { type: "ephemeral", ttl: "1h" });
    assert.deepEqual(first.usage, { inputTokens: prefixTokens + 3, outputTokens: 2, cacheWrite1hTokens: prefixTokens });
    // 1,206 × $6 + 3 × $3 + 2 × $15 per million.
    assert.equal(billNano(first.usage, prices), 7_236_000 + 9_000 + 30_000);
  });

  it("marks the system prompt alone when it is the whole stable prefix", async () => {
    const longSystem = `${system} ${contextBlock}`;
    await anthropic().call(request(model, 1, { messages: [{ role: "system", content: longSystem, stableChars: longSystem.length }, { role: "user", content: "Review item 1." }] }), never);
    const body = server.requests[0]?.body as Record<string, unknown>;
    assert.deepEqual(body["system"], [{ type: "text", text: longSystem, cache_control: { type: "ephemeral" } }]);
    assert.deepEqual(body["messages"], [{ role: "user", content: "Review item 1." }]);
  });

  it("skips an empty system prompt (the API refuses an empty block) and still marks the context after it", async () => {
    const messages: ChatMessage[] = [{ role: "system", content: "" }, { role: "user", content: `${contextBlock}Review item 1.`, stableChars: contextBlock.length }];
    await anthropic().call(request(model, 1, { messages }), never);
    const body = server.requests[0]?.body as Record<string, unknown>;
    assert.equal("system" in body, false);
    assert.deepEqual(body["messages"], [
      { role: "user", content: [{ type: "text", text: contextBlock, cache_control: { type: "ephemeral" } }, { type: "text", text: "Review item 1." }] },
    ]);
  });

  it("leaves a short stable prefix unmarked, and nothing is written or read", async () => {
    server.script(model, { defaultResponse: "Looks fine." });
    const short = "--- shared.txt ---\nalpha beta\n\n";
    const provider = anthropic();
    const first = await provider.call(request(model, 1, { messages: itemMessages(1, short) }), never);
    const second = await provider.call(request(model, 2, { messages: itemMessages(2, short) }), never);
    const body = server.requests[0]?.body as Record<string, unknown>;
    assert.equal(body["system"], system);
    assert.deepEqual(body["messages"], [{ role: "user", content: `${short}Review item 1.` }]);
    assert.equal(JSON.stringify(server.requests.map((sent) => sent.body)).includes("cache_control"), false);
    assert.deepEqual([first.usage, second.usage], [
      { inputTokens: 3 + 5 + 3, outputTokens: 2 },
      { inputTokens: 3 + 5 + 3, outputTokens: 2 },
    ]);
  });

  it("does not mark a prefix below the model's own minimum (Claude Haiku 4.5: 4,096 tokens)", async () => {
    await anthropic().call(request("claude-haiku-4-5", 1), never);
    assert.equal(JSON.stringify(server.requests[0]?.body).includes("cache_control"), false);
  });

  it("does not mark anything when the step turned provider caching off", async () => {
    const { promptCache: _off, ...withoutCache } = request(model, 1);
    const response = await anthropic().call(withoutCache, never);
    assert.equal(JSON.stringify(server.requests[0]?.body).includes("cache_control"), false);
    assert.equal(response.usage.cacheWriteTokens, undefined);
  });
});

describe("OpenAI prompt caching", () => {
  const model = "gpt-4o-mini";
  const openai = () => createOpenAiProvider("openai", { type: "openai", base_url: `${server.url}/v1` }, testContext({ env: { OPENAI_API_KEY: "sk-test-1" } }));

  it("sends prompt_cache_key with a long prompt; a repeated prefix is read from the cache in 128-token steps", async () => {
    server.script(model, { defaultResponse: "Looks fine." });
    const provider = openai();
    const first = await provider.call(request(model, 1), never);
    const second = await provider.call(request(model, 2), never);
    assert.equal((server.requests[0]?.body as Record<string, unknown>)["prompt_cache_key"], "orch-key");
    assert.deepEqual(first.usage, { inputTokens: prefixTokens + 3, outputTokens: 2 });
    // Shared: 1,206 prefix tokens + "Review item" = 1,208; cached: 1,024 + 128 × ⌊184 / 128⌋ = 1,152.
    assert.deepEqual(second.usage, { inputTokens: prefixTokens + 3, outputTokens: 2, cachedInputTokens: 1_152 });
    const prices: ModelPrices = { input: 0.15, output: 0.6, cachedInput: 0.075 };
    // 1,152 × $0.075 + 57 × $0.15 + 2 × $0.6 per million = 86,400 + 8,550 + 1,200 nano-dollars.
    assert.equal(billNano(second.usage, prices), 96_150);
  });

  it("sends no prompt_cache_key with a short prompt", async () => {
    await openai().call(request(model, 1, { messages: [{ role: "user", content: "Review item 1." }] }), never);
    assert.equal("prompt_cache_key" in (server.requests[0]?.body as Record<string, unknown>), false);
  });
});

describe("Gemini implicit caching", () => {
  it("reports the repeated prefix as cachedContentTokenCount, billed at the cached price", async () => {
    const model = "gemini-2.5-flash";
    server.script(model, { defaultResponse: "Looks fine." });
    const gemini = createGeminiProvider("gemini", { type: "gemini", base_url: server.url }, testContext({ env: { GEMINI_API_KEY: "gm-test-1" } }));
    await gemini.call(request(model, 1), never);
    const second = await gemini.call(request(model, 2), never);
    assert.deepEqual(second.usage, { inputTokens: prefixTokens + 3, outputTokens: 2, cachedInputTokens: 1_208 });
    // 1,208 × $0.03 + 1 × $0.30 + 2 × $2.50 per million = 36,240 + 300 + 5,000 nano-dollars.
    assert.equal(billNano(second.usage, { input: 0.3, output: 2.5, cachedInput: 0.03 }), 41_540);
  });
});
