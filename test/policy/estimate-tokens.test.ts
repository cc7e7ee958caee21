import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { complexityOf, estimateTokens, tokenizerLoaded } from "../../src/policy/estimate-tokens.js";

describe("estimateTokens", () => {
  test("the tokenizer is loaded on first use, not on import", () => {
    assert.equal(tokenizerLoaded(), false);
    assert.equal(estimateTokens(""), 0);
    assert.equal(tokenizerLoaded(), false);
    assert.equal(estimateTokens("hello world"), 2);
    assert.equal(tokenizerLoaded(), true);
  });

  test("counts o200k_base tokens, not characters / 4", () => {
    assert.equal(estimateTokens("function add(a: number, b: number) { return a + b; }"), 17);
    // 1,000 repetitions of a common word: one token each (and the trailing space), where chars / 4 would say 1,500.
    assert.equal(estimateTokens("hello ".repeat(1000)), 1001);
  });

  test("special-token markers in a prompt are counted as text instead of throwing", () => {
    assert.ok(estimateTokens("the marker <|endoftext|> ends a document") > 5);
  });
});

describe("complexityOf", () => {
  test("bands: trivial <100, simple <1K, medium <10K, complex <50K, massive ≥50K", () => {
    const cases: Array<[number, string]> = [
      [0, "trivial"],
      [99, "trivial"],
      [100, "simple"],
      [999, "simple"],
      [1000, "medium"],
      [9999, "medium"],
      [10_000, "complex"],
      [49_999, "complex"],
      [50_000, "massive"],
      [2_000_000, "massive"],
    ];
    for (const [tokens, band] of cases) assert.equal(complexityOf(tokens), band, `${tokens} tokens`);
  });
});
