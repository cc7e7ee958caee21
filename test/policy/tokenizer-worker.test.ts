/**
 * The tokenizer on a worker thread (issue 11: loaded off the first step's path) counts exactly as
 * the o200k encoding does on the main thread, so routing, reservations and plans do not change.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import { startTokenizerWorker, tokenizerModulePath } from "../../src/policy/tokenizer-worker.js";

const texts = [
  "hello",
  "Sort these changes into features, fixes and internal work.",
  "A prompt quoting <|endoftext|> and <|fim_prefix|> as plain text",
  "Unicode: naïve café, 東京, emoji 🚀🚀, Ω≈ç√",
  "    indented\n\tcode() {\n  return 1;\n}\n",
  "x".repeat(20_000),
  Array.from({ length: 300 }, (_, index) => `word${index}`).join(" "),
];

describe("the tokenizer worker", () => {
  it("counts every text exactly as the encoding counts it on the main thread", () => {
    const encoding = createRequire(import.meta.url)("gpt-tokenizer/cjs/encoding/o200k_base") as { countTokens(text: string, options: object): number };
    const worker = startTokenizerWorker(tokenizerModulePath());
    try {
      for (const text of texts) assert.equal(worker.count(text), encoding.countTokens(text, { disallowedSpecial: new Set() }), text.slice(0, 40));
    } finally {
      worker.close();
    }
  });

  it("says so when the encoding cannot be loaded, instead of answering a wrong count", () => {
    const worker = startTokenizerWorker("/nonexistent/o200k_base.js");
    try {
      assert.throws(() => worker.count("hello"), /the tokenizer worker failed: .*Cannot find module/);
    } finally {
      worker.close();
    }
  });
});
