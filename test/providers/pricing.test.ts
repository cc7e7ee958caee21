import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { costRange } from "../../src/policy/candidates.js";
import { findPrices } from "../../src/providers/price-table.js";
import { billNano, costRangeNano, priceUsageNano } from "../../src/providers/pricing.js";

describe("findPrices", () => {
  it("uses the policy's prices when given", () => {
    assert.deepEqual(findPrices("openai", "my-finetune", { input: 3, output: 12, cached_input: 1.5, cache_write: 3.75, cache_write_1h: 6 }), {
      cacheWrite: 3.75,
      cacheWrite1h: 6,
      input: 3,
      output: 12,
      cachedInput: 1.5,
      source: "policy",
    });
  });

  it("looks well-known models up in genai-prices", () => {
    assert.deepEqual(findPrices("openai", "gpt-4o-mini"), { input: 0.15, output: 0.6, cachedInput: 0.075, source: "genai-prices" });
    assert.deepEqual(findPrices("anthropic", "claude-haiku-4-5"), { input: 1, output: 5, cachedInput: 0.1, cacheWrite: 1.25, cacheWrite1h: 2, source: "genai-prices" });
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

describe("priceUsageNano", () => {
  it("bills cached input once, at the cached price, and reasoning as output", () => {
    const usage = { inputTokens: 1_234_567, outputTokens: 89_012, cachedInputTokens: 200_000, reasoningTokens: 50_000 };
    // (1,034,567 × 2.5 + 200,000 × 1.25 + 89,012 × 10) / 1e6 USD = 2.5864175 + 0.25 + 0.89012 = 3.7265375 USD
    assert.equal(priceUsageNano(usage, { input: 2.5, output: 10, cachedInput: 1.25 }), 3_726_537_500);
  });

  it("matches genai-prices' own calculation for gpt-4o-mini", () => {
    const prices = findPrices("openai", "gpt-4o-mini");
    assert.ok(prices);
    // 1M × 0.15 + 1M × 0.075 + 0.5M × 0.6 = 0.15 + 0.075 + 0.30 USD
    assert.equal(priceUsageNano({ inputTokens: 2_000_000, outputTokens: 500_000, cachedInputTokens: 1_000_000 }, prices), 525_000_000);
  });

  it("bills cached tokens at the input price when the model has no cached price", () => {
    assert.equal(priceUsageNano({ inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 400_000 }, { input: 2, output: 8 }), 2_000_000_000);
  });

  it("applies a tier to the whole call once the prompt passes it", () => {
    const prices = findPrices("gemini", "gemini-2.5-pro");
    assert.ok(prices);
    // 100k × 1.25 + 10k × 10 = 0.125 + 0.1 USD; above 200k: 300k × 2.5 + 10k × 15 = 0.75 + 0.15 USD
    assert.equal(priceUsageNano({ inputTokens: 100_000, outputTokens: 10_000 }, prices), 225_000_000);
    assert.equal(priceUsageNano({ inputTokens: 300_000, outputTokens: 10_000 }, prices), 900_000_000);
  });

  it("is exact integer nano-dollars, rounded up once, with no binary noise", () => {
    // 1 token at $0.0001 per million is 0.1 nano-dollar: billed as 1.
    assert.equal(priceUsageNano({ inputTokens: 1, outputTokens: 0 }, { input: 0.0001, output: 0 }), 1);
    // 1M tokens at $0.1 plus 1M at $0.2: 0.1 + 0.2 is 0.30000000000000004 in floating point, $0.3 here.
    assert.equal(priceUsageNano({ inputTokens: 2_000_000, outputTokens: 0, cachedInputTokens: 1_000_000 }, { input: 0.1, output: 0, cachedInput: 0.2 }), 300_000_000);
    // 7 tokens at $0.15 and 3 at $0.6: 1.05 + 1.8 = 2.85 micro-dollars = 2,850 nano exactly.
    assert.equal(priceUsageNano({ inputTokens: 7, outputTokens: 3 }, { input: 0.15, output: 0.6 }), 2_850);
    // 1 token at $1e-7 per million (printed as "1e-7"): 1e-4 nano, billed as 1.
    assert.equal(priceUsageNano({ inputTokens: 1, outputTokens: 0 }, { input: 1e-7, output: 0 }), 1);
  });

  it("bills 5-minute and 1-hour cache writes at their write prices (claude-sonnet-4's table prices)", () => {
    const prices = findPrices("anthropic", "claude-sonnet-4");
    assert.ok(prices);
    // Anthropic: input 1,000 uncached + 2,000 written for 5 minutes + 4,000 written for 1 hour + 10,000 read.
    const usage = { inputTokens: 17_000, outputTokens: 500, cachedInputTokens: 10_000, cacheWriteTokens: 2_000, cacheWrite1hTokens: 4_000 };
    // $ per million: input 3, 5-minute write 3.75, 1-hour write 6, read 0.3, output 15.
    // 1,000 × 3 + 2,000 × 3.75 + 4,000 × 6 + 10,000 × 0.3 + 500 × 15 = 3,000 + 7,500 + 24,000 + 3,000 + 7,500 = 45,000 → $0.045
    assert.equal(priceUsageNano(usage, prices), 45_000_000);
  });

  it("without write prices, applies Anthropic's documented multipliers: 1.25× input for 5 minutes, 2× for 1 hour", () => {
    const usage = { inputTokens: 3_000, outputTokens: 0, cacheWriteTokens: 1_000, cacheWrite1hTokens: 1_000 };
    // 1,000 × 2 + 1,000 × 2.5 + 1,000 × 4 = 8,500 → $0.0085
    assert.equal(priceUsageNano(usage, { input: 2, output: 8 }), 8_500_000);
  });

  it("never bills a prompt token twice when reads and writes are reported above the prompt", () => {
    // 1,000 prompt tokens, of which 800 read and 800 written: 800 at the read price, the other 200 at the 1-hour write price.
    const usage = { inputTokens: 1_000, outputTokens: 0, cachedInputTokens: 800, cacheWrite1hTokens: 800 };
    assert.equal(priceUsageNano(usage, { input: 10, output: 0, cachedInput: 1, cacheWrite1h: 20 }), (800 * 1 + 200 * 20) * 1_000);
  });
});

describe("billNano", () => {
  it("takes the provider's reported cost over the price table, exactly", () => {
    assert.equal(billNano({ inputTokens: 1_000_000, outputTokens: 0 }, { input: 5, output: 5 }, 0.0123), 12_300_000);
  });

  it("bills nothing for a call with no price and no reported cost", () => {
    assert.equal(billNano({ inputTokens: 1_000_000, outputTokens: 1_000_000 }, undefined), 0);
  });
});

describe("the worst case and the bill are one function", () => {
  it("reserves at the tier the prompt falls into: $0.655, as billed, not $0.3325", () => {
    const prices = findPrices("gemini", "gemini-2.5-pro");
    assert.ok(prices);
    // 250k prompt tokens (above 200k) and a 2,000-token output cap: 250,000 × 2.5 + 2,000 × 15 = 625,000 + 30,000 → $0.655
    const range = costRange(prices, 250_000, 2_000);
    assert.equal(range.max, 0.655);
    assert.ok(range.max > 0.6, "a $0.60 run budget cannot hold this call");
    assert.equal(costRangeNano(prices, 250_000, 2_000).max, billNano({ inputTokens: 250_000, outputTokens: 2_000 }, prices));
  });

  it("the worst case covers every bill with the same prompt and at most the output cap", () => {
    const prices = findPrices("anthropic", "claude-sonnet-4-5");
    assert.ok(prices);
    for (const inputTokens of [1, 199_999, 200_000, 200_001, 900_000]) {
      const worst = costRangeNano(prices, inputTokens, 4_096).max;
      for (const usage of [
        { inputTokens, outputTokens: 4_096 },
        { inputTokens, outputTokens: 4_096, cachedInputTokens: inputTokens, reasoningTokens: 4_000 },
        { inputTokens, outputTokens: 0 },
      ]) {
        assert.ok(billNano(usage, prices) <= worst, `${JSON.stringify(usage)}: bill ${billNano(usage, prices)} <= worst ${worst}`);
      }
    }
  });
});
