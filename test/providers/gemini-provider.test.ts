import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { createGeminiProvider } from "../../src/providers/gemini/gemini-provider.js";
import { withResilience } from "../../src/providers/resilience/resilient-provider.js";
import { chatRequest, collectWaits, failureOf, fakeClock, never, standardPromptTokens, testContext } from "./helpers.js";

const key = "AIza-test-gemini-0123456789";
const model = "gemini-2.5-flash";
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
  const context = testContext({ env: { GEMINI_API_KEY: key }, now: clock.now, sleep: clock.sleep, onWait: waits.onWait });
  const inner = createGeminiProvider("gemini", { type: "gemini", base_url: server.url, stream: settings.stream ?? false }, context);
  return { clock, waits, inner, provider: withResilience(inner, settings, context) };
}


describe("gemini provider", () => {
  it("calls generateContent with systemInstruction and counts thoughts as output", async () => {
    server.script(model, { responses: ["Hello from Gemini."], cachedInputTokens: 4, reasoningTokens: 6 });
    const response = await resilient().provider.call(chatRequest({ model, json: true, temperature: 0 }), never);

    assert.equal(response.text, "Hello from Gemini.");
    assert.deepEqual(response.usage, { inputTokens: standardPromptTokens, outputTokens: 3 + 6, cachedInputTokens: 4, reasoningTokens: 6 });
    assert.equal(response.finishReason, "STOP");

    const sent = server.requests[0];
    assert.equal(sent?.path, `/v1beta/models/${model}:generateContent`);
    assert.equal(sent?.headers["x-goog-api-key"], key);
    const body = sent?.body as Record<string, unknown>;
    assert.deepEqual(body["contents"], [{ role: "user", parts: [{ text: "Say hello to the tests." }] }]);
    assert.deepEqual(body["systemInstruction"], { parts: [{ text: "You are terse." }], role: "user" });
    assert.deepEqual(body["generationConfig"], { maxOutputTokens: 64, temperature: 0, responseMimeType: "application/json" });
  });

  it("streams with alt=sse and takes the final usageMetadata", async () => {
    server.script(model, { responses: ["Streamed Gemini answer."], cachedInputTokens: 1, reasoningTokens: 2, chunkDelayMs: 1 });
    const response = await resilient({ stream: true }).provider.call(chatRequest({ model }), never);
    assert.equal(response.text, "Streamed Gemini answer.");
    assert.deepEqual(response.usage, { inputTokens: standardPromptTokens, outputTokens: 3 + 2, cachedInputTokens: 1, reasoningTokens: 2 });
    assert.equal(server.requests[0]?.path, `/v1beta/models/${model}:streamGenerateContent?alt=sse`);
  });

  it("reads the retry delay from RetryInfo (the SDK drops headers) and retries", async () => {
    server.script(model, { faults: [{ type: "rate_limit", retryAfterSeconds: 3 }] });
    const { clock, waits, provider } = resilient();
    await provider.call(chatRequest({ model }), never);
    assert.deepEqual(clock.sleeps, [3000]);
    assert.match(waits.events[0]?.error?.message ?? "", /exceeded your current quota.*\(HTTP 429\)/);
  });

  it("maps 400 API_KEY_INVALID to auth and the token-count 400 to context_length, neither retried", async () => {
    server.script(model, { faults: [{ type: "unauthorized" }] });
    const refused = await failureOf(resilient().provider.call(chatRequest({ model }), never));
    assert.equal(refused.kind, "auth");
    assert.equal(refused.status, 400);
    server.script(model, { faults: [{ type: "context_length" }] });
    const tooLong = await failureOf(resilient().provider.call(chatRequest({ model }), never));
    assert.equal(tooLong.kind, "context_length");
    assert.equal(server.requests.length, 2);
  });

  it("retries 500 and 503", async () => {
    server.script(model, { responses: ["ok"], faults: [{ type: "server_error" }, { type: "server_error", status: 503 }] });
    assert.equal((await resilient().provider.call(chatRequest({ model }), never)).text, "ok");
    assert.equal(server.requests.length, 3);
  });

  it("maps hang, reset, truncation and malformed JSON", async () => {
    server.script(model, { faults: [{ type: "hang" }] });
    assert.equal((await failureOf(resilient({ timeout_seconds: 0.2, max_retries: 0 }).provider.call(chatRequest({ model }), never))).kind, "timeout");

    server.script(model, { responses: ["one two three four"], faults: [{ type: "reset", afterChunks: 2 }] });
    const reset = await failureOf(resilient({ stream: true, max_retries: 0 }).provider.call(chatRequest({ model }), never));
    assert.equal(reset.kind, "network");
    assert.equal(reset.usage?.inputTokens, standardPromptTokens);
    assert.ok((reset.usage?.outputTokens ?? 0) >= 2);

    server.script(model, { responses: ["one two three"], faults: [{ type: "truncated_stream" }] });
    const truncated = await failureOf(resilient({ stream: true, max_retries: 0 }).provider.call(chatRequest({ model }), never));
    assert.equal(truncated.kind, "network");
    assert.match(truncated.message, /no finishReason/);

    server.script(model, { faults: [{ type: "malformed_json" }] });
    assert.equal((await failureOf(resilient({ max_retries: 0 }).provider.call(chatRequest({ model }), never))).kind, "server");

    server.script(model, { responses: ["one two three"], faults: [{ type: "stream_error", afterChunks: 1 }] });
    const inStream = await failureOf(resilient({ stream: true, max_retries: 0 }).provider.call(chatRequest({ model }), never));
    assert.equal(inStream.kind, "server");
    assert.match(inStream.message, /overloaded/);
  });

  it("reports a missing key and an abort", async () => {
    const keyless = createGeminiProvider("gemini", { type: "gemini", base_url: server.url }, testContext());
    assert.equal((await keyless.available()).reason, "set GEMINI_API_KEY (in the environment or in .env)");

    server.script(model, { latencyMs: 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    assert.equal((await failureOf(resilient().provider.call(chatRequest({ model }), controller.signal))).kind, "aborted");
  });

  it("probes by listing models", async () => {
    server.script(model, {});
    assert.deepEqual(await resilient().inner.probe(never), { reachable: true, models: [model] });
  });
});
