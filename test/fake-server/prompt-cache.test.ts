/** The fake vendors' prompt caches on their own: lifetimes, minimums, prefix matching. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakePromptCache, markedPrefixOf } from "../../src/fake-server/prompt-cache.js";

const words = (count: number, word = "alpha") => Array.from({ length: count }, () => word).join(" ");
const minute = 60_000;

describe("fake prompt caches", () => {
  it("Anthropic: a marked prefix is written, read within its lifetime (which each read renews), and written again once expired", () => {
    const cache = new FakePromptCache();
    const prefix = { texts: [words(1100)], ttl: "5m" as const };
    const model = "claude-sonnet-4-20250514";
    assert.deepEqual(cache.anthropic(model, prefix, 0), { cachedInputTokens: 0, cacheWriteTokens: 1100, cacheWrite1hTokens: 0 });
    assert.deepEqual(cache.anthropic(model, prefix, 4 * minute), { cachedInputTokens: 1100, cacheWriteTokens: 0, cacheWrite1hTokens: 0 });
    assert.equal(cache.anthropic(model, prefix, 8 * minute).cachedInputTokens, 1100, "the read at 4 minutes renewed it");
    assert.deepEqual(cache.anthropic(model, prefix, 14 * minute), { cachedInputTokens: 0, cacheWriteTokens: 1100, cacheWrite1hTokens: 0 });
  });

  it("Anthropic: an hour-long write, and no caching under the model's minimum", () => {
    const cache = new FakePromptCache();
    assert.equal(cache.anthropic("claude-sonnet-4-20250514", { texts: [words(1100)], ttl: "1h" }, 0).cacheWrite1hTokens, 1100);
    assert.equal(cache.anthropic("claude-sonnet-4-20250514", { texts: [words(1100)], ttl: "1h" }, 50 * minute).cachedInputTokens, 1100);
    assert.deepEqual(cache.anthropic("claude-haiku-4-5", { texts: [words(4000)], ttl: "5m" }, 0), { cachedInputTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0 });
    assert.deepEqual(cache.anthropic("claude-sonnet-4-20250514", { texts: [words(1023)], ttl: "5m" }, 0), { cachedInputTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0 });
  });

  it("reads the marked prefix of a Messages body up to the last cache_control block", () => {
    const prefix = markedPrefixOf(
      [{ type: "text", text: "system words" }],
      [{ role: "user", content: [{ type: "text", text: "shared block", cache_control: { type: "ephemeral", ttl: "1h" } }, { type: "text", text: "item" }] }],
    );
    assert.deepEqual(prefix, { texts: ["system words", "shared block"], ttl: "1h" });
    assert.equal(markedPrefixOf("system", [{ role: "user", content: "no marks" }]), undefined);
  });

  it("OpenAI: an identical prefix of 1,024 tokens or more is read in 128-token steps; a shorter one is not", () => {
    const cache = new FakePromptCache();
    assert.equal(cache.automatic("openai", "gpt-4.1", [words(1300), "first"]).cachedInputTokens, 0);
    // Shared: 1,300 words; 1,024 + 128 × ⌊276 / 128⌋ = 1,280.
    assert.equal(cache.automatic("openai", "gpt-4.1", [words(1300), "second"]).cachedInputTokens, 1_280);
    assert.equal(cache.automatic("openai", "gpt-4.1", [words(1000), "third"]).cachedInputTokens, 0);
    assert.equal(cache.automatic("openai", "gpt-4o-mini", [words(1300), "other model"]).cachedInputTokens, 0, "caches are per model");
  });

  it("Gemini: the shared prefix is read token for token", () => {
    const cache = new FakePromptCache();
    cache.automatic("gemini", "gemini-2.5-flash", [words(1300), "first"]);
    assert.equal(cache.automatic("gemini", "gemini-2.5-flash", [words(1300), "second"]).cachedInputTokens, 1_300);
  });
});
