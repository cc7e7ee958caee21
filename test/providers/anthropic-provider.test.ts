import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { createAnthropicProvider } from "../../src/providers/anthropic/anthropic-provider.js";
import { findPrices } from "../../src/providers/price-table.js";
import { priceUsageNano } from "../../src/providers/pricing.js";
import { withResilience } from "../../src/providers/resilience/resilient-provider.js";
import { chatRequest, collectWaits, failureOf, fakeClock, never, standardPromptTokens, testContext } from "./helpers.js";

const key = "sk-ant-test-0123456789";
const model = "claude-haiku-4-5";
let server: FakeLlmServer;

before(async () => {
  server = await startFakeLlmServer();
});
after(async () => {
  await server.close();
});
beforeEach(() => server.reset());

function resilient(settings: { stream?: boolean; timeout_seconds?: number; max_retries?: number } = {}) {
  const clock = fakeClock();
  const waits = collectWaits();
  const context = testContext({ env: { ANTHROPIC_API_KEY: key }, now: clock.now, sleep: clock.sleep, onWait: waits.onWait });
  const inner = createAnthropicProvider("claude", { type: "anthropic", base_url: server.url, stream: settings.stream ?? false }, context);
  return { clock, waits, provider: withResilience(inner, settings, context) };
}


describe("anthropic provider", () => {
  it("sends the system prompt separately and reports cache reads and thinking exactly", async () => {
    server.script(model, { responses: ["Hello from Claude."], cachedInputTokens: 3, reasoningTokens: 4 });
    const response = await resilient().provider.call(chatRequest({ model }), never);

    assert.equal(response.text, "Hello from Claude.");
    // The API's input_tokens excludes cache reads; orch's inputTokens is the whole prompt.
    assert.deepEqual(response.usage, { inputTokens: standardPromptTokens, outputTokens: 3 + 4, cachedInputTokens: 3, reasoningTokens: 4 });
    assert.equal(response.finishReason, "end_turn");

    const sent = server.requests[0];
    assert.equal(sent?.path, "/v1/messages");
    assert.ok(sent?.headers["authorization"] === `Bearer ${key}` || sent?.headers["x-api-key"] === key, "the key was sent");
    assert.ok(sent?.headers["anthropic-version"] !== undefined);
    assert.deepEqual(sent?.body, {
      model,
      max_tokens: 64,
      messages: [{ role: "user", content: "Say hello to the tests." }],
      system: "You are terse.",
      stream: false,
    });
  });

  it("streams message_start … message_stop with cumulative usage", async () => {
    server.script(model, { responses: ["Streaming works fine."], cachedInputTokens: 2, reasoningTokens: 1, chunkDelayMs: 1 });
    const response = await resilient({ stream: true }).provider.call(chatRequest({ model }), never);
    assert.equal(response.text, "Streaming works fine.");
    assert.deepEqual(response.usage, { inputTokens: standardPromptTokens, outputTokens: 3 + 1, cachedInputTokens: 2, reasoningTokens: 1 });
    assert.equal((server.requests[0]?.body as Record<string, unknown>)["stream"], true);
  });

  for (const stream of [false, true]) {
    it(`reports cache writes by lifetime and they are billed at the write prices (${stream ? "streamed" : "plain"})`, async () => {
      // A 1,000-token prompt: 100 read from the cache, 300 written for 5 minutes, 500 for 1 hour, 100 plain.
      server.script(model, {
        responses: ["Cached."],
        usage: { inputTokens: 1_000 },
        cachedInputTokens: 100,
        cacheWriteTokens: 300,
        cacheWrite1hTokens: 500,
      });
      const response = await resilient({ stream }).provider.call(chatRequest({ model }), never);
      assert.deepEqual(response.usage, { inputTokens: 1_000, outputTokens: 1, cachedInputTokens: 100, cacheWriteTokens: 300, cacheWrite1hTokens: 500 });

      const prices = findPrices("anthropic", model);
      assert.ok(prices);
      // claude-haiku-4-5, $ per million: input 1, read 0.1, 5-minute write 1.25, 1-hour write 2, output 5.
      // 100 × 1 + 100 × 0.1 + 300 × 1.25 + 500 × 2 + 1 × 5 = 100 + 10 + 375 + 1,000 + 5 = 1,490 → $0.00149
      assert.equal(priceUsageNano(response.usage, prices), 1_490_000);
    });
  }

  it("reports a missing key with the variable to set", async () => {
    const keyless = createAnthropicProvider("claude", { type: "anthropic", base_url: server.url, api_key_env: "TEAM_CLAUDE_KEY" }, testContext());
    assert.equal((await keyless.available()).reason, "set TEAM_CLAUDE_KEY (in the environment or in .env)");
    const failure = await failureOf(keyless.call(chatRequest({ model }), never));
    assert.equal(failure.kind, "auth");
    assert.match(failure.message, /TEAM_CLAUDE_KEY/);
  });

  it("retries a 429 after Retry-After", async () => {
    server.script(model, { faults: [{ type: "rate_limit", retryAfterSeconds: 1 }] });
    const { clock, provider } = resilient();
    await provider.call(chatRequest({ model }), never);
    assert.deepEqual(clock.sleeps, [1000]);
    assert.equal(server.requests.length, 2);
  });

  it("does not retry when the server says x-should-retry: false", async () => {
    server.script(model, { faults: [{ type: "rate_limit", retryAfterSeconds: 1, shouldRetry: false }] });
    const failure = await failureOf(resilient().provider.call(chatRequest({ model }), never));
    assert.equal(failure.kind, "rate_limit");
    assert.equal(failure.retryable, false);
    assert.equal(server.requests.length, 1);
  });

  it("retries 529 overloaded as a server error", async () => {
    server.script(model, { responses: ["Back."], faults: [{ type: "server_error", status: 529 }] });
    const { waits, provider } = resilient();
    assert.equal((await provider.call(chatRequest({ model }), never)).text, "Back.");
    assert.equal(waits.events[0]?.error?.kind, "server");
    assert.match(waits.events[0]?.error?.message ?? "", /Overloaded \(HTTP 529\)/);
  });

  it("maps 401 to auth and 'prompt is too long' to context_length, neither retried", async () => {
    server.script(model, { faults: [{ type: "unauthorized" }] });
    assert.equal((await failureOf(resilient().provider.call(chatRequest({ model }), never))).kind, "auth");
    server.script(model, { faults: [{ type: "context_length" }] });
    const tooLong = await failureOf(resilient().provider.call(chatRequest({ model }), never));
    assert.equal(tooLong.kind, "context_length");
    assert.match(tooLong.message, /prompt is too long/);
    assert.equal(server.requests.length, 2);
  });

  it("times out a hang, and keeps message_start's prompt count when a stream is reset", async () => {
    server.script(model, { faults: [{ type: "hang" }] });
    assert.equal((await failureOf(resilient({ timeout_seconds: 0.2, max_retries: 0 }).provider.call(chatRequest({ model }), never))).kind, "timeout");

    server.script(model, { responses: ["one two three four five"], faults: [{ type: "reset", afterChunks: 3 }] });
    const reset = await failureOf(resilient({ stream: true, max_retries: 0 }).provider.call(chatRequest({ model }), never));
    assert.equal(reset.kind, "network");
    assert.equal(reset.usage?.inputTokens, standardPromptTokens, "the prompt count came in message_start");
    assert.ok((reset.usage?.outputTokens ?? 0) >= 3);
  });

  it("treats a stream without message_stop as broken, and malformed JSON as a server error", async () => {
    server.script(model, { faults: [{ type: "truncated_stream" }] });
    const truncated = await failureOf(resilient({ stream: true, max_retries: 0 }).provider.call(chatRequest({ model }), never));
    assert.equal(truncated.kind, "network");
    assert.equal(truncated.usage?.inputTokens, standardPromptTokens);

    server.script(model, { faults: [{ type: "malformed_json" }] });
    assert.equal((await failureOf(resilient({ max_retries: 0 }).provider.call(chatRequest({ model }), never))).kind, "server");
  });

  it("maps an overloaded error event inside a 200 stream to a retryable server error with the tokens used", async () => {
    server.script(model, { responses: ["a b c d"], faults: [{ type: "stream_error", afterChunks: 2 }] });
    const failure = await failureOf(resilient({ stream: true, max_retries: 0 }).provider.call(chatRequest({ model }), never));
    assert.equal(failure.kind, "server");
    assert.equal(failure.retryable, true);
    assert.match(failure.message, /Overloaded/);
    assert.equal(failure.usage?.inputTokens, standardPromptTokens);
  });

  it("adds the tokens of a broken attempt to the usage of the retry that succeeds", async () => {
    server.script(model, { responses: ["a b c d e f"], faults: [{ type: "reset", afterChunks: 2 }] });
    const response = await resilient({ stream: true }).provider.call(chatRequest({ model }), never);
    assert.equal(response.text, "a b c d e f");
    assert.equal(response.usage.inputTokens, 2 * standardPromptTokens);
    assert.ok(response.usage.outputTokens >= 6 + 2);
  });
});
