import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { resolveModelReference } from "../../src/policy/model-ref.js";
import type { RoutingPolicy } from "../../src/generated/routing-policy.js";

const policy: RoutingPolicy = {
  version: 1,
  providers: { openai: { type: "openai" }, ollama: { type: "ollama" }, openrouter: { type: "openrouter" } },
  models: {
    "gpt-4o-mini": { model: "openai:gpt-4o-mini", prices: { input: 0.15, output: 0.6 }, context_window: 128000 },
    small: "ollama:llama3.2:3b",
    lost: "anthropic:claude",
  },
  tiers: { economy: ["small"], standard: ["gpt-4o-mini"], premium: ["openai:gpt-4o"] },
};

describe("resolveModelReference", () => {
  it("resolves an alias with its prices and limits", () => {
    assert.deepEqual(resolveModelReference(policy, "gpt-4o-mini"), {
      ok: true,
      model: {
        reference: "gpt-4o-mini",
        alias: "gpt-4o-mini",
        provider: "openai",
        model: "gpt-4o-mini",
        prices: { input: 0.15, output: 0.6 },
        contextWindow: 128000,
      },
    });
  });

  it("splits provider:model on the first colon only", () => {
    assert.deepEqual(resolveModelReference(policy, "small"), {
      ok: true,
      model: { reference: "small", alias: "small", provider: "ollama", model: "llama3.2:3b" },
    });
    assert.deepEqual(resolveModelReference(policy, "openrouter:meta-llama/llama-3-8b"), {
      ok: true,
      model: { reference: "openrouter:meta-llama/llama-3-8b", provider: "openrouter", model: "meta-llama/llama-3-8b" },
    });
  });

  it("gives a direct reference the prices of an alias naming the same model", () => {
    const resolution = resolveModelReference(policy, "openai:gpt-4o-mini");
    assert.ok(resolution.ok);
    assert.deepEqual(resolution.model.prices, { input: 0.15, output: 0.6 });
    assert.equal(resolution.model.alias, undefined);
  });

  it("reports an unknown alias with a did-you-mean from the aliases", () => {
    assert.deepEqual(resolveModelReference(policy, "gpt4-mini"), {
      ok: false,
      message: 'unknown model alias "gpt4-mini"',
      suggestion: 'did you mean "gpt-4o-mini"?',
    });
  });

  it("explains a provider name used as an alias", () => {
    const resolution = resolveModelReference(policy, "ollama");
    assert.equal(resolution.ok, false);
    assert.equal(!resolution.ok && resolution.suggestion, '"ollama" is a provider: write "ollama:<model>" to use one of its models');
  });

  it("reports an unknown provider with a did-you-mean from the providers", () => {
    assert.deepEqual(resolveModelReference(policy, "olama:phi3"), {
      ok: false,
      message: 'unknown provider "olama"',
      suggestion: 'did you mean "ollama"?',
    });
  });

  it("reports an alias that points at an unknown provider, and an empty model name", () => {
    const lost = resolveModelReference(policy, "lost");
    assert.equal(!lost.ok && lost.message, 'model alias "lost" points to "anthropic:claude": unknown provider "anthropic"');
    const empty = resolveModelReference(policy, "openai:");
    assert.equal(!empty.ok && empty.message, '"openai:" is not "provider:model"');
  });
});
