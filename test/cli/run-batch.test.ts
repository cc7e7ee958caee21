/**
 * `orch run` with `batch: true`, through the real openai SDK's files and batches against the fake
 * server: three items go up as one batch, are collected after the scripted polls and are billed at
 * half the price; an expired batch falls back to ordinary calls at the full price, under the same
 * budget rules; a run killed while its batch waits is collected by `--resume` and paid once.
 * Fake tokens are words: "Review item 1." is 3 prompt tokens, "Looks fine." 2 answer tokens.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { runCliInProcess, runCliProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { callRows, jsonEvents, openDatabase, openReservations, runPaths } from "../executor/support/run-project.js";

const model = "gpt-4.1-mini";
const policy = (budget = "") => `version: 1
providers:
  openai: { type: openai, base_url: "\${FAKE_URL}/v1", api_key_env: OPENAI_TEST_KEY, max_retries: 0 }
models:
  mini: { model: "openai:${model}", prices: { input: 2.5, output: 10 } }
tiers:
  economy: [mini]
  standard: [mini]
  premium: [mini]
${budget}`;

const pipeline = (batch = "batch: true") => `version: 1
name: nightly
policy: policy.yaml
steps:
  review:
    for_each: { items: "inputs.files", concurrency: 3 }
    max_tokens: 100
    cache: false
    ${batch}
    prompt: "Review item <%= it.item %>."
inputs:
  files: { type: list, default: ["1", "2", "3"] }
`;

// Synchronous: (3 × 2.5 + 2 × 10) / 1e6 = 0.0000275 USD a call; in a batch half: 0.00001375.
const syncCostUsd = 0.0000275;
const batchCostUsd = 0.00001375;
// The worst case: 14 prompt bytes + 8 framing tokens = 22 tokens at 2.5, 100 output tokens at 10,
// per million: 0.001055 synchronously; a batch reserves half, 0.0005275.
const syncWorstUsd = 0.001055;
const batchWorstUsd = 0.0005275;

describe("orch run with batch: true", () => {
  let server: FakeLlmServer;
  before(async () => {
    server = await startFakeLlmServer();
  });
  after(async () => server.close());

  const env = () => ({ OPENAI_TEST_KEY: "sk-test-batch-1", FAKE_URL: server.url, ORCH_BATCH_POLL_MS: "20" });
  const paths = (directory: string) => ["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--json"];

  it("submits the items as one batch, waits with progress, and bills each call at half the price", async () => {
    server.reset();
    server.script(model, { defaultResponse: "Looks fine.", batch: { polls: 2 } });
    const directory = writeProject({ "pipeline.yaml": pipeline(), "policy.yaml": policy() });
    const result = await runCliInProcess(paths(directory), env());
    assert.equal(result.code, 0, result.stdout + result.stderr);

    const sent = server.requests.map((request) => `${request.method} ${request.path.replace(/(batch|file)[-_][0-9a-f]+/g, "$1-ID")}`);
    assert.deepEqual(sent, ["POST /v1/files", "POST /v1/batches", "GET /v1/batches/batch-ID", "GET /v1/batches/batch-ID", "GET /v1/batches/batch-ID", "GET /v1/files/file-ID/content"]);
    const upload = String(server.requests[0]?.body);
    assert.match(upload, /"url":"\/v1\/chat\/completions"/);
    assert.equal((upload.match(/"custom_id"/g) ?? []).length, 3);

    assert.deepEqual(callRows(directory).map((call) => [call.item_index, call.status, call.cost_usd]), [
      [0, "succeeded", batchCostUsd],
      [1, "succeeded", batchCostUsd],
      [2, "succeeded", batchCostUsd],
    ]);
    const events = jsonEvents(result.stdout);
    assert.deepEqual(events.flatMap((event) => (event.type === "attempt-start" ? [event.reservedUsd] : [])), [batchWorstUsd, batchWorstUsd, batchWorstUsd]);
    const batchEvents = events.flatMap((event) => (event.type === "batch" ? [event] : []));
    assert.deepEqual(batchEvents.filter((event) => event.phase === "submitted").map((event) => event.detail), Array(3).fill("3 call(s) in one batch at 50% of the price; answers wait up to 24h"));
    assert.ok(batchEvents.some((event) => event.phase === "progress"));
    const database = openDatabase(directory);
    try {
      assert.deepEqual(database.prepare("SELECT status FROM batch_jobs").all(), [{ status: "ended" }]);
      assert.deepEqual(database.prepare("SELECT status, COUNT(*) AS calls FROM batch_calls GROUP BY status").all(), [{ status: "collected", calls: 3 }]);
    } finally {
      database.close();
    }
    assert.equal(openReservations(directory), 0);
  });

  it("items that can wait go up together, whatever the step's concurrency; a fallback is held to it again", async () => {
    server.reset();
    // The batch expires: every item then calls synchronously, each answer taking 50 ms.
    server.script(model, { defaultResponse: "Looks fine.", latencyMs: 50, batch: { outcome: "expire" } });
    const sixItems = pipeline().replace("concurrency: 3", "concurrency: 2").replace('["1", "2", "3"]', '["1", "2", "3", "4", "5", "6"]');
    const directory = writeProject({ "pipeline.yaml": sixItems, "policy.yaml": policy() });
    const result = await runCliInProcess(paths(directory), env());
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const creates = server.requests.filter((request) => request.method === "POST" && request.path === "/v1/batches");
    assert.equal(creates.length, 1, "one batch for the six items");
    assert.equal((String(server.requests[0]?.body).match(/"custom_id"/g) ?? []).length, 6);
    assert.equal(server.requests.filter((request) => request.path === "/v1/chat/completions").length, 6);
    assert.equal(server.peakInFlight, 2, "the synchronous fallbacks ran two at a time, as the step's concurrency says");
  });

  it("--record keeps a batch's answers at their batch cost, and a replay answers the step with no call", async () => {
    server.reset();
    server.script(model, { defaultResponse: "Looks fine.", batch: { polls: 1 } });
    const replayPolicy = `version: 1
providers:
  openai: { type: replay, file: recording.jsonl }
models:
  mini: { model: "openai:${model}", prices: { input: 2.5, output: 10 } }
tiers: { economy: [mini], standard: [mini], premium: [mini] }
`;
    const directory = writeProject({ "pipeline.yaml": pipeline(), "policy.yaml": policy(), "replay.yaml": replayPolicy });
    const recording = path.join(directory, "recording.jsonl");
    const recorded = await runCliInProcess([...paths(directory), "--record", recording], env());
    assert.equal(recorded.code, 0, recorded.stdout + recorded.stderr);
    const lines = readFileSync(recording, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { model: string; response: { text: string; costUsd: number } });
    assert.deepEqual(lines.map((line) => [line.model, line.response.text, line.response.costUsd]), Array(3).fill([model, "Looks fine.", batchCostUsd]));

    const vendorRequests = server.requests.length;
    const replayed = await runCliInProcess([...paths(directory), "--policy", path.join(directory, "replay.yaml"), "--no-cache"], {});
    assert.equal(replayed.code, 0, replayed.stdout + replayed.stderr);
    assert.equal(server.requests.length, vendorRequests, "a replay calls no vendor");
    const replayRun = (jsonEvents(replayed.stdout).find((event) => event.type === "run-start") as { runId: string }).runId;
    assert.deepEqual(callRows(directory, "run_id = ?", replayRun).map((call) => [call.item_index, call.status, call.cost_usd]), [
      [0, "succeeded", batchCostUsd],
      [1, "succeeded", batchCostUsd],
      [2, "succeeded", batchCostUsd],
    ]);
  });

  it("orch plan prices a batch step at half and its route says why", async () => {
    server.reset();
    const directory = writeProject({ "pipeline.yaml": pipeline(), "policy.yaml": policy() });
    const result = await runCliInProcess(["plan", path.join(directory, "pipeline.yaml"), "--db", path.join(directory, "state/orch.db"), "--json"], env());
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const notes = JSON.stringify(JSON.parse(result.stdout));
    // Each item's worst case at batch prices: the 0.0005275 a run reserves, rounded for display.
    assert.match(notes, /"reason":"kept: \$0\.000011–\$0\.0005 in a batch \(50% of the price: the step can wait\)"/);
    assert.equal(server.requests.filter((request) => request.path.startsWith("/v1/batches")).length, 0, "planning submits nothing");
  });

  it("falls back to ordinary calls at the full price when the batch expires", async () => {
    server.reset();
    server.script(model, { defaultResponse: "Looks fine.", batch: { outcome: "expire" } });
    const directory = writeProject({ "pipeline.yaml": pipeline("batch: { deadline: 2h }"), "policy.yaml": policy() });
    const result = await runCliInProcess(paths(directory), env());
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(server.requests.filter((request) => request.path === "/v1/chat/completions").length, 3);
    assert.deepEqual(callRows(directory).map((call) => [call.item_index, call.attempt, call.cost_usd]), [
      [0, 1, syncCostUsd],
      [1, 1, syncCostUsd],
      [2, 1, syncCostUsd],
    ]);
    const events = jsonEvents(result.stdout);
    // Each item: the batch's half reservation (released), then the full one of the ordinary call.
    const reserved = events.flatMap((event) => (event.type === "attempt-start" ? [event.reservedUsd] : []));
    assert.deepEqual(reserved.sort(), [batchWorstUsd, batchWorstUsd, batchWorstUsd, syncWorstUsd, syncWorstUsd, syncWorstUsd].sort());
    const fallbacks = events.flatMap((event) => (event.type === "batch" && event.phase === "fallback" ? [event.detail] : []));
    assert.equal(fallbacks.length, 3);
    assert.match(fallbacks[0]!, /the batch expired before answering; calling synchronously at the full price/);
    assert.equal(openReservations(directory), 0);
  });

  it("falls back to an ordinary call when the batch is still running at the step's deadline", async () => {
    server.reset();
    server.script(model, { defaultResponse: "Looks fine.", batch: { polls: 1000 } });
    const directory = writeProject({ "pipeline.yaml": pipeline("batch: { deadline: 1s }").replace('["1", "2", "3"]', '["1"]'), "policy.yaml": policy() });
    const result = await runCliInProcess(paths(directory), { ...env(), ORCH_BATCH_POLL_MS: "100" });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const fallback = jsonEvents(result.stdout).find((event) => event.type === "batch" && event.phase === "fallback");
    assert.match(fallback?.type === "batch" ? fallback.detail : "", /the step's batch deadline passed before the batch ended; calling synchronously/);
    assert.deepEqual(callRows(directory).map((call) => call.cost_usd), [syncCostUsd]);
    const database = openDatabase(directory);
    try {
      assert.deepEqual(database.prepare("SELECT status FROM batch_jobs").all(), [{ status: "abandoned" }]);
      assert.deepEqual(database.prepare("SELECT status FROM batch_calls").all(), [{ status: "fallen-back" }]);
    } finally {
      database.close();
    }
  });

  it("an Anthropic batch through @anthropic-ai/sdk's messages.batches bills half", async () => {
    server.reset();
    server.script("claude-sonnet-4-20250514", { defaultResponse: "Looks fine.", batch: { polls: 1 } });
    const anthropicPolicy = `version: 1
providers:
  anthropic: { type: anthropic, base_url: "\${FAKE_URL}", api_key_env: ANTHROPIC_TEST_KEY, max_retries: 0 }
models:
  sonnet: { model: "anthropic:claude-sonnet-4-20250514", prices: { input: 3, output: 15 } }
tiers:
  economy: [sonnet]
  standard: [sonnet]
  premium: [sonnet]
`;
    const directory = writeProject({ "pipeline.yaml": pipeline(), "policy.yaml": anthropicPolicy });
    const result = await runCliInProcess(paths(directory), { ...env(), ANTHROPIC_TEST_KEY: "sk-ant-test-batch" });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const sent = server.requests.map((request) => `${request.method} ${request.path.replace(/msgbatch_[0-9a-f]+/, "ID")}`);
    assert.deepEqual(sent, ["POST /v1/messages/batches", "GET /v1/messages/batches/ID", "GET /v1/messages/batches/ID", "GET /v1/messages/batches/ID", "GET /v1/messages/batches/ID/results"]);
    // (3 × 3 + 2 × 15) / 1e6 = 0.000039 USD synchronously; half in a batch.
    assert.deepEqual(callRows(directory).map((call) => call.cost_usd), [0.0000195, 0.0000195, 0.0000195]);
  });

  it("a fallback is held to the budget: with room for the half-price batch but not a full-price call, nothing is called", async () => {
    server.reset();
    server.script(model, { defaultResponse: "Looks fine.", batch: { outcome: "expire" } });
    // 0.0008 USD: above one batch reservation (0.0005275), below one synchronous worst case (0.001055).
    const directory = writeProject({ "pipeline.yaml": pipeline().replace("concurrency: 3", "concurrency: 1").replace('["1", "2", "3"]', '["1"]'), "policy.yaml": policy("budget: { run_usd: 0.0008 }\n") });
    const result = await runCliInProcess(paths(directory), env());
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assert.equal(server.requests.filter((request) => request.path === "/v1/chat/completions").length, 0);
    assert.equal(server.requests.filter((request) => request.path === "/v1/batches").length, 1);
    assert.equal(openReservations(directory), 0);
  });

  it("a run killed while its batch waits is collected by --resume, and each call is paid once", async () => {
    server.reset();
    server.script(model, { defaultResponse: "Looks fine.", batch: { polls: 15 } });
    const directory = writeProject({ "pipeline.yaml": pipeline(), "policy.yaml": policy() });
    const args = ["run", "pipeline.yaml", ...runPaths(directory), "--json"];
    let killed = false;
    const first = await runCliProcess(args, {
      cwd: directory,
      env: { ...env(), ORCH_BATCH_POLL_MS: "50" },
      onSpawn: (child) => {
        let seen = "";
        child.stdout?.on("data", (chunk: Buffer) => {
          seen += chunk.toString();
          // Once the batch is recorded and polled (the first progress event), the process dies.
          if (!killed && seen.includes('"phase":"progress"')) {
            killed = true;
            child.kill("SIGKILL");
          }
        });
      },
    });
    assert.ok(killed, first.stdout + first.stderr);
    assert.equal(callRows(directory).length, 0, "nothing was collected before the kill");

    const resumed = await runCliProcess([...args, "--resume"], { cwd: directory, env: env() });
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.equal(server.requests.filter((request) => request.method === "POST" && request.path === "/v1/batches").length, 1, "one batch was submitted");
    assert.equal(server.requests.filter((request) => request.path === "/v1/chat/completions").length, 0);
    assert.ok(jsonEvents(resumed.stdout).some((event) => event.type === "batch" && event.phase === "collecting"));
    assert.deepEqual(callRows(directory).map((call) => [call.item_index, call.status, call.cost_usd]), [
      [0, "succeeded", batchCostUsd],
      [1, "succeeded", batchCostUsd],
      [2, "succeeded", batchCostUsd],
    ]);
    const database = openDatabase(directory);
    try {
      const settled = database.prepare("SELECT COALESCE(SUM(settled_nano_usd), 0) AS nano FROM budget_reservations WHERE status = 'settled'").get() as { nano: number };
      assert.equal(settled.nano, 3 * 13_750);
    } finally {
      database.close();
    }
  });
});
