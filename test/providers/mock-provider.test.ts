import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { estimateTokens } from "../../src/policy/estimate-tokens.js";
import { createMockProvider } from "../../src/providers/mock/mock-provider.js";
import { ProviderError } from "../../src/providers/provider-error.js";
import type { ProviderRequest } from "../../src/providers/provider.js";

const request = (overrides: Partial<ProviderRequest> = {}): ProviderRequest => ({
  model: "small",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "List the changes.\nSecond line." },
  ],
  maxTokens: 500,
  origin: { runId: "r", step: "collect" },
  ...overrides,
});

describe("mock provider", () => {
  it("answers deterministically from the prompt, marked as mock, with usage from the tokenizer", async () => {
    const provider = createMockProvider("offline", { type: "mock" });
    const first = await provider.call(request(), new AbortController().signal);
    const second = await provider.call(request(), new AbortController().signal);
    assert.equal(first.text, second.text);
    assert.match(first.text, /^\[mock answer [0-9a-f]{8} from offline:small for step "collect"\]/);
    assert.match(first.text, /> List the changes\./);
    assert.equal(first.synthetic, true);
    // The prompt counted as the router estimates it (one estimator): each message's tokens plus 4 framing tokens.
    assert.equal(first.usage.inputTokens, estimateTokens("Be brief.") + estimateTokens("List the changes.\nSecond line.") + 2 * 4);
    assert.equal(first.usage.outputTokens, estimateTokens(first.text));
    const other = await provider.call(request({ messages: [{ role: "user", content: "Something else" }] }), new AbortController().signal);
    assert.notEqual(other.text, first.text);
  });

  it("answers JSON when JSON is asked for", async () => {
    const provider = createMockProvider("offline", { type: "mock" });
    const answer = await provider.call(request({ json: true }), new AbortController().signal);
    assert.deepEqual(Object.keys(JSON.parse(answer.text)), ["mock", "provider", "model", "step", "digest"]);
  });

  it("uses the first scripted response matching step, model and text", async () => {
    const provider = createMockProvider("offline", {
      type: "mock",
      responses: [
        { step: "other", text: "not me" },
        { model: "small", contains: "Second line", text: "scripted" },
        { text: "fallback" },
      ],
    });
    assert.equal((await provider.call(request(), new AbortController().signal)).text, "scripted");
    assert.equal((await provider.call(request({ model: "large" }), new AbortController().signal)).text, "fallback");
  });

  it("throws scripted errors as ProviderError of that kind", async () => {
    const provider = createMockProvider("offline", { type: "mock", responses: [{ step: "collect", error: { kind: "rate_limit", message: "slow down" } }] });
    await assert.rejects(provider.call(request(), new AbortController().signal), (error: unknown) => {
      assert.ok(ProviderError.isInstance(error));
      assert.equal(error.kind, "rate_limit");
      assert.equal(error.retryable, true);
      assert.equal(error.message, "slow down");
      return true;
    });
  });

  it("stops waiting when aborted", async () => {
    const provider = createMockProvider("offline", { type: "mock", latency_ms: 10_000 });
    const controller = new AbortController();
    const call = provider.call(request(), controller.signal);
    controller.abort();
    await assert.rejects(call, (error: unknown) => ProviderError.isInstance(error) && error.kind === "aborted");
  });

  it("caps output tokens at max_tokens", async () => {
    const provider = createMockProvider("offline", { type: "mock", responses: [{ text: "word ".repeat(400) }] });
    const answer = await provider.call(request({ maxTokens: 10 }), new AbortController().signal);
    assert.equal(answer.usage.outputTokens, 10);
  });
});
