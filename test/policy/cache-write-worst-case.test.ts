/**
 * A worst case with provider prompt caching: a candidate whose provider writes its cache on request
 * (Anthropic) holds the marked prefix at the write price; one whose writes are free (OpenAI, Gemini)
 * holds no premium. Figures by hand, in USD per million tokens.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decide } from "../../src/policy/decide.js";
import { testPolicy, testRequest, testState } from "./fixtures.js";

const state = testState({ providerOverrides: { anthropic: { writesPromptCache: true } } });

describe("worst case with prompt-cache writes", () => {
  it("holds an Anthropic candidate's marked prefix at the 5-minute write price (1.25 × input when unlisted)", () => {
    const decision = decide(testRequest({ quality: "premium", worstCaseInputTokens: 10_000, cacheWrites: { cacheWriteTokens: 8_000 } }), testPolicy(), state);
    const sonnet = decision.candidates.find((candidate) => candidate.model === "claude-sonnet-4-6");
    // 8,000 × 3.75 + 2,000 × 3 + 1,000 × 15 = 51,000 per million: $0.051 (without writes: $0.045).
    assert.equal(sonnet?.estimatedCostUsd.max, 0.051);
    assert.deepEqual(sonnet?.worstCaseTokens, { input: 10_000, output: 1_000, cacheWrites: { cacheWriteTokens: 8_000 } });
  });

  it("holds the 1-hour write price (2 × input when unlisted) for an hour-long lifetime", () => {
    const decision = decide(testRequest({ quality: "premium", worstCaseInputTokens: 10_000, cacheWrites: { cacheWrite1hTokens: 8_000 } }), testPolicy(), state);
    // 8,000 × 6 + 2,000 × 3 + 1,000 × 15 = 69,000 per million.
    assert.equal(decision.candidates.find((candidate) => candidate.model === "claude-sonnet-4-6")?.estimatedCostUsd.max, 0.069);
  });

  it("adds no premium for a provider whose cache writes are free", () => {
    const decision = decide(testRequest({ quality: "premium", worstCaseInputTokens: 10_000, cacheWrites: { cacheWriteTokens: 8_000 } }), testPolicy(), state);
    const gpt = decision.candidates.find((candidate) => candidate.model === "gpt-5.4");
    // 10,000 × 2.5 + 1,000 × 15 = 40,000 per million.
    assert.equal(gpt?.estimatedCostUsd.max, 0.04);
    assert.deepEqual(gpt?.worstCaseTokens, { input: 10_000, output: 1_000 });
  });

  it("drops a candidate whose worst case with the write premium no longer fits the budget", () => {
    const request = testRequest({ quality: "premium", worstCaseInputTokens: 10_000, cacheWrites: { cacheWriteTokens: 8_000 } });
    const decision = decide(request, testPolicy(), testState({ budgetLeftUsd: { run: 0.048 }, providerOverrides: { anthropic: { writesPromptCache: true } } }));
    const note = decision.notes.find((candidate) => candidate.target === "anthropic:claude-sonnet-4-6");
    assert.equal(note?.check, "budget");
  });
});
