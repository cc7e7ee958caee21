/**
 * Gemini batch mode through @google/genai's `batches` against the fake server: what goes out on the
 * wire, a per-call error, a failed batch, answers without their keys, one model per batch, and a
 * batch's calls meeting the implicit prompt cache. Fake tokens are words: "You are terse." (3) +
 * "Say hello to the tests." (5) = 8 prompt tokens; "Hi there." is 2 answer tokens.
 */
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { after, before, beforeEach, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { createGeminiProvider } from "../../src/providers/gemini/gemini-provider.js";
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

const model = "gemini-2.5-flash";
/** A new provider each time, as a new process would have (nothing remembered of earlier batches). */
function geminiBatch(): BatchCapability {
  const provider = createGeminiProvider("gem", { type: "gemini", base_url: server.url }, testContext({ env: { GEMINI_API_KEY: "gemini-test-batch-key" } }));
  assert.ok(provider.batch, "the gemini provider offers its batch mode");
  return provider.batch;
}

function ended(state: BatchState) {
  assert.equal(state.state, "ended", JSON.stringify(state));
  return state.state === "ended" ? state.answers : new Map();
}

describe("gemini batch mode", () => {
  it("sends one batchGenerateContent with each call inlined under its key, and polls the batch by name", async () => {
    server.script(model, { defaultResponse: "Hi there.", batch: { polls: 1 } });
    const batch = geminiBatch();
    const id = await batch.submit([{ customId: "a", request: chatRequest({ model, temperature: 0.2, json: true }) }], never);
    assert.match(id, /^batches\/[0-9a-f]+$/);
    assert.equal((await batch.poll(id, never)).state, "pending");
    ended(await batch.poll(id, never));

    const [create, ...polls] = server.requests;
    assert.equal(create?.method, "POST");
    assert.equal(create?.path, `/v1beta/models/${model}:batchGenerateContent`);
    assert.equal(create?.headers["x-goog-api-key"], "gemini-test-batch-key");
    assert.deepEqual(create?.body, {
      batch: {
        displayName: "orch: 1 call(s)",
        inputConfig: {
          requests: {
            requests: [
              {
                request: {
                  contents: [{ role: "user", parts: [{ text: "Say hello to the tests." }] }],
                  systemInstruction: { role: "user", parts: [{ text: "You are terse." }] },
                  generationConfig: { maxOutputTokens: 64, temperature: 0.2, responseMimeType: "application/json" },
                },
                metadata: { key: "a" },
              },
            ],
          },
        },
      },
    });
    assert.deepEqual(polls.map((request) => `${request.method} ${request.path}`), [`GET /v1beta/${id}`, `GET /v1beta/${id}`]);
  });

  it("a call the model refused comes back as that call's failure; the others are answered", async () => {
    server.script(model, { responses: ["Hi there."], faults: [{ type: "server_error", status: 503 }], batch: {} });
    const batch = geminiBatch();
    const id = await batch.submit([{ customId: "refused", request: chatRequest({ model }) }, { customId: "answered", request: chatRequest({ model }) }], never);
    const answers = ended(await batch.poll(id, never));
    assert.deepEqual(answers.get("refused"), { ok: false, expired: false, reason: "The model is overloaded. Please try again later." });
    assert.deepEqual(answers.get("answered"), { ok: true, response: { text: "Hi there.", usage: { inputTokens: 8, outputTokens: 2 }, model, latencyMs: 0, finishReason: "STOP" } });
  });

  it("a failed batch says which state it ended in", async () => {
    server.script(model, { batch: { outcome: "fail" } });
    const batch = geminiBatch();
    const id = await batch.submit([{ customId: "a", request: chatRequest({ model }) }], never);
    assert.deepEqual(await batch.poll(id, never), { state: "failed", reason: "the batch ended in JOB_STATE_FAILED" });
  });

  it("answers are matched by their keys, whatever order they come back in", async () => {
    server.script(model, { responses: ["First.", "Second."], batch: { reversed: true } });
    const batch = geminiBatch();
    const id = await batch.submit([{ customId: "a", request: chatRequest({ model }) }, { customId: "b", request: chatRequest({ model }) }], never);
    const answers = ended(await batch.poll(id, never));
    assert.deepEqual([...answers].map(([key, answer]) => [key, answer.ok ? answer.response.text : answer.reason]).sort(), [["a", "First."], ["b", "Second."]]);
  });

  it("answers without their keys are matched by order in the process that sent them, and by nothing in another", async () => {
    server.script(model, { responses: ["First.", "Second."], batch: { omitKeys: true } });
    const batch = geminiBatch();
    const id = await batch.submit([{ customId: "a", request: chatRequest({ model }) }, { customId: "b", request: chatRequest({ model }) }], never);
    const answers = ended(await batch.poll(id, never));
    assert.deepEqual([...answers].map(([key, answer]) => [key, answer.ok ? answer.response.text : answer.reason]), [["a", "First."], ["b", "Second."]]);
    // Another process cannot know which answer is whose: no guess, the calls fall back.
    const elsewhere = await geminiBatch().poll(id, never);
    assert.deepEqual(elsewhere, { state: "expired", reason: "the batch expired before answering" });
  });

  it("a batch holds one model's calls: batchGroupOf keeps models apart, and a submission of two is refused before anything is created", async () => {
    const batch = geminiBatch();
    assert.deepEqual([chatRequest({ model }), chatRequest({ model: "gemini-2.5-pro" })].map((request) => batch.batchGroupOf?.(request)), [model, "gemini-2.5-pro"]);
    await assert.rejects(
      batch.submit([{ customId: "a", request: chatRequest({ model }) }, { customId: "b", request: chatRequest({ model: "gemini-2.5-pro" }) }], never),
      /a Gemini batch names one model; these calls name gemini-2\.5-flash, gemini-2\.5-pro/,
    );
    assert.deepEqual(server.requests, [], "no batch was created");
  });

  it("a batch id of several names (one batch per model, as recorded before) is polled and collected as one", async () => {
    server.script(model, { defaultResponse: "Flash.", batch: { polls: 1 } });
    server.script("gemini-2.5-pro", { defaultResponse: "Pro." });
    const batch = geminiBatch();
    const flash = await batch.submit([{ customId: "a", request: chatRequest({ model }) }, { customId: "c", request: chatRequest({ model }) }], never);
    const pro = await batch.submit([{ customId: "b", request: chatRequest({ model: "gemini-2.5-pro" }) }], never);
    const id = `${flash} ${pro}`;
    assert.deepEqual(server.requests.map((request) => request.path), [`/v1beta/models/${model}:batchGenerateContent`, "/v1beta/models/gemini-2.5-pro:batchGenerateContent"]);
    assert.deepEqual(await batch.poll(id, never), { state: "pending", done: 1, total: 3 }, "the pro batch has ended, the flash one not yet");
    const answers = ended(await batch.poll(id, never));
    assert.deepEqual([...answers].map(([key, answer]) => [key, answer.ok ? `${answer.response.model}: ${answer.response.text}` : answer.reason]).sort(), [
      ["a", `${model}: Flash.`],
      ["b", "gemini-2.5-pro: Pro."],
      ["c", `${model}: Flash.`],
    ]);
  });

  it("a batch's calls read the implicit prompt cache: cachedContentTokenCount comes back in their usage", async () => {
    server.script(model, { defaultResponse: "Hi there." });
    const context = Array.from({ length: 1_100 }, (_, index) => `word${index}`).join(" ");
    const request = (item: string) => chatRequest({ model, messages: [{ role: "system", content: context }, { role: "user", content: `Review ${item}.` }] });
    const batch = geminiBatch();
    const id = await batch.submit([{ customId: "a", request: request("one") }, { customId: "b", request: request("two") }], never);
    const answers = ended(await batch.poll(id, never));
    // 1,100 context words + "Review" shared; the item and its full stop differ: 1,101 of 1,102 tokens read.
    assert.deepEqual([answers.get("a"), answers.get("b")].map((answer) => (answer?.ok ? answer.response.usage : answer)), [
      { inputTokens: 1_102, outputTokens: 2 },
      { inputTokens: 1_102, outputTokens: 2, cachedInputTokens: 1_101 },
    ]);
  });

  it("polling with one signal for hours leaves no listener behind on it (the run's signal is every poll's)", async () => {
    server.script(model, { batch: { polls: 12 } });
    const batch = geminiBatch();
    const run = new AbortController();
    const id = await batch.submit([{ customId: "a", request: chatRequest({ model }) }], run.signal);
    for (let poll = 0; poll < 12; poll += 1) assert.equal((await batch.poll(id, run.signal)).state, "pending");
    assert.equal(getEventListeners(run.signal, "abort").length, 0);
  });

  it("the fake refuses what the API refuses: no key, no requests, an unknown batch, a model past its enqueued-token limit", async () => {
    const post = (body: unknown, headers: Record<string, string> = { "x-goog-api-key": "k" }) =>
      fetch(`${server.url}/v1beta/models/${model}:batchGenerateContent`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
    const noKey = await post({ batch: {} }, {});
    assert.equal(noKey.status, 403);
    const empty = await post({ batch: { displayName: "x", inputConfig: { requests: { requests: [] } } } });
    assert.equal(empty.status, 400);
    assert.equal(((await empty.json()) as { error: { status: string } }).error.status, "INVALID_ARGUMENT");
    const unknown = await fetch(`${server.url}/v1beta/batches/nosuchbatch`, { headers: { "x-goog-api-key": "k" } });
    assert.equal(unknown.status, 404);
    server.script(model, { batch: { refused: true } });
    const refused = await post({ batch: { displayName: "x", inputConfig: { requests: { requests: [{ request: { contents: [{ role: "user", parts: [{ text: "Hi." }] }] } }] } } } });
    assert.equal(refused.status, 429);
    assert.equal(((await refused.json()) as { error: { status: string } }).error.status, "RESOURCE_EXHAUSTED");
  });
});
