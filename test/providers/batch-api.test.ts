/**
 * The vendors' batch APIs through the real SDKs (openai client.files/batches, @anthropic-ai/sdk
 * client.messages.batches, @google/genai batches) against the fake server: submit, poll while in progress, collect the
 * answers by custom id; an expired or failed batch says so. Fake tokens are words: "You are terse."
 * (3) + "Say hello to the tests." (5) = 8 prompt tokens; "Hi there." is 2 answer tokens.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { createAnthropicProvider } from "../../src/providers/anthropic/anthropic-provider.js";
import { createGeminiProvider } from "../../src/providers/gemini/gemini-provider.js";
import { createOpenAiProvider } from "../../src/providers/openai/openai-provider.js";
import type { BatchCapability, BatchState } from "../../src/providers/provider.js";
import { chatRequest, never, testContext } from "./helpers.js";

let server: FakeLlmServer;
before(async () => {
  server = await startFakeLlmServer();
});
after(async () => {
  await server.close();
});
beforeEach(() => server.reset());

const openai = () => createOpenAiProvider("oa", { type: "openai", base_url: `${server.url}/v1` }, testContext({ env: { OPENAI_API_KEY: "sk-test-batch" } }));
const anthropic = () => createAnthropicProvider("claude", { type: "anthropic", base_url: server.url }, testContext({ env: { ANTHROPIC_API_KEY: "sk-ant-test-batch" } }));
const gemini = () => createGeminiProvider("gem", { type: "gemini", base_url: server.url }, testContext({ env: { GEMINI_API_KEY: "gemini-test-batch-key" } }));

function batchOf(provider: { batch?: BatchCapability }): BatchCapability {
  assert.ok(provider.batch, "the provider offers its batch API");
  return provider.batch;
}

for (const [vendor, make, model] of [["openai", openai, "gpt-4.1-mini"], ["anthropic", anthropic, "claude-haiku-4-5"], ["gemini", gemini, "gemini-2.5-flash"]] as const) {
  describe(`${vendor} batch API`, () => {
    it("submits two calls, answers in progress for the scripted polls, then collects both by custom id with their usage", async () => {
      server.script(model, { responses: ["Hi there.", "Bye now."], batch: { polls: 2 } });
      const batch = batchOf(make());
      const id = await batch.submit([{ customId: "a", request: chatRequest({ model }) }, { customId: "b", request: chatRequest({ model }) }], never);
      const states: BatchState[] = [];
      for (let poll = 0; poll < 3; poll += 1) states.push(await batch.poll(id, never));
      assert.deepEqual(states.slice(0, 2).map((state) => state.state), ["pending", "pending"]);
      const ended = states[2]!;
      assert.equal(ended.state, "ended");
      if (ended.state !== "ended") return;
      const a = ended.answers.get("a");
      const b = ended.answers.get("b");
      assert.ok(a?.ok && b?.ok);
      assert.equal(a.response.text, "Hi there.");
      assert.equal(b.response.text, "Bye now.");
      assert.deepEqual(a.response.usage, { inputTokens: 8, outputTokens: 2 });
    });

    it("reports an expired batch as expired, with nothing answered", async () => {
      server.script(model, { batch: { outcome: "expire" } });
      const batch = batchOf(make());
      const id = await batch.submit([{ customId: "a", request: chatRequest({ model }) }], never);
      assert.equal((await batch.poll(id, never)).state, "expired");
    });
  });
}

it("an OpenAI batch scripted to fail says why", async () => {
  server.script("gpt-4.1-mini", { batch: { outcome: "fail" } });
  const batch = batchOf(openai());
  const id = await batch.submit([{ customId: "a", request: chatRequest({ model: "gpt-4.1-mini" }) }], never);
  const state = await batch.poll(id, never);
  assert.equal(state.state, "failed");
  assert.match(state.state === "failed" ? state.reason : "", /scripted to fail/);
});
