/**
 * An answer longer than the request's output cap is cut to the cap, and each API says so in its
 * own words: OpenAI `length`, Anthropic `max_tokens`, Gemini `MAX_TOKENS`, Ollama `length`. orch
 * passes the reason on as `finishReason`, streamed or not.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { createAnthropicProvider } from "../../src/providers/anthropic/anthropic-provider.js";
import { createGeminiProvider } from "../../src/providers/gemini/gemini-provider.js";
import { createOllamaProvider } from "../../src/providers/ollama/ollama-provider.js";
import { createOpenAiProvider } from "../../src/providers/openai/openai-provider.js";
import { createOpenRouterProvider } from "../../src/providers/openrouter/openrouter-provider.js";
import type { Provider } from "../../src/providers/provider.js";
import { chatRequest, never, testContext } from "./helpers.js";

let server: FakeLlmServer;
before(async () => {
  server = await startFakeLlmServer({ ollamaModels: ["llama3.2"] });
});
after(async () => {
  await server.close();
});
beforeEach(() => server.reset());

const context = () =>
  testContext({ env: { OPENAI_API_KEY: "sk-test-0123456789", OPENROUTER_API_KEY: "sk-or-0123456789", ANTHROPIC_API_KEY: "sk-ant-0123456789", GEMINI_API_KEY: "AIza-0123456789" } });

const cases: Array<{ name: string; model: string; stopped: string; cut: string; make: (stream: boolean) => Provider }> = [
  { name: "openai", model: "gpt-4o-mini", stopped: "length", cut: "stop", make: (stream) => createOpenAiProvider("openai", { type: "openai", base_url: `${server.url}/v1`, stream }, context()) },
  { name: "openrouter", model: "openai/gpt-4o-mini", stopped: "length", cut: "stop", make: (stream) => createOpenRouterProvider("openrouter", { type: "openrouter", base_url: `${server.url}/api/v1`, stream }, context()) },
  { name: "anthropic", model: "claude-haiku-4-5", stopped: "max_tokens", cut: "end_turn", make: (stream) => createAnthropicProvider("anthropic", { type: "anthropic", base_url: server.url, stream }, context()) },
  { name: "gemini", model: "gemini-2.5-flash", stopped: "MAX_TOKENS", cut: "STOP", make: (stream) => createGeminiProvider("gemini", { type: "gemini", base_url: server.url, stream }, context()) },
  { name: "ollama", model: "llama3.2", stopped: "length", cut: "stop", make: (stream) => createOllamaProvider("ollama", { type: "ollama", host: server.url, stream }, context()) },
];

describe("answers cut at the output cap", () => {
  for (const { name, model, stopped, cut, make } of cases) {
    it(`${name}: cut to max tokens with the API's stop reason, streamed or not`, async () => {
      for (const stream of [false, true]) {
        server.script(model, { responses: ['{"one": 1, "two": 2, "three": 3}', "short answer"] });
        const provider = make(stream);
        const truncated = await provider.call(chatRequest({ model, maxTokens: 3 }), never);
        assert.equal(truncated.text, '{"one": 1, "two": ', `${name} stream=${stream}`);
        assert.equal(truncated.usage.outputTokens, 3);
        assert.equal(truncated.finishReason, stopped);

        const whole = await provider.call(chatRequest({ model, maxTokens: 3 }), never);
        assert.equal(whole.text, "short answer");
        assert.equal(whole.finishReason, cut);
        await provider.close?.();
      }
    });
  }
});
