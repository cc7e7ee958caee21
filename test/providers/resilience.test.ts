import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { createOpenAiProvider } from "../../src/providers/openai/openai-provider.js";
import { ProviderError, type ProviderErrorKind } from "../../src/providers/provider-error.js";
import type { Provider, ProviderResponse } from "../../src/providers/provider.js";
import { defaultBackoffPolicy, retryDelayMs } from "../../src/providers/resilience/backoff.js";
import { withResilience } from "../../src/providers/resilience/resilient-provider.js";
import { chatRequest, collectWaits, fakeClock, never, testContext } from "./helpers.js";

/** A provider that answers from a script of outcomes and notes when each call started. */
function scriptedProvider(outcomes: Array<ProviderErrorKind | "ok" | { kind: ProviderErrorKind; retryAfterMs: number }>, now: () => number) {
  const starts: number[] = [];
  const provider: Provider = {
    id: "scripted",
    type: "mock",
    pricing: "local",
    local: true,
    async call(request): Promise<ProviderResponse> {
      starts.push(now());
      const outcome = outcomes.shift() ?? "ok";
      if (outcome === "ok") return { text: "ok", usage: { inputTokens: 10, outputTokens: 5 }, model: request.model, latencyMs: 0 };
      const kind = typeof outcome === "string" ? outcome : outcome.kind;
      throw new ProviderError({
        kind,
        provider: "scripted",
        message: `scripted ${kind}`,
        ...(typeof outcome === "string" ? {} : { retryAfterMs: outcome.retryAfterMs }),
      });
    },
    available: async () => ({ available: true }),
  };
  return { provider, starts };
}

describe("retries", () => {
  it("never retries auth, bad_request, context_length or unavailable", async () => {
    for (const kind of ["auth", "bad_request", "context_length", "unavailable"] as const) {
      const clock = fakeClock();
      const { provider, starts } = scriptedProvider([kind], clock.now);
      const resilient = withResilience(provider, { max_retries: 5 }, testContext({ now: clock.now, sleep: clock.sleep }));
      await assert.rejects(resilient.call(chatRequest(), never), (error: unknown) => ProviderError.isInstance(error) && error.kind === kind);
      assert.equal(starts.length, 1, kind);
    }
  });

  it("backs off exponentially with equal jitter", async () => {
    const clock = fakeClock();
    const { provider } = scriptedProvider(["server", "network", "timeout", "ok"], clock.now);
    const resilient = withResilience(provider, { max_retries: 3 }, testContext({ now: clock.now, sleep: clock.sleep }), {
      ...defaultBackoffPolicy,
      random: () => 0.5,
    });
    await resilient.call(chatRequest(), never);
    // base 500 ms doubling: 500, 1000, 2000, each 3/4 of the way with random 0.5.
    assert.deepEqual(clock.sleeps, [375, 750, 1500]);
  });

  it("returns at once when Retry-After is beyond the bound", async () => {
    const clock = fakeClock();
    const { provider, starts } = scriptedProvider([{ kind: "rate_limit", retryAfterMs: 10 * 60_000 }], clock.now);
    const resilient = withResilience(provider, {}, testContext({ now: clock.now, sleep: clock.sleep }));
    await assert.rejects(resilient.call(chatRequest(), never), (error: unknown) => ProviderError.isInstance(error) && error.retryAfterMs === 600_000);
    assert.equal(starts.length, 1);
    assert.equal(retryDelayMs(1, new ProviderError({ kind: "rate_limit", provider: "p", message: "m", retryAfterMs: 59_000 }), defaultBackoffPolicy), 59_000);
  });

  it("stops retrying when the caller aborts during the backoff", async () => {
    const { provider } = scriptedProvider(["server", "ok"], Date.now);
    const controller = new AbortController();
    const resilient = withResilience(provider, {}, testContext({
        sleep: async () => {
          controller.abort();
          throw new Error("aborted while sleeping");
        },
      }));
    await assert.rejects(resilient.call(chatRequest(), controller.signal), (error: unknown) => ProviderError.isInstance(error) && error.kind === "aborted");
  });
});

describe("limits", () => {
  it("holds rpm: never more than `rpm` call starts in any 60 s window, and reports the waits", async () => {
    const clock = fakeClock();
    const waits = collectWaits();
    const { provider, starts } = scriptedProvider([], clock.now);
    const resilient = withResilience(provider, { rpm: 2 }, testContext({ now: clock.now, sleep: clock.sleep, onWait: waits.onWait }));
    await Promise.all(Array.from({ length: 5 }, (_, index) => resilient.call(chatRequest({ origin: { runId: "r", step: `s${index}` } }), never)));

    assert.equal(starts.length, 5);
    for (const start of starts) {
      assert.ok(starts.filter((other) => other >= start && other < start + 60_000).length <= 2, `window at ${start}`);
    }
    assert.ok(waits.events.length > 0);
    assert.ok(waits.events.every((event) => event.reason === "rpm" && (event.waitMs ?? 0) > 0 && event.providerId === "scripted"));
    // Five calls at two a minute: two now, two a minute later, the last a minute after that.
    assert.deepEqual(starts, [1_000_000, 1_000_000, 1_060_000, 1_060_000, 1_120_000]);
  });

  it("holds tpm using the prompt estimate plus max tokens, settled to the real count", async () => {
    const clock = fakeClock();
    const waits = collectWaits();
    const { provider, starts } = scriptedProvider([], clock.now);
    const resilient = withResilience(provider, { tpm: 150 }, testContext({ now: clock.now, sleep: clock.sleep, onWait: waits.onWait }));
    // Each call reserves ~10 + 100 tokens, then settles to the 15 it really used.
    await resilient.call(chatRequest({ maxTokens: 100 }), never);
    await resilient.call(chatRequest({ maxTokens: 100 }), never);
    assert.equal(waits.events.length, 0, "the first call's reservation shrank to 15 tokens");
    await Promise.all([resilient.call(chatRequest({ maxTokens: 100 }), never), resilient.call(chatRequest({ maxTokens: 100 }), never)]);
    assert.equal(starts.length, 4);
    assert.ok(waits.events.some((event) => event.reason === "tpm"));
  });

  describe("max_concurrency against the fake server", () => {
    let server: FakeLlmServer;
    before(async () => {
      server = await startFakeLlmServer({ models: { "*": { latencyMs: 40 } } });
    });
    after(async () => {
      await server.close();
    });

    it("never has more than max_concurrency requests in flight", async () => {
      const waits = collectWaits();
      const context = testContext({ env: { OPENAI_API_KEY: "sk-test-concurrency-1" }, onWait: waits.onWait });
      const openai = createOpenAiProvider("openai", { type: "openai", base_url: `${server.url}/v1` }, context);
      const resilient = withResilience(openai, { max_concurrency: 2 }, context);
      await Promise.all(Array.from({ length: 6 }, () => resilient.call(chatRequest(), never)));
      assert.equal(server.requests.length, 6);
      assert.equal(server.peakInFlight, 2);
      assert.equal(waits.events.filter((event) => event.reason === "concurrency").length, 4);
    });
  });
});
