import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import type { PullProgressEvent } from "../../src/providers/context.js";
import { createOllamaProvider } from "../../src/providers/ollama/ollama-provider.js";
import { withResilience } from "../../src/providers/resilience/resilient-provider.js";
import { chatRequest, failureOf, fakeClock, never, standardPromptTokens, testContext } from "./helpers.js";

const model = "llama3.2";
let server: FakeLlmServer;

before(async () => {
  server = await startFakeLlmServer({ ollamaModels: [model] });
});
after(async () => {
  await server.close();
});
beforeEach(() => server.reset());

function resilient(settings: { stream?: boolean; pull?: boolean; timeout_seconds?: number; max_retries?: number } = {}, progress: PullProgressEvent[] = []) {
  const clock = fakeClock();
  const context = testContext({ now: clock.now, sleep: clock.sleep, onPullProgress: (event) => progress.push(event) });
  const inner = createOllamaProvider("local", { type: "ollama", host: server.url, stream: settings.stream ?? false, pull: settings.pull ?? false }, context);
  return { clock, inner, provider: withResilience(inner, settings, context) };
}


describe("ollama provider", () => {
  it("chats with prompt_eval_count / eval_count as usage, locally and for free", async () => {
    server.script(model, { responses: ["Hello from llama."] });
    const { provider } = resilient();
    const response = await provider.call(chatRequest({ model, temperature: 0.1, json: true }), never);
    assert.equal(response.text, "Hello from llama.");
    assert.deepEqual(response.usage, { inputTokens: standardPromptTokens, outputTokens: 3 });
    assert.equal(response.finishReason, "stop");
    assert.equal(provider.pricing, "local");
    assert.equal(provider.local, true);

    const chat = server.requests.find((request) => request.path === "/api/chat");
    assert.deepEqual(chat?.body, {
      model,
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Say hello to the tests." },
      ],
      options: { num_predict: 64, temperature: 0.1 },
      format: "json",
      stream: false,
    });
  });

  it("streams NDJSON and takes the counts from the done line", async () => {
    server.script(model, { responses: ["Streaming from llama works."], chunkDelayMs: 1 });
    const response = await resilient({ stream: true }).provider.call(chatRequest({ model }), never);
    assert.equal(response.text, "Streaming from llama works.");
    assert.deepEqual(response.usage, { inputTokens: standardPromptTokens, outputTokens: 4 });
  });

  it("says how to get a model that is not pulled, without calling chat", async () => {
    const { provider } = resilient();
    const availability = await provider.available("qwen3:8b");
    assert.equal(availability.available, false);
    assert.match(availability.reason ?? "", /ollama pull qwen3:8b/);
    assert.deepEqual(availability.models, ["llama3.2:latest"]);

    const failure = await failureOf(provider.call(chatRequest({ model: "qwen3:8b" }), never));
    assert.equal(failure.kind, "unavailable");
    assert.equal(server.requests.some((request) => request.path === "/api/chat"), false);
  });

  it("pulls a missing model once, reporting progress, when pull: true", async () => {
    const progress: PullProgressEvent[] = [];
    const { provider } = resilient({ pull: true }, progress);
    assert.equal((await provider.available("qwen3:8b")).available, true);
    const [first, second] = await Promise.all([
      provider.call(chatRequest({ model: "qwen3:8b" }), never),
      provider.call(chatRequest({ model: "qwen3:8b" }), never),
    ]);
    assert.equal(first.text, "Scripted answer from qwen3:8b.");
    assert.equal(second.text, first.text);
    assert.equal(server.requests.filter((request) => request.path === "/api/pull").length, 1);
    assert.equal(progress.at(-1)?.status, "success");
    assert.ok(progress.some((event) => event.totalBytes !== undefined && event.completedBytes === event.totalBytes));
    assert.ok(progress.every((event) => event.providerId === "local" && event.model === "qwen3:8b"));
  });

  it("reports a failed pull as unavailable", async () => {
    const failure = await failureOf(resilient({ pull: true }).provider.call(chatRequest({ model: "does-not-exist:1b" }), never));
    assert.equal(failure.kind, "unavailable");
    assert.match(failure.message, /could not pull does-not-exist:1b.*file does not exist/);
  });

  it("reports an unreachable server in available() and as a network error", async () => {
    const stopped = await startFakeLlmServer();
    const url = stopped.url;
    await stopped.close();
    const dead = createOllamaProvider("local", { type: "ollama", host: url }, testContext());
    const availability = await dead.available(model);
    assert.equal(availability.available, false);
    assert.match(availability.reason ?? "", /not reachable.*ollama serve/);
    assert.equal((await failureOf(dead.call(chatRequest({ model }), never))).kind, "network");
  });

  it("retries 503 busy, and maps hang, reset, truncation and malformed JSON", async () => {
    server.script(model, { responses: ["ok"], faults: [{ type: "server_error", status: 503 }] });
    assert.equal((await resilient().provider.call(chatRequest({ model }), never)).text, "ok");

    server.script(model, { faults: [{ type: "hang" }] });
    assert.equal((await failureOf(resilient({ timeout_seconds: 0.2, max_retries: 0 }).provider.call(chatRequest({ model }), never))).kind, "timeout");

    server.script(model, { responses: ["one two three four"], faults: [{ type: "reset", afterChunks: 2 }] });
    const reset = await failureOf(resilient({ stream: true, max_retries: 0 }).provider.call(chatRequest({ model }), never));
    assert.equal(reset.kind, "network");
    assert.ok((reset.usage?.outputTokens ?? 0) > 0);

    server.script(model, { faults: [{ type: "truncated_stream" }] });
    const truncated = await failureOf(resilient({ stream: true, max_retries: 0 }).provider.call(chatRequest({ model }), never));
    assert.equal(truncated.kind, "network");

    server.script(model, { faults: [{ type: "malformed_json" }] });
    assert.equal((await failureOf(resilient({ max_retries: 0 }).provider.call(chatRequest({ model }), never))).kind, "server");

    server.script(model, { responses: ["one two"], faults: [{ type: "stream_error", afterChunks: 1 }] });
    const inStream = await failureOf(resilient({ stream: true, max_retries: 0 }).provider.call(chatRequest({ model }), never));
    assert.equal(inStream.kind, "server");
    assert.match(inStream.message, /llama runner process has terminated/);

  });

  it("gets an answer, not an error, for a prompt longer than the context: Ollama drops its start silently", async () => {
    // Real Ollama chat never refuses a long prompt: it keeps half the window plus two tokens and
    // answers 200 (ollama/ollama#17427, #17889); only prompt_eval_count tells.
    server.script(model, { responses: ["I saw the end only."], faults: [{ type: "context_length" }] });
    const scripted = await resilient({ max_retries: 0 }).provider.call(chatRequest({ model }), never);
    assert.equal(scripted.text, "I saw the end only.");
    assert.equal(scripted.usage.inputTokens, 4096 / 2 + 2);

    server.script(model, { responses: ["Short window."] });
    const longPrompt = { role: "user" as const, content: "word ".repeat(5000) };
    const overflowing = await resilient({ max_retries: 0 }).provider.call(chatRequest({ model, messages: [longPrompt] }), never);
    assert.equal(overflowing.text, "Short window.");
    assert.equal(overflowing.usage.inputTokens, 2050, "5,000 prompt tokens in the default 4,096 window: 2,050 kept");
  });

  it("asks for the policy's context window (num_ctx), so a prompt that fits it is not cut to Ollama's default", async () => {
    server.script(model, { responses: ["Whole prompt."] });
    const longPrompt = { role: "user" as const, content: "word ".repeat(5000) };
    const answered = await resilient({ max_retries: 0 }).provider.call(chatRequest({ model, messages: [longPrompt], contextWindow: 8192 }), never);
    assert.equal(answered.text, "Whole prompt.");
    assert.deepEqual((server.requests.at(-1)?.body as { options?: { num_ctx?: number } }).options?.num_ctx, 8192);
    assert.ok(answered.usage.inputTokens >= 5000, `the whole prompt was read, not 2,050 of it (got ${answered.usage.inputTokens})`);
  });

  it("probes by listing pulled models", async () => {
    assert.deepEqual(await resilient().inner.probe(never), { reachable: true, models: ["llama3.2:latest"] });
  });
});
