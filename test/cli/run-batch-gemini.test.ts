/**
 * `orch run` with `batch: true` on Gemini, through @google/genai's `batches` against the fake
 * server: three items go up as one batchGenerateContent and are billed at half the price; an
 * expired batch falls back to ordinary calls at the full price, held to the budget; a run killed
 * while its batch waits is collected by `--resume` and paid once; `orch batch status|collect` see
 * the Gemini batch. Fake tokens are words: "Review item 1." is 3 prompt tokens, "Looks fine." 2
 * answer tokens. At $0.30 in and $2.50 out per million (tokens × price × 1,000 = nano-dollars):
 * synchronously 3 × 300 + 2 × 2,500 = 5,900 nano a call; in a batch every price halves: 2,950.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { runCliInProcess, runCliProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { callRows, jsonEvents, openDatabase, openReservations, runPaths } from "../executor/support/run-project.js";

const model = "gemini-2.5-flash";
const policy = (budget = "") => `version: 1
providers:
  gemini: { type: gemini, base_url: "\${FAKE_URL}", api_key_env: GEMINI_TEST_KEY, max_retries: 0 }
models:
  flash: { model: "gemini:${model}", prices: { input: 0.3, output: 2.5 } }
tiers:
  economy: [flash]
  standard: [flash]
  premium: [flash]
${budget}`;

const pipeline = (batch = "batch: true", items = '["1", "2", "3"]') => `version: 1
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
  files: { type: list, default: ${items} }
`;

const syncNano = 5_900;
const batchNano = 2_950;
// The worst case reserved: 22 estimated prompt tokens (14 bytes + 8 framing) at $0.30 and the 100
// output tokens at $2.50: 6,600 + 250,000 = 256,600 nano synchronously, 128,300 in a batch.
const syncWorstUsd = 0.0002566;
const batchWorstUsd = 0.0001283;

const generatePath = `/v1beta/models/${model}:generateContent`;
const createPath = `/v1beta/models/${model}:batchGenerateContent`;

function settledNano(directory: string): number {
  const database = openDatabase(directory);
  try {
    return (database.prepare("SELECT COALESCE(SUM(settled_nano_usd), 0) AS nano FROM budget_reservations WHERE status = 'settled'").get() as { nano: number }).nano;
  } finally {
    database.close();
  }
}

describe("orch run with batch: true on Gemini", () => {
  let server: FakeLlmServer;
  before(async () => {
    server = await startFakeLlmServer();
  });
  after(async () => server.close());

  const env = () => ({ GEMINI_TEST_KEY: "gemini-test-batch-1", FAKE_URL: server.url, ORCH_BATCH_POLL_MS: "20" });
  const paths = (directory: string) => ["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--json"];

  it("submits the items as one batch and bills each call at half the price", async () => {
    server.reset();
    server.script(model, { defaultResponse: "Looks fine.", batch: { polls: 2 } });
    const directory = writeProject({ "pipeline.yaml": pipeline(), "policy.yaml": policy() });
    const result = await runCliInProcess(paths(directory), env());
    assert.equal(result.code, 0, result.stdout + result.stderr);

    const sent = server.requests.map((request) => `${request.method} ${request.path.replace(/batches\/[0-9a-f]+/, "batches/ID")}`);
    assert.deepEqual(sent, [`POST ${createPath}`, "GET /v1beta/batches/ID", "GET /v1beta/batches/ID", "GET /v1beta/batches/ID"]);
    const inlined = (server.requests[0]?.body as { batch: { inputConfig: { requests: { requests: Array<{ metadata: { key: string } }> } } } }).batch.inputConfig.requests.requests;
    assert.equal(inlined.length, 3);
    assert.ok(inlined.every((request) => /^orch-[0-9a-f]{24}-\d+$/.test(request.metadata.key)));

    assert.deepEqual(callRows(directory).map((call) => [call.item_index, call.status, Math.round(call.cost_usd * 1e9)]), [
      [0, "succeeded", batchNano],
      [1, "succeeded", batchNano],
      [2, "succeeded", batchNano],
    ]);
    assert.equal(settledNano(directory), 3 * batchNano);
    const events = jsonEvents(result.stdout);
    assert.deepEqual(events.flatMap((event) => (event.type === "attempt-start" ? [event.reservedUsd] : [])), [batchWorstUsd, batchWorstUsd, batchWorstUsd]);
    assert.ok(events.some((event) => event.type === "batch" && event.phase === "submitted" && event.provider === "gemini"));
    assert.equal(openReservations(directory), 0);
  });

  it("falls back to ordinary calls at the full price when the batch expires", async () => {
    server.reset();
    server.script(model, { defaultResponse: "Looks fine.", batch: { outcome: "expire" } });
    const directory = writeProject({ "pipeline.yaml": pipeline("batch: { deadline: 2h }"), "policy.yaml": policy() });
    const result = await runCliInProcess(paths(directory), env());
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(server.requests.filter((request) => request.path === generatePath).length, 3);
    assert.deepEqual(callRows(directory).map((call) => [call.item_index, call.attempt, Math.round(call.cost_usd * 1e9)]), [
      [0, 1, syncNano],
      [1, 1, syncNano],
      [2, 1, syncNano],
    ]);
    assert.equal(settledNano(directory), 3 * syncNano);
    const events = jsonEvents(result.stdout);
    const reserved = events.flatMap((event) => (event.type === "attempt-start" ? [event.reservedUsd] : []));
    assert.deepEqual(reserved.sort(), [batchWorstUsd, batchWorstUsd, batchWorstUsd, syncWorstUsd, syncWorstUsd, syncWorstUsd].sort());
    const fallbacks = events.flatMap((event) => (event.type === "batch" && event.phase === "fallback" ? [event.detail] : []));
    assert.equal(fallbacks.length, 3);
    assert.match(fallbacks[0]!, /the batch expired before answering; calling synchronously at the full price/);
    assert.equal(openReservations(directory), 0);
  });

  it("a fallback is held to the budget: with room for the half-price batch but not a full-price call, nothing is called", async () => {
    server.reset();
    server.script(model, { defaultResponse: "Looks fine.", batch: { outcome: "expire" } });
    // $0.0002: above one batch reservation ($0.0001283), below one synchronous worst case ($0.0002566).
    const directory = writeProject({ "pipeline.yaml": pipeline("batch: true", '["1"]'), "policy.yaml": policy("budget: { run_usd: 0.0002 }\n") });
    const result = await runCliInProcess(paths(directory), env());
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assert.equal(server.requests.filter((request) => request.path === createPath).length, 1);
    assert.equal(server.requests.filter((request) => request.path === generatePath).length, 0);
    assert.equal(openReservations(directory), 0);
  });

  it("a run killed while its batch waits is collected by --resume, and each call is paid once", async () => {
    server.reset();
    server.script(model, { defaultResponse: "Looks fine.", batch: { polls: 15 } });
    const directory = writeProject({ "pipeline.yaml": pipeline(), "policy.yaml": policy() });
    const args = ["run", "pipeline.yaml", ...runPaths(directory), "--json"];
    let killed = false;
    await runCliProcess(args, {
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
    assert.ok(killed);
    assert.equal(callRows(directory).length, 0, "nothing was collected before the kill");

    const resumed = await runCliProcess([...args, "--resume"], { cwd: directory, env: env() });
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.equal(server.requests.filter((request) => request.path === createPath).length, 1, "one batch was submitted");
    assert.equal(server.requests.filter((request) => request.path === generatePath).length, 0);
    assert.ok(jsonEvents(resumed.stdout).some((event) => event.type === "batch" && event.phase === "collecting"));
    assert.deepEqual(callRows(directory).map((call) => [call.item_index, call.status, Math.round(call.cost_usd * 1e9)]), [
      [0, "succeeded", batchNano],
      [1, "succeeded", batchNano],
      [2, "succeeded", batchNano],
    ]);
    assert.equal(settledNano(directory), 3 * batchNano);
  });

  it("orch batch status lists a killed run's Gemini batch; collect keeps its answers; --resume records them with no vendor request", async () => {
    server.reset();
    // Polls 1 and 2 answer "running" (the killed run's one, collect's first); the third sees it ended.
    server.script(model, { defaultResponse: "Looks fine.", batch: { polls: 2 } });
    const directory = writeProject({ "pipeline.yaml": pipeline(), "policy.yaml": policy() });
    const database = path.join(directory, "state/orch.db");
    let killed = false;
    await runCliProcess(["run", "pipeline.yaml", ...runPaths(directory), "--json"], {
      cwd: directory,
      env: { ...env(), ORCH_BATCH_POLL_MS: "60000" },
      onSpawn: (child) => {
        let seen = "";
        child.stdout?.on("data", (chunk: Buffer) => {
          seen += chunk.toString();
          if (!killed && seen.includes('"phase":"progress"')) {
            killed = true;
            child.kill("SIGKILL");
          }
        });
      },
    });
    assert.ok(killed);

    const status = await runCliInProcess(["batch", "status", "--db", database], env());
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /batches\/[0-9a-f]+  pending · submitted \d+s ago, deadline in (1d|23h\d+m) · 3 calls: 3 waiting/);

    const stillRunning = await runCliInProcess(["batch", "collect", "--db", database], env());
    assert.equal(stillRunning.code, 0, stillRunning.stdout + stillRunning.stderr);
    assert.match(stillRunning.stdout, /batches\/[0-9a-f]+ \(gemini, run .+\): still running, 0 of 3 answered/);
    const ended = await runCliInProcess(["batch", "collect", "--db", database], env());
    assert.equal(ended.code, 0, ended.stdout + ended.stderr);
    assert.match(ended.stdout, /: ended, 3 answered; kept for the run/);

    const vendorRequests = server.requests.length;
    const resumed = await runCliInProcess([...paths(directory), "--resume"], env());
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.equal(server.requests.length, vendorRequests, "the resumed run asked the vendor nothing");
    assert.equal(settledNano(directory), 3 * batchNano);
    const done = await runCliInProcess(["batch", "status", "--db", database], env());
    assert.match(done.stdout, /ended · submitted \d+s ago · 3 calls: 3 collected/);
  });

  it("calls for two models go up as a batch each: one refused falls back alone, the other's batch is collected and billed once", async () => {
    server.reset();
    server.script(model, { defaultResponse: "Looks fine.", batch: { polls: 1 } });
    // The API refuses a batch past the model's enqueued-token limit (429 RESOURCE_EXHAUSTED).
    server.script("gemini-2.5-pro", { defaultResponse: "Looks fine.", batch: { refused: true } });
    const twoModels = `version: 1
providers:
  gemini: { type: gemini, base_url: "\${FAKE_URL}", api_key_env: GEMINI_TEST_KEY, max_retries: 0 }
models:
  flash: { model: "gemini:${model}", prices: { input: 0.3, output: 2.5 } }
  pro: { model: "gemini:gemini-2.5-pro", prices: { input: 1.25, output: 10 } }
tiers: { economy: [flash], standard: [flash], premium: [pro] }
`;
    const steps = ["flash", "pro"].map((alias) => `  ${alias}_review:
    for_each: { items: "inputs.files", concurrency: 3 }
    model: ${alias}
    max_tokens: 100
    cache: false
    batch: true
    prompt: "Review item <%= it.item %>."
`);
    const directory = writeProject({
      "pipeline.yaml": `version: 1\nname: nightly\npolicy: policy.yaml\nsteps:\n${steps.join("")}inputs:\n  files: { type: list, default: ["1", "2", "3"] }\n`,
      "policy.yaml": twoModels,
    });
    const result = await runCliInProcess(paths(directory), env());
    assert.equal(result.code, 0, result.stdout + result.stderr);

    const proCreate = "/v1beta/models/gemini-2.5-pro:batchGenerateContent";
    assert.equal(server.requests.filter((request) => request.path === createPath).length, 1, "one flash batch");
    assert.equal(server.requests.filter((request) => request.path === proCreate).length, 1, "one pro batch asked for, refused");
    assert.equal(server.requests.filter((request) => request.path === generatePath).length, 0, "no flash call was made again synchronously");
    assert.equal(server.requests.filter((request) => request.path === "/v1beta/models/gemini-2.5-pro:generateContent").length, 3, "each pro call synchronously");
    // Flash in its batch at 2,950 nano a call; pro synchronously: 3 × 1.25 + 2 × 10 = 23.75 per million, 23,750 nano.
    assert.deepEqual(callRows(directory).map((call) => [call.step, call.item_index, Math.round(call.cost_usd * 1e9)]).sort(), [
      ["flash_review", 0, batchNano],
      ["flash_review", 1, batchNano],
      ["flash_review", 2, batchNano],
      ["pro_review", 0, 23_750],
      ["pro_review", 1, 23_750],
      ["pro_review", 2, 23_750],
    ]);
    assert.equal(settledNano(directory), 3 * batchNano + 3 * 23_750);
    const fallbacks = jsonEvents(result.stdout).flatMap((event) => (event.type === "batch" && event.phase === "fallback" ? [`${event.step}: ${event.detail}`] : []));
    assert.equal(fallbacks.length, 3);
    assert.ok(fallbacks.every((fallback) => /^pro_review: the batch could not be submitted: .*RESOURCE_EXHAUSTED|^pro_review: the batch could not be submitted: .*Enqueued batch token limit/.test(fallback)), fallbacks.join("\n"));
    const database = openDatabase(directory);
    try {
      assert.deepEqual(database.prepare("SELECT vendor_batch_id LIKE 'batches/%' AND vendor_batch_id NOT LIKE '% %' AS one, status FROM batch_jobs").all(), [{ one: 1, status: "ended" }]);
      assert.deepEqual(database.prepare("SELECT step, status, COUNT(*) AS calls FROM batch_calls GROUP BY step, status").all(), [{ step: "flash_review", status: "collected", calls: 3 }]);
    } finally {
      database.close();
    }
    assert.equal(openReservations(directory), 0);
  });
});
