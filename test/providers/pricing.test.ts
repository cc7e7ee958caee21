import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { costOfUsage, findPrices } from "../../src/providers/pricing.js";

/** Cents, rounded: "exact to the cent". */
const cents = (usd: number): number => Math.round(usd * 100);

describe("findPrices", () => {
  it("uses the policy's prices when given", () => {
    assert.deepEqual(findPrices("openai", "my-finetune", { input: 3, output: 12, cached_input: 1.5 }), {
      input: 3,
      output: 12,
      cachedInput: 1.5,
      source: "policy",
    });
  });

  it("looks well-known models up in genai-prices", () => {
    assert.deepEqual(findPrices("openai", "gpt-4o-mini"), { input: 0.15, output: 0.6, cachedInput: 0.075, source: "genai-prices" });
    assert.deepEqual(findPrices("anthropic", "claude-haiku-4-5"), { input: 1, output: 5, cachedInput: 0.1, source: "genai-prices" });
    assert.equal(findPrices("gemini", "gemini-2.5-flash")?.input, 0.3);
    assert.equal(findPrices("openrouter", "openai/gpt-4o-mini")?.output, 0.6);
  });

  it("keeps Gemini Pro's long-prompt tier", () => {
    const prices = findPrices("gemini", "gemini-2.5-pro");
    assert.deepEqual(prices?.tiers, [{ aboveInputTokens: 200_000, input: 2.5, output: 15, cachedInput: 0.25 }]);
  });

  it("has no table price for unknown models or local providers", () => {
    assert.equal(findPrices("openai", "no-such-model-xyz"), undefined);
    assert.equal(findPrices("ollama", "llama3.2"), undefined);
    assert.equal(findPrices("cli", "claude"), undefined);
  });
});

describe("costOfUsage", () => {
  it("bills cached input once, at the cached price, and reasoning as output", () => {
    const usage = { inputTokens: 1_234_567, outputTokens: 89_012, cachedInputTokens: 200_000, reasoningTokens: 50_000 };
    // (1,034,567 × 2.5 + 200,000 × 1.25 + 89,012 × 10) / 1e6 = 2.5864175 + 0.25 + 0.89012
    const cost = costOfUsage(usage, { input: 2.5, output: 10, cachedInput: 1.25 });
    assert.equal(cost, 3.7265375);
    assert.equal(cents(cost), 373);
  });

  it("matches genai-prices' own calculation for gpt-4o-mini", () => {
    const prices = findPrices("openai", "gpt-4o-mini");
    assert.ok(prices);
    const cost = costOfUsage({ inputTokens: 2_000_000, outputTokens: 500_000, cachedInputTokens: 1_000_000 }, prices);
    // 1M × 0.15 + 1M × 0.075 + 0.5M × 0.6 = 0.15 + 0.075 + 0.30
    assert.equal(cost, 0.525);
  });

  it("bills cached tokens at the input price when the model has no cached price", () => {
    assert.equal(costOfUsage({ inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 400_000 }, { input: 2, output: 8 }), 2);
  });

  it("applies a tier to the whole call once the prompt passes it", () => {
    const prices = findPrices("gemini", "gemini-2.5-pro");
    assert.ok(prices);
    assert.equal(costOfUsage({ inputTokens: 100_000, outputTokens: 10_000 }, prices), 0.125 + 0.1);
    assert.equal(costOfUsage({ inputTokens: 300_000, outputTokens: 10_000 }, prices), 0.75 + 0.15);
  });
});
