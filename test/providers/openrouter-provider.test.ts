import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { createOpenRouterProvider } from "../../src/providers/openrouter/openrouter-provider.js";
import { findPrices } from "../../src/providers/price-table.js";
import { billNano, priceUsageNano } from "../../src/providers/pricing.js";
import { withResilience } from "../../src/providers/resilience/resilient-provider.js";
import { chatRequest, failureOf, fakeClock, never, standardPromptTokens, testContext } from "./helpers.js";

const key = "sk-or-v1-test-0123456789";
const model = "openai/gpt-4o-mini";
let server: FakeLlmServer;

before(async () => {
  server = await startFakeLlmServer();
});
after(async () => {
  await server.close();
});
beforeEach(() => server.reset());

function resilient(settings: { stream?: boolean; max_retries?: number; headers?: Record<string, string> } = {}) {
  const clock = fakeClock();
  const context = testContext({ env: { OPENROUTER_API_KEY: key }, now: clock.now, sleep: clock.sleep });
  const inner = createOpenRouterProvider(
    "openrouter",
    { type: "openrouter", base_url: `${server.url}/api/v1`, stream: settings.stream ?? false, ...(settings.headers === undefined ? {} : { headers: settings.headers }) },
    context,
  );
  return { clock, provider: withResilience(inner, settings, context) };
}


describe("openrouter provider", () => {
  it("records OpenRouter's own usage.cost and sends its attribution headers", async () => {
    server.script(model, { responses: ["Routed answer."], costUsd: 0.0123, cachedInputTokens: 2 });
    const response = await resilient().provider.call(chatRequest({ model }), never);
    assert.equal(response.text, "Routed answer.");
    assert.equal(response.reportedCostUsd, 0.0123);
    assert.deepEqual(response.usage, { inputTokens: standardPromptTokens, outputTokens: 2, cachedInputTokens: 2 });

    const sent = server.requests[0];
    assert.equal(sent?.path, "/api/v1/chat/completions");
    assert.equal(sent?.headers["authorization"], `Bearer ${key}`);
    assert.equal(sent?.headers["x-openrouter-title"], "orch");
    assert.equal(sent?.headers["x-title"], "orch");
    assert.equal((sent?.body as Record<string, unknown>)["max_tokens"], 64);
  });

  it("lets the policy's headers override attribution", async () => {
    await resilient({ headers: { "HTTP-Referer": "https://example.org/app", "X-OpenRouter-Title": "My pipeline" } }).provider.call(chatRequest({ model }), never);
    assert.equal(server.requests[0]?.headers["http-referer"], "https://example.org/app");
    assert.equal(server.requests[0]?.headers["x-openrouter-title"], "My pipeline");
  });

  it("streams past OpenRouter's processing comments and reads the cost from the final chunk", async () => {
    server.script(model, { responses: ["Streamed through OpenRouter."], costUsd: 0.5 });
    const response = await resilient({ stream: true }).provider.call(chatRequest({ model }), never);
    assert.equal(response.text, "Streamed through OpenRouter.");
    assert.equal(response.reportedCostUsd, 0.5);
  });

  it("the reported cost and the price table agree to the cent for a well-known model", async () => {
    server.script(model, { usage: { inputTokens: 3_000_000, outputTokens: 1_000_000 }, costUsd: 1.05 });
    const response = await resilient().provider.call(chatRequest({ model }), never);
    const prices = findPrices("openrouter", model);
    assert.ok(prices);
    // 3M × 0.15 + 1M × 0.60 = 1.05
    assert.equal(priceUsageNano(response.usage, prices), 1_050_000_000);
    assert.equal(billNano(response.usage, prices, response.reportedCostUsd), 1_050_000_000);
  });

  for (const stream of [false, true]) {
    it(`records a BYOK call's upstream cost on top of OpenRouter's fee (${stream ? "streamed" : "plain"})`, async () => {
      // BYOK: OpenRouter charges its fee in usage.cost; the upstream provider bills the user's own key.
      server.script(model, { responses: ["Bring your own key."], costUsd: 0.0001, upstreamCostUsd: 0.002 });
      const response = await resilient({ stream }).provider.call(chatRequest({ model }), never);
      // 0.0001 + 0.002 = 0.0021 (as an exact decimal: 2,100,000 nano-dollars, not 0.0021000000000000003).
      assert.equal(response.reportedCostUsd, 0.0021);
      assert.equal(billNano(response.usage, undefined, response.reportedCostUsd), 2_100_000);
    });
  }

  it("a call on OpenRouter's credits (upstream cost null) records usage.cost alone", async () => {
    server.script(model, { responses: ["Credits."], costUsd: 0.0042 });
    const response = await resilient().provider.call(chatRequest({ model }), never);
    assert.equal(response.reportedCostUsd, 0.0042);
  });

  it("maps an error event inside a 200 stream, status taken from its code", async () => {
    server.script(model, { responses: ["a b c"], faults: [{ type: "stream_error", afterChunks: 1 }] });
    const failure = await failureOf(resilient({ stream: true, max_retries: 0 }).provider.call(chatRequest({ model }), never));
    assert.equal(failure.kind, "server");
    assert.equal(failure.status, 502);
    assert.match(failure.message, /Provider returned error/);
  });

  it("maps its error bodies ({error: {code, message}}) to kinds", async () => {
    server.script(model, { faults: [{ type: "unauthorized" }] });
    const refused = await failureOf(resilient().provider.call(chatRequest({ model }), never));
    assert.equal(refused.kind, "auth");
    assert.match(refused.message, /User not found/);

    server.script(model, { faults: [{ type: "context_length" }] });
    assert.equal((await failureOf(resilient().provider.call(chatRequest({ model }), never))).kind, "context_length");

    server.script(model, { responses: ["after 429 and 502"], faults: [{ type: "rate_limit", retryAfterSeconds: 4 }, { type: "server_error", status: 502 }] });
    const { clock, provider } = resilient();
    assert.equal((await provider.call(chatRequest({ model }), never)).text, "after 429 and 502");
    assert.equal(clock.sleeps[0], 4000);
  });
});
