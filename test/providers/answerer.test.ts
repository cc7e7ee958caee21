import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { answererOf, defaultEndpoints } from "../../src/providers/answerer.js";
import { anthropicDefaultBaseUrl } from "../../src/providers/anthropic/anthropic-provider.js";
import { geminiDefaultBaseUrl } from "../../src/providers/gemini/gemini-provider.js";
import { ollamaDefaultHost } from "../../src/providers/ollama/ollama-client.js";
import { openAiDefaultBaseUrl } from "../../src/providers/openai/openai-provider.js";
import { openRouterDefaultBaseUrl } from "../../src/providers/openrouter/openrouter-provider.js";

const context = { env: {}, policyDirectory: "/project/routing-policies" };

describe("answererOf: what answers a provider's calls", () => {
  it("uses the same default endpoints as the provider modules", () => {
    assert.deepEqual(
      Object.fromEntries(Object.entries(defaultEndpoints).map(([type, endpoint]) => [type, endpoint.baseUrl])),
      { openai: openAiDefaultBaseUrl, openrouter: openRouterDefaultBaseUrl, anthropic: anthropicDefaultBaseUrl, gemini: geminiDefaultBaseUrl, ollama: ollamaDefaultHost },
    );
  });

  it("tells endpoints, types, API versions and non-credential headers apart", () => {
    const distinct = [
      answererOf({ type: "openai" }, context),
      answererOf({ type: "openai", base_url: "http://127.0.0.1:8080/v1" }, context),
      answererOf({ type: "openai", base_url: "http://127.0.0.1:8081/v1" }, context),
      answererOf({ type: "openrouter", base_url: "http://127.0.0.1:8080/v1" }, context),
      answererOf({ type: "anthropic", base_url: "http://127.0.0.1:8080/v1" }, context),
      answererOf({ type: "anthropic", base_url: "http://127.0.0.1:8080/v1", headers: { "anthropic-version": "2099-01-01" } }, context),
      answererOf({ type: "ollama" }, context),
      answererOf({ type: "ollama" }, { ...context, env: { OLLAMA_HOST: "http://gpu-box:11434" } }),
      answererOf({ type: "cli", command: ["claude", "-p"] }, context),
      answererOf({ type: "cli", command: ["codex", "exec"] }, context),
      answererOf({ type: "replay", file: "a.jsonl" }, context),
      answererOf({ type: "replay", file: "b.jsonl" }, context),
    ];
    assert.equal(new Set(distinct).size, distinct.length);
    assert.match(answererOf({ type: "anthropic" }, context), /2023-06-01/);
  });

  it("reads one server however it is spelled, and leaves credentials out", () => {
    assert.equal(answererOf({ type: "openai", base_url: "HTTP://127.0.0.1:8080/v1/" }, context), answererOf({ type: "openai", base_url: "http://127.0.0.1:8080/v1" }, context));
    assert.equal(answererOf({ type: "openai" }, context), answererOf({ type: "openai", base_url: "https://api.openai.com:443/v1" }, context));
    const withKey = answererOf({ type: "openai", headers: { Authorization: "Bearer sk-secret-0000", "X-Api-Key": "sk-secret-0000" } }, context);
    assert.equal(withKey, answererOf({ type: "openai" }, context));
    assert.doesNotMatch(withKey, /sk-secret/);
  });
});
