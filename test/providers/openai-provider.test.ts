import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { createOpenAiProvider, maxTokensFieldFor } from "../../src/providers/openai/openai-provider.js";
import { withResilience } from "../../src/providers/resilience/resilient-provider.js";
import type { ProviderContext } from "../../src/providers/context.js";
import { chatRequest, collectWaits, emptyDirectory, failureOf, fakeClock, never, standardPromptTokens, testContext } from "./helpers.js";

const key = "sk-test-openai-0123456789";
let server: FakeLlmServer;

before(async () => {
  server = await startFakeLlmServer();
});
after(async () => {
  await server.close();
});
beforeEach(() => server.reset());

function provider(settings: { stream?: boolean } = {}, context: ProviderContext = testContext({ env: { OPENAI_API_KEY: key } })) {
  return createOpenAiProvider("openai", { type: "openai", base_url: `${server.url}/v1`, ...settings }, context);
}


describe("openai provider", () => {
  it("answers a plain call with exact usage and sends the request the API expects", async () => {
    server.script("gpt-4o-mini", { responses: ["Hello there, tests."], cachedInputTokens: 2, reasoningTokens: 3 });
    const response = await provider().call(chatRequest({ model: "gpt-4o-mini", temperature: 0.2 }), never);

    assert.equal(response.text, "Hello there, tests.");
    assert.deepEqual(response.usage, { inputTokens: standardPromptTokens, outputTokens: 3 + 3, cachedInputTokens: 2, reasoningTokens: 3 });
    assert.equal(response.model, "gpt-4o-mini");
    assert.equal(response.finishReason, "stop");

    const sent = server.requests[0];
    assert.equal(sent?.method, "POST");
    assert.equal(sent?.path, "/v1/chat/completions");
    assert.equal(sent?.headers["authorization"], `Bearer ${key}`);
    assert.deepEqual(sent?.body, {
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Say hello to the tests." },
      ],
      // A custom base_url means an OpenAI-compatible server: the widely understood field.
      max_tokens: 64,
      temperature: 0.2,
      stream: false,
    });
  });

  it("streams with stream_options.include_usage and reports the final usage chunk exactly", async () => {
    server.script("gpt-4o-mini", { responses: ["One two three four."], cachedInputTokens: 5, reasoningTokens: 7, chunkDelayMs: 1 });
    const response = await provider({ stream: true }).call(chatRequest({ model: "gpt-4o-mini" }), never);

    assert.equal(response.text, "One two three four.");
    assert.deepEqual(response.usage, { inputTokens: standardPromptTokens, outputTokens: 4 + 7, cachedInputTokens: 5, reasoningTokens: 7 });
    const body = server.requests[0]?.body as Record<string, unknown>;
    assert.equal(body["stream"], true);
    assert.deepEqual(body["stream_options"], { include_usage: true });
  });

  it("uses max_completion_tokens for OpenAI itself and max_tokens for compatible servers", () => {
    assert.equal(maxTokensFieldFor(undefined), "max_completion_tokens");
    assert.equal(maxTokensFieldFor("https://api.openai.com/v1"), "max_completion_tokens");
    assert.equal(maxTokensFieldFor("http://127.0.0.1:8000/v1"), "max_tokens");
  });

  it("asks for JSON output with response_format", async () => {
    server.script("gpt-4o-mini", { responses: ['{"ok":true}'] });
    await provider().call(chatRequest({ model: "gpt-4o-mini", json: true }), never);
    assert.deepEqual((server.requests[0]?.body as Record<string, unknown>)["response_format"], { type: "json_object" });
  });

  it("says exactly which variable to set when the key is missing", async () => {
    const keyless = provider({}, testContext());
    assert.deepEqual(await keyless.available(), { available: false, reason: "set OPENAI_API_KEY (in the environment or in .env)" });
    const failure = await failureOf(keyless.call(chatRequest(), never));
    assert.equal(failure.kind, "auth");
    assert.match(failure.message, /OPENAI_API_KEY/);
    assert.equal(server.requests.length, 0);
  });

  it("reads the key from .env in the working directory, and the real environment wins", async () => {
    const directory = emptyDirectory();
    writeFileSync(path.join(directory, ".env"), "MY_OPENAI_KEY=sk-from-dotenv-123456\nOTHER=1\n");
    const fromFile = createOpenAiProvider("openai", { type: "openai", base_url: `${server.url}/v1`, api_key_env: "MY_OPENAI_KEY" }, testContext({ workingDirectory: directory }));
    await fromFile.call(chatRequest(), never);
    assert.equal(server.requests[0]?.headers["authorization"], "Bearer sk-from-dotenv-123456");

    const overridden = createOpenAiProvider(
      "openai",
      { type: "openai", base_url: `${server.url}/v1`, api_key_env: "MY_OPENAI_KEY" },
      testContext({ workingDirectory: directory, env: { MY_OPENAI_KEY: "sk-from-environment-1234" } }),
    );
    await overridden.call(chatRequest(), never);
    assert.equal(server.requests[1]?.headers["authorization"], "Bearer sk-from-environment-1234");
  });

  it("sends the policy's extra headers", async () => {
    const withHeaders = createOpenAiProvider("openai", { type: "openai", base_url: `${server.url}/v1`, headers: { "OpenAI-Organization": "org-123" } }, testContext({ env: { OPENAI_API_KEY: key } }));
    await withHeaders.call(chatRequest(), never);
    assert.equal(server.requests[0]?.headers["openai-organization"], "org-123");
  });

  describe("faults", () => {
    function resilient(settings: { stream?: boolean; timeout_seconds?: number; max_retries?: number } = {}) {
      const clock = fakeClock();
      const waits = collectWaits();
      const context = testContext({ env: { OPENAI_API_KEY: key }, now: clock.now, sleep: clock.sleep, onWait: waits.onWait });
      const inner = createOpenAiProvider("openai", { type: "openai", base_url: `${server.url}/v1`, stream: settings.stream ?? false }, context);
      return { clock, waits, provider: withResilience(inner, settings, context) };
    }

    it("retries a 429 after its Retry-After (seconds) and then answers", async () => {
      server.script("gpt-4o-mini", { responses: ["Finally."], faults: [{ type: "rate_limit", retryAfterSeconds: 2 }] });
      const { clock, waits, provider: openai } = resilient();
      const response = await openai.call(chatRequest({ model: "gpt-4o-mini" }), never);
      assert.equal(response.text, "Finally.");
      assert.equal(server.requests.length, 2);
      assert.deepEqual(clock.sleeps, [2000]);
      assert.equal(waits.events[0]?.reason, "retry");
      assert.equal(waits.events[0]?.error?.kind, "rate_limit");
      assert.match(waits.events[0]?.error?.message ?? "", /Rate limit reached for gpt-4o-mini/);
    });

    it("prefers retry-after-ms over Retry-After", async () => {
      server.script("gpt-4o-mini", { faults: [{ type: "rate_limit", retryAfterSeconds: 3, retryAfterMs: 1250 }] });
      const { clock, provider: openai } = resilient();
      await openai.call(chatRequest({ model: "gpt-4o-mini" }), never);
      assert.deepEqual(clock.sleeps, [1250]);
    });

    it("does not retry a 401 and keeps the provider's message without the key", async () => {
      server.script("gpt-4o-mini", { faults: [{ type: "unauthorized", times: 3 }] });
      const { provider: openai } = resilient();
      const failure = await failureOf(openai.call(chatRequest({ model: "gpt-4o-mini" }), never));
      assert.equal(failure.kind, "auth");
      assert.equal(failure.status, 401);
      assert.equal(failure.retryable, false);
      assert.match(failure.message, /Incorrect API key provided: \[redacted\]/);
      assert.equal(server.requests.length, 1);
    });

    it("maps a 400 context_length_exceeded to context_length without retrying", async () => {
      server.script("gpt-4o-mini", { faults: [{ type: "context_length" }] });
      const { provider: openai } = resilient();
      const failure = await failureOf(openai.call(chatRequest({ model: "gpt-4o-mini" }), never));
      assert.equal(failure.kind, "context_length");
      assert.match(failure.message, /maximum context length is 128000 tokens/);
      assert.equal(server.requests.length, 1);
    });

    it("retries 500 and 503 with backoff and then succeeds", async () => {
      server.script("gpt-4o-mini", { responses: ["Recovered."], faults: [{ type: "server_error" }, { type: "server_error", status: 503 }] });
      const { clock, waits, provider: openai } = resilient();
      const response = await openai.call(chatRequest({ model: "gpt-4o-mini" }), never);
      assert.equal(response.text, "Recovered.");
      assert.equal(server.requests.length, 3);
      assert.equal(clock.sleeps.length, 2);
      assert.deepEqual(waits.events.map((event) => [event.attempt, event.error?.kind]), [[1, "server"], [2, "server"]]);
    });

    it("gives up after max_retries with the last server error", async () => {
      server.script("gpt-4o-mini", { faults: [{ type: "server_error", times: 5 }] });
      const { provider: openai } = resilient({ max_retries: 1 });
      const failure = await failureOf(openai.call(chatRequest({ model: "gpt-4o-mini" }), never));
      assert.equal(failure.kind, "server");
      assert.equal(failure.status, 500);
      assert.equal(server.requests.length, 2);
    });

    it("times out a hanging request (kind timeout)", async () => {
      server.script("gpt-4o-mini", { faults: [{ type: "hang" }] });
      const { provider: openai } = resilient({ timeout_seconds: 0.2, max_retries: 0 });
      const failure = await failureOf(openai.call(chatRequest({ model: "gpt-4o-mini" }), never));
      assert.equal(failure.kind, "timeout");
      assert.equal(failure.retryable, true);
    });

    it("reports a reset mid-stream as a network error carrying the tokens used", async () => {
      server.script("gpt-4o-mini", { responses: ["alpha beta gamma delta epsilon"], faults: [{ type: "reset", afterChunks: 2 }] });
      const { provider: openai } = resilient({ stream: true, max_retries: 0 });
      const failure = await failureOf(openai.call(chatRequest({ model: "gpt-4o-mini" }), never));
      assert.equal(failure.kind, "network");
      assert.ok(failure.usage !== undefined && failure.usage.inputTokens > 0, "prompt tokens estimated");
      assert.ok((failure.usage?.outputTokens ?? 0) >= 2, "the two pieces received are counted");
    });

    it("maps an error event inside a 200 stream to a retryable server error", async () => {
      server.script("gpt-4o-mini", { responses: ["a b c"], faults: [{ type: "stream_error", afterChunks: 1 }] });
      const failure = await failureOf(resilient({ stream: true, max_retries: 0 }).provider.call(chatRequest({ model: "gpt-4o-mini" }), never));
      assert.equal(failure.kind, "server");
      assert.match(failure.message, /The server had an error/);
      assert.ok((failure.usage?.outputTokens ?? 0) >= 1);
    });

    it("treats a stream that ends without finish_reason and usage as broken", async () => {
      server.script("gpt-4o-mini", { responses: ["cut short here"], faults: [{ type: "truncated_stream" }] });
      const { provider: openai } = resilient({ stream: true, max_retries: 0 });
      const failure = await failureOf(openai.call(chatRequest({ model: "gpt-4o-mini" }), never));
      assert.equal(failure.kind, "network");
      assert.match(failure.message, /no finish_reason/);
      assert.ok((failure.usage?.outputTokens ?? 0) > 0);
    });

    it("maps malformed JSON to a retryable server error (plain and streamed)", async () => {
      server.script("gpt-4o-mini", { faults: [{ type: "malformed_json" }] });
      const plain = await failureOf(resilient({ max_retries: 0 }).provider.call(chatRequest({ model: "gpt-4o-mini" }), never));
      assert.equal(plain.kind, "server");
      assert.equal(plain.retryable, true);

      server.script("gpt-4o-mini", { faults: [{ type: "malformed_json" }] });
      const streamed = await failureOf(resilient({ stream: true, max_retries: 0 }).provider.call(chatRequest({ model: "gpt-4o-mini" }), never));
      assert.equal(streamed.kind, "server");
    });

    it("aborts when the caller aborts, without retrying", async () => {
      server.script("gpt-4o-mini", { latencyMs: 5_000 });
      const { provider: openai } = resilient();
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const failure = await failureOf(openai.call(chatRequest({ model: "gpt-4o-mini" }), controller.signal));
      assert.equal(failure.kind, "aborted");
      assert.equal(failure.retryable, false);
      assert.equal(server.requests.length, 1);
    });

    it("maps a refused connection to network", async () => {
      const closed = await startFakeLlmServer();
      const url = closed.url;
      await closed.close();
      const dead = createOpenAiProvider("openai", { type: "openai", base_url: `${url}/v1` }, testContext({ env: { OPENAI_API_KEY: key } }));
      const failure = await failureOf(dead.call(chatRequest(), never));
      assert.equal(failure.kind, "network");
      assert.match(failure.message, /ECONNREFUSED/);
    });
  });

  it("probes reachability by listing models", async () => {
    server.script("gpt-4o-mini", {});
    assert.deepEqual(await provider().probe(never), { reachable: true, models: ["gpt-4o-mini"] });
  });
});
