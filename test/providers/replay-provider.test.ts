import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { createOpenAiProvider } from "../../src/providers/openai/openai-provider.js";
import { ProviderError } from "../../src/providers/provider-error.js";
import { fingerprintRequest } from "../../src/providers/replay/fingerprint.js";
import { createRecordingProvider } from "../../src/providers/replay/recording-provider.js";
import { createReplayProvider } from "../../src/providers/replay/replay-provider.js";
import { chatRequest, emptyDirectory, never, testContext } from "./helpers.js";

const key = "sk-test-recording-0123456789";
let server: FakeLlmServer;

before(async () => {
  server = await startFakeLlmServer({ models: { "gpt-4o-mini": { responses: ["first answer", "second answer"], cachedInputTokens: 1 } } });
});
after(async () => {
  await server.close();
});

describe("fingerprintRequest", () => {
  it("is stable, ignores the origin, and changes with anything the model sees", () => {
    const base = chatRequest();
    const elsewhere = chatRequest({ origin: { runId: "other", step: "other" } });
    assert.equal(fingerprintRequest(base), fingerprintRequest(elsewhere));
    assert.match(fingerprintRequest(base), /^[0-9a-f]{64}$/);
    for (const changed of [{ model: "x" }, { maxTokens: 65 }, { temperature: 0.5 }, { json: true }, { messages: [{ role: "user" as const, content: "hi" }] }]) {
      assert.notEqual(fingerprintRequest(chatRequest(changed)), fingerprintRequest(base), JSON.stringify(changed));
    }
  });
});

describe("record and replay", () => {
  it("records answers from a real provider and replays them offline, in order, for free", async () => {
    const directory = emptyDirectory();
    const file = path.join(directory, "recordings", "run.jsonl");
    const openai = createOpenAiProvider("openai", { type: "openai", base_url: `${server.url}/v1` }, testContext({ env: { OPENAI_API_KEY: key } }));
    // Priced as orch bills it: the recording keeps each answer's cost.
    const recorder = createRecordingProvider(openai, file, { costOf: (_model, response) => response.usage.inputTokens * 1e-6 + response.usage.outputTokens * 2e-6 });
    const request = chatRequest({ model: "gpt-4o-mini" });
    const first = await recorder.call(request, never);
    const second = await recorder.call(request, never);
    await recorder.close?.();

    const written = readFileSync(file, "utf8");
    assert.equal(written.trim().split("\n").length, 2);
    assert.doesNotMatch(written, new RegExp(key), "no key in the recording");
    assert.doesNotMatch(written, /Say hello to the tests/, "no prompt in the recording");

    const replay = createReplayProvider("replay", { type: "replay", file: "recordings/run.jsonl" }, testContext({ policyDirectory: directory }));
    assert.deepEqual(await replay.available(), { available: true });
    const replayedFirst = await replay.call({ ...request, origin: { runId: "ci", step: "greet" } }, never);
    const replayedSecond = await replay.call(request, never);
    const replayedThird = await replay.call(request, never);
    assert.equal(replayedFirst.text, first.text);
    assert.deepEqual(replayedFirst.usage, first.usage);
    assert.equal(replayedSecond.text, second.text);
    assert.equal(replayedThird.text, second.text, "the last answer repeats");
    assert.equal(replayedFirst.synthetic, true);
    // The recorded cost comes back as the answer's cost: a replayed run spends what the recorded one did.
    assert.equal(replayedFirst.reportedCostUsd, first.usage.inputTokens * 1e-6 + first.usage.outputTokens * 2e-6);
    assert.ok((replayedFirst.reportedCostUsd ?? 0) > 0);
    assert.equal(replay.pricing, "metered");
    assert.equal(replay.local, true);
  });

  it("refuses an unknown request with a clear, non-retryable unavailable error", async () => {
    const directory = emptyDirectory();
    writeFileSync(path.join(directory, "empty.jsonl"), "");
    const replay = createReplayProvider("replay", { type: "replay", file: "empty.jsonl" }, testContext({ policyDirectory: directory }));
    await assert.rejects(replay.call(chatRequest(), never), (error: unknown) => {
      assert.ok(ProviderError.isInstance(error));
      assert.equal(error.kind, "unavailable");
      assert.equal(error.retryable, false);
      assert.match(error.message, /no recorded answer for this request \(model test-model, step greet/);
      assert.match(error.message, /orch run --record/);
      return true;
    });
  });

  it("explains a missing or broken recording", async () => {
    const directory = emptyDirectory();
    const missing = createReplayProvider("replay", { type: "replay", file: "nope.jsonl" }, testContext({ policyDirectory: directory }));
    assert.match((await missing.available()).reason ?? "", /nope\.jsonl does not exist; make it with `orch run --record nope.jsonl`/);

    writeFileSync(path.join(directory, "broken.jsonl"), '{"version":1}\nnot json\n');
    const broken = createReplayProvider("replay", { type: "replay", file: "broken.jsonl" }, testContext({ policyDirectory: directory }));
    assert.match((await broken.available()).reason ?? "", /broken\.jsonl:1: not an orch recording entry/);
  });
});
