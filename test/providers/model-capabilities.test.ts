/**
 * Requests real APIs refuse: the fake server refuses them as the APIs do (status and body), and
 * orch's providers never send them. Expected shapes are the APIs' own, copied from their answers
 * (see src/fake-server/model-refusals.ts for the sources), not from orch's capability table.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { createAnthropicProvider } from "../../src/providers/anthropic/anthropic-provider.js";
import { anthropicSdkApiVersion, capabilitiesOf } from "../../src/providers/model-capabilities.js";
import { createOpenAiProvider } from "../../src/providers/openai/openai-provider.js";
import { createOpenRouterProvider } from "../../src/providers/openrouter/openrouter-provider.js";
import { withResilience } from "../../src/providers/resilience/resilient-provider.js";
import { chatRequest, failureOf, fakeClock, never, testContext } from "./helpers.js";

let server: FakeLlmServer;
before(async () => {
  server = await startFakeLlmServer();
});
after(async () => {
  await server.close();
});
beforeEach(() => server.reset());

const keys = { ANTHROPIC_API_KEY: "sk-ant-test-0123456789", OPENAI_API_KEY: "sk-test-openai-0123456789", OPENROUTER_API_KEY: "sk-or-test-0123456789" };

function anthropicSdk(headers: Record<string, string | null> = {}): Anthropic {
  return new Anthropic({ apiKey: keys.ANTHROPIC_API_KEY, baseURL: server.url, maxRetries: 0, defaultHeaders: headers });
}

function openAiSdk(): OpenAI {
  return new OpenAI({ apiKey: keys.OPENAI_API_KEY, baseURL: `${server.url}/v1`, maxRetries: 0 });
}

function withKeys() {
  const clock = fakeClock();
  return testContext({ env: keys, now: clock.now, sleep: clock.sleep });
}

function sentBody(index = 0): Record<string, unknown> {
  return server.requests[index]?.body as Record<string, unknown>;
}

async function apiErrorOf(promise: Promise<unknown>): Promise<{ status: number; error: unknown }> {
  try {
    await promise;
  } catch (error) {
    const apiError = error as { status?: number; error?: unknown };
    return { status: apiError.status ?? 0, error: apiError.error };
  }
  assert.fail("the request was accepted");
}

describe("the fake server refuses what the real APIs refuse", () => {
  it("Anthropic 2026-10-21 (the SDK's version): any temperature on any model", async () => {
    const messages = [{ role: "user" as const, content: "hi" }];
    for (const temperature of [0.2, 1]) {
      const refused = await apiErrorOf(anthropicSdk().messages.create({ model: "claude-sonnet-4-6", max_tokens: 10, messages }, { body: { model: "claude-sonnet-4-6", max_tokens: 10, messages, temperature } }));
      assert.equal(refused.status, 400);
      assert.deepEqual((refused.error as { error: unknown }).error, { type: "invalid_request_error", message: "temperature: Extra inputs are not permitted" });
    }
    assert.equal(server.requests[0]?.headers["anthropic-version"], anthropicSdkApiVersion, "the installed SDK sends the version orch's table assumes");
  });

  it("Anthropic: a temperature on Claude Opus 4.7 under 2023-06-01, no max_tokens, no or an unknown anthropic-version", async () => {
    const messages = [{ role: "user" as const, content: "hi" }];
    const pinned = anthropicSdk({ "anthropic-version": "2023-06-01" });
    const withTemperature = (model: string, temperature: number) => ({ body: { model, max_tokens: 10, messages, temperature } });
    const temperature = await apiErrorOf(pinned.messages.create({ model: "claude-opus-4-7", max_tokens: 10, messages }, withTemperature("claude-opus-4-7", 0.2)));
    assert.equal(temperature.status, 400);
    assert.deepEqual(temperature.error, {
      type: "error",
      error: { type: "invalid_request_error", message: "`temperature` is deprecated for this model." },
      request_id: "req_fake_refused",
    });

    const withoutCap = await apiErrorOf(anthropicSdk().messages.create({ model: "claude-haiku-4-5", messages } as unknown as Anthropic.MessageCreateParamsNonStreaming));
    assert.equal(withoutCap.status, 400);
    assert.deepEqual((withoutCap.error as { error: unknown }).error, { type: "invalid_request_error", message: "max_tokens: Field required" });

    const withoutVersion = await apiErrorOf(anthropicSdk({ "anthropic-version": null }).messages.create({ model: "claude-haiku-4-5", max_tokens: 10, messages }));
    assert.equal(withoutVersion.status, 400);
    assert.deepEqual((withoutVersion.error as { error: unknown }).error, { type: "invalid_request_error", message: "anthropic-version: header is required" });
    const unknownVersion = await apiErrorOf(anthropicSdk({ "anthropic-version": "2024-10-22" }).messages.create({ model: "claude-haiku-4-5", max_tokens: 10, messages }));
    assert.deepEqual((unknownVersion.error as { error: unknown }).error, { type: "invalid_request_error", message: 'anthropic-version: "2024-10-22" is not a valid version' });

    // Under 2023-06-01 older models still take a temperature, and Opus 4.7 its default.
    await pinned.messages.create({ model: "claude-sonnet-4-6", max_tokens: 10, messages }, withTemperature("claude-sonnet-4-6", 0.2));
    await pinned.messages.create({ model: "claude-opus-4-7", max_tokens: 10, messages }, withTemperature("claude-opus-4-7", 1));
  });

  it("OpenAI: a temperature or max_tokens on a reasoning model", async () => {
    const messages = [{ role: "user" as const, content: "hi" }];
    const temperature = await apiErrorOf(openAiSdk().chat.completions.create({ model: "gpt-5-nano", max_completion_tokens: 10, temperature: 0.2, messages }));
    assert.equal(temperature.status, 400);
    assert.deepEqual(temperature.error, {
      message: "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.",
      type: "invalid_request_error",
      param: "temperature",
      code: "unsupported_value",
    });
    const maxTokens = await apiErrorOf(openAiSdk().chat.completions.create({ model: "o4-mini-2025-04-16", max_tokens: 10, messages }));
    assert.equal(maxTokens.status, 400);
    assert.deepEqual(maxTokens.error, {
      message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      type: "invalid_request_error",
      param: "max_tokens",
      code: "unsupported_parameter",
    });
    await openAiSdk().chat.completions.create({ model: "gpt-4o-mini", max_tokens: 10, temperature: 0.2, messages });
  });
});

describe("orch never sends a parameter its model refuses", () => {
  it("sends Anthropic no temperature under the SDK's API version, whatever the model", async () => {
    const provider = createAnthropicProvider("anthropic", { type: "anthropic", base_url: server.url }, withKeys());
    for (const model of ["claude-sonnet-4-6", "claude-opus-4-7", "claude-haiku-4-5"]) {
      server.reset();
      server.script(model, { responses: ["Answered at the default temperature."] });
      const response = await provider.call(chatRequest({ model, temperature: 0.2 }), never);
      assert.equal(response.text, "Answered at the default temperature.", model);
      assert.equal("temperature" in sentBody(), false, model);
    }
  });

  it("with anthropic-version pinned to 2023-06-01: no temperature for Opus 4.7, Sonnet 4.6 keeps it", async () => {
    const settings = { type: "anthropic" as const, base_url: server.url, headers: { "anthropic-version": "2023-06-01" } };
    const provider = createAnthropicProvider("anthropic", settings, withKeys());
    server.script("claude-opus-4-7", { responses: ["Answered at the default temperature."] });
    const response = await provider.call(chatRequest({ model: "claude-opus-4-7", temperature: 0.2 }), never);
    assert.equal(response.text, "Answered at the default temperature.");
    assert.equal("temperature" in sentBody(0), false);

    await provider.call(chatRequest({ model: "claude-sonnet-4-6", temperature: 0.2 }), never);
    assert.equal(sentBody(1)["temperature"], 0.2);
  });

  it("sends a reasoning model max_completion_tokens and no temperature, even on a compatible server", async () => {
    const provider = createOpenAiProvider("openai", { type: "openai", base_url: `${server.url}/v1` }, withKeys());
    for (const model of ["gpt-5-nano", "gpt-5.4-mini", "o3"]) {
      server.reset();
      const response = await provider.call(chatRequest({ model, temperature: 0.2 }), never);
      assert.equal(response.finishReason, "stop", model);
      assert.deepEqual(Object.keys(sentBody()).sort(), ["max_completion_tokens", "messages", "model", "stream"], model);
      assert.equal(sentBody()["max_completion_tokens"], 64);
    }
    // A compatible server's other models keep `max_tokens` (what they reliably read) and the temperature.
    server.reset();
    await provider.call(chatRequest({ model: "gpt-4o-mini", temperature: 0.2 }), never);
    assert.equal(sentBody()["max_tokens"], 64);
    assert.equal(sentBody()["temperature"], 0.2);
  });

  it("passes the temperature through OpenRouter, which drops what a model does not take", async () => {
    const provider = createOpenRouterProvider("openrouter", { type: "openrouter", base_url: `${server.url}/api/v1` }, withKeys());
    await provider.call(chatRequest({ model: "anthropic/claude-opus-4.7", temperature: 0.2 }), never);
    assert.equal(sentBody()["temperature"], 0.2);
  });

  it("a refusal the table does not know of is a bad_request, not retried", async () => {
    server.script("claude-sonnet-4-6", { fixedTemperature: true });
    const context = withKeys();
    const settings = { type: "anthropic" as const, base_url: server.url, headers: { "anthropic-version": "2023-06-01" } };
    const provider = withResilience(createAnthropicProvider("anthropic", settings, context), { max_retries: 3 }, context);
    const failure = await failureOf(provider.call(chatRequest({ model: "claude-sonnet-4-6", temperature: 0.2 }), never));
    assert.equal(failure.kind, "bad_request");
    assert.match(failure.message, /`temperature` is deprecated for this model/);
    assert.equal(server.requests.length, 1);
  });
});

describe("the capability table", () => {
  it("knows the models the fake server refuses a temperature for, and no others of the default policy", () => {
    const refuses = (type: string, model: string) => capabilitiesOf(type, model, type === "anthropic" ? "2023-06-01" : undefined).refuses.has("temperature");
    for (const model of ["claude-opus-4-7", "claude-opus-4-8", "claude-opus-4-7-20260416", "claude-sonnet-5", "claude-opus-5"]) assert.equal(refuses("anthropic", model), true, model);
    for (const model of ["claude-sonnet-4-6", "claude-haiku-4-5", "claude-opus-4-1", "claude-opus-4-20250514", "claude-3-5-sonnet-20241022"]) assert.equal(refuses("anthropic", model), false, model);
    for (const model of ["o1", "o3-mini", "o4-mini", "gpt-5", "gpt-5-nano", "gpt-5.4", "gpt-5.4-mini", "gpt-5-2025-08-07"]) assert.equal(refuses("openai", model), true, model);
    for (const model of ["gpt-4o-mini", "gpt-4.1", "gpt-5-chat-latest", "omni-moderation-latest"]) assert.equal(refuses("openai", model), false, model);
    assert.equal(refuses("openrouter", "openai/gpt-5-nano"), false);
    assert.equal(capabilitiesOf("anthropic", "claude-haiku-4-5").refuses.has("temperature"), true, "the SDK's 2026-10-21 takes none");
  });
});
