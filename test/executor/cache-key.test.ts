import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cacheKeyOf, type CacheKeyParts } from "../../src/executor/cache.js";

const base: CacheKeyParts = {
  provider: "local",
  providerType: "ollama",
  answerer: '["ollama","http://127.0.0.1:11434"]',
  model: "llama3.2",
  messages: [{ role: "user", content: "Summarise the long file." }],
  maxTokens: 512,
  json: false,
};

describe("cache key", () => {
  it("differs when the context window a server is told differs (a smaller num_ctx cuts the prompt)", () => {
    assert.notEqual(cacheKeyOf(base), cacheKeyOf({ ...base, contextWindow: 16384 }));
    assert.notEqual(cacheKeyOf({ ...base, contextWindow: 4096 }), cacheKeyOf({ ...base, contextWindow: 16384 }));
    assert.equal(cacheKeyOf({ ...base, contextWindow: 16384 }), cacheKeyOf({ ...base, contextWindow: 16384 }));
  });
});
