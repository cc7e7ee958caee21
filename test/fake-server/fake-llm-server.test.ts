import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { countFakeTokens, runFakeServer, splitIntoTokenChunks, startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { emptyDirectory } from "../providers/helpers.js";

let server: FakeLlmServer;
before(async () => {
  server = await startFakeLlmServer();
});
after(async () => {
  await server.close();
});
beforeEach(() => server.reset());

async function post(pathname: string, body: unknown, headers: Record<string, string> = { authorization: "Bearer sk-test" }) {
  const response = await fetch(`${server.url}${pathname}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const chat = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: "user", content: "two words" }], ...extra });

describe("fake token arithmetic", () => {
  it("counts words and splits text into pieces that join back exactly", () => {
    assert.equal(countFakeTokens("  Hello,   wide world \n"), 3);
    assert.deepEqual(splitIntoTokenChunks(" Hello,  wide world"), [" Hello,  ", "wide ", "world"]);
    assert.equal(splitIntoTokenChunks("a b  c\n").join(""), "a b  c\n");
  });
});

describe("fake LLM server", () => {
  it("listens on 127.0.0.1 and records every request with its headers and parsed body", async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    await post("/v1/chat/completions", chat("m"), { authorization: "Bearer sk-recorded", "x-custom": "yes" });
    const [recorded] = server.requests;
    assert.equal(recorded?.method, "POST");
    assert.equal(recorded?.path, "/v1/chat/completions");
    assert.equal(recorded?.headers["authorization"], "Bearer sk-recorded");
    assert.equal(recorded?.headers["x-custom"], "yes");
    assert.deepEqual(recorded?.body, chat("m"));
  });

  it("answers scripted responses in order, then the default, per model", async () => {
    server.script("m", { responses: ["first", "second"], defaultResponse: "again" });
    const texts: string[] = [];
    for (let index = 0; index < 4; index += 1) {
      const body = JSON.parse((await post("/v1/chat/completions", chat("m"))).text) as { choices: Array<{ message: { content: string } }> };
      texts.push(body.choices[0]?.message.content ?? "");
    }
    assert.deepEqual(texts, ["first", "second", "again", "again"]);
  });

  it("applies `*` to models without their own script", async () => {
    server.script("*", { defaultResponse: "wildcard" });
    assert.match((await post("/v1/chat/completions", chat("anything"))).text, /wildcard/);
  });

  it("refuses calls without a key the way each API does", async () => {
    const openai = await post("/v1/chat/completions", chat("m"), {});
    assert.equal(openai.status, 401);
    assert.match(openai.text, /You didn't provide an API key/);
    const anthropic = await post("/v1/messages", { model: "m", max_tokens: 5, messages: [] }, {});
    assert.equal(anthropic.status, 401);
    assert.deepEqual(JSON.parse(anthropic.text).error.type, "authentication_error");
    const gemini = await post("/v1beta/models/g:generateContent", { contents: [] }, {});
    assert.equal(gemini.status, 403);
    assert.equal(JSON.parse(gemini.text).error.status, "PERMISSION_DENIED");
  });

  it("sends 429s with Retry-After, retry-after-ms and each provider's error body", async () => {
    server.script("m", { faults: [{ type: "rate_limit", retryAfterSeconds: 7, retryAfterMs: 6500, times: 3 }] });
    const openai = await post("/v1/chat/completions", chat("m"));
    assert.equal(openai.status, 429);
    assert.equal(openai.headers.get("retry-after"), "7");
    assert.equal(openai.headers.get("retry-after-ms"), "6500");
    assert.equal(JSON.parse(openai.text).error.code, "rate_limit_exceeded");

    const anthropic = await post("/v1/messages", { model: "m", max_tokens: 5, messages: [] }, { "x-api-key": "k", "anthropic-version": "2023-06-01" });
    assert.equal(JSON.parse(anthropic.text).error.type, "rate_limit_error");

    const gemini = await post("/v1beta/models/m:generateContent", { contents: [] }, { "x-goog-api-key": "k" });
    const details = JSON.parse(gemini.text).error.details as Array<Record<string, unknown>>;
    assert.ok(details.some((detail) => detail["retryDelay"] === "7s"));

    assert.equal((await post("/v1/chat/completions", chat("m"))).status, 200, "the fault applied three times only");
  });

  it("resets the connection, hangs, and sends malformed bodies on request", async () => {
    server.script("m", { faults: [{ type: "reset" }, { type: "malformed_json" }] });
    await assert.rejects(post("/v1/chat/completions", chat("m")));
    const malformed = await post("/v1/chat/completions", chat("m"));
    assert.equal(malformed.status, 200);
    assert.throws(() => JSON.parse(malformed.text));

    server.script("m", { faults: [{ type: "hang" }] });
    const controller = new AbortController();
    const hanging = fetch(`${server.url}/v1/chat/completions`, { method: "POST", headers: { authorization: "Bearer k" }, body: JSON.stringify(chat("m")), signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(hanging, { name: "AbortError" });
  });

  it("streams OpenAI SSE with a final usage chunk only when asked, then [DONE]", async () => {
    server.script("m", { responses: ["a b c"] });
    const withUsage = (await post("/v1/chat/completions", chat("m", { stream: true, stream_options: { include_usage: true } }))).text;
    const events = withUsage.trim().split("\n\n").map((event) => event.replace(/^data: /, ""));
    assert.equal(events.at(-1), "[DONE]");
    const usageChunk = JSON.parse(events.at(-2) ?? "{}");
    assert.deepEqual(usageChunk.choices, []);
    assert.equal(usageChunk.usage.completion_tokens, 3);

    const withoutUsage = (await post("/v1/chat/completions", chat("m", { stream: true }))).text;
    assert.doesNotMatch(withoutUsage, /"usage"/);
  });

  it("pulls Ollama models with streamed progress and lists them", async () => {
    const pulled = await post("/api/pull", { model: "qwen3", stream: true }, {});
    const lines = pulled.text.trim().split("\n").map((line) => JSON.parse(line) as { status: string });
    assert.equal(lines[0]?.status, "pulling manifest");
    assert.equal(lines.at(-1)?.status, "success");
    const tags = (await (await fetch(`${server.url}/api/tags`)).json()) as { models: Array<{ name: string }> };
    assert.deepEqual(tags.models.map((model) => model.name), ["qwen3:latest"]);
    const missing = await post("/api/chat", { model: "absent", messages: [] }, {});
    assert.equal(missing.status, 404);
    assert.match(missing.text, /not found, try pulling it first/);
  });

  it("holds a matching request until released, answering others meanwhile", async () => {
    server.script("held", { defaultResponse: "answered after release" });
    const hold = server.hold((request) => (request.body as { model?: string } | undefined)?.model === "held");
    let heldAnswered = false;
    const held = post("/v1/chat/completions", chat("held")).then((answer) => {
      heldAnswered = true;
      return answer;
    });
    const reached = await hold.reached;
    assert.equal((reached.body as { model: string }).model, "held");
    // Another model's request is answered while the held one waits.
    assert.equal((await post("/v1/chat/completions", chat("free"))).status, 200);
    assert.equal(server.inFlight, 1);
    assert.equal(heldAnswered, false);
    hold.release();
    const answer = await held;
    assert.equal(answer.status, 200);
    assert.match(answer.text, /answered after release/);
    // Each hold matches once: the next request for the same model is not held.
    assert.equal((await post("/v1/chat/completions", chat("held"))).status, 200);
  });

  it("lets a hold released before its request arrive pass straight through, and drops a held request whose client left", async () => {
    const early = server.hold(() => true);
    early.release();
    assert.equal((await post("/v1/chat/completions", chat("m"))).status, 200);

    const left = server.hold(() => true);
    const controller = new AbortController();
    const abandoned = fetch(`${server.url}/v1/chat/completions`, { method: "POST", headers: { authorization: "Bearer k" }, body: JSON.stringify(chat("m")), signal: controller.signal });
    await left.reached;
    controller.abort();
    await assert.rejects(abandoned, /abort/i);
    left.release();
    assert.equal((await post("/v1/chat/completions", chat("m"))).status, 200);
  });

  it("starts from a JSON script file for offline CI", async () => {
    const directory = emptyDirectory();
    const scriptPath = path.join(directory, "fake.json");
    writeFileSync(scriptPath, JSON.stringify({ models: { "gpt-4o-mini": { responses: ["scripted from file"] } }, ollamaModels: ["llama3.2"] }));
    const lines: string[] = [];
    const fromFile = await runFakeServer({ scriptPath, write: (line) => lines.push(line) });
    try {
      assert.match(lines[0] ?? "", /^fake LLM server listening on http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${fromFile.url}/v1/chat/completions`, { method: "POST", headers: { authorization: "Bearer k" }, body: JSON.stringify(chat("gpt-4o-mini")) });
      assert.match(await response.text(), /scripted from file/);
    } finally {
      await fromFile.close();
    }
    writeFileSync(scriptPath, "[1, 2]");
    await assert.rejects(runFakeServer({ scriptPath, write: () => {} }), /must be a JSON object/);
  });
});
