/**
 * `orch batch status` and `orch batch collect` against the fake server, through the real openai
 * SDK: a run killed while its batch waits leaves a pending batch; `status` lists it; `collect`
 * asks the vendor (still running, then ended) and keeps the answers; `--resume` then records
 * them without one more request to the vendor, and each call is paid once.
 * Fake tokens are words: "Review item 1." is 3 prompt tokens, "Looks fine." 2 answer tokens; at
 * $2.50 / $10 per million, half in a batch: (3 × 1.25 + 2 × 5) × 1,000 = 13,750 nano-dollars a call.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { runCliInProcess, runCliProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { callRows, jsonEvents, openDatabase, runPaths } from "../executor/support/run-project.js";

const model = "gpt-4.1-mini";
const policy = `version: 1
providers:
  openai: { type: openai, base_url: "\${FAKE_URL}/v1", api_key_env: OPENAI_TEST_KEY, max_retries: 0 }
models:
  mini: { model: "openai:${model}", prices: { input: 2.5, output: 10 } }
tiers:
  economy: [mini]
  standard: [mini]
  premium: [mini]
`;
const pipeline = `version: 1
name: nightly
policy: policy.yaml
steps:
  review:
    for_each: { items: "inputs.files", concurrency: 3 }
    max_tokens: 100
    cache: false
    batch: true
    prompt: "Review item <%= it.item %>."
inputs:
  files: { type: list, default: ["1", "2", "3"] }
`;

describe("orch batch status and collect", () => {
  let server: FakeLlmServer;
  before(async () => {
    server = await startFakeLlmServer();
  });
  after(async () => server.close());
  const env = () => ({ OPENAI_TEST_KEY: "sk-test-batch-command-1", FAKE_URL: server.url, ORCH_BATCH_POLL_MS: "20" });

  it("says so when there is no batch, and refuses an unknown action", async () => {
    const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": policy });
    const database = path.join(directory, "state/orch.db");
    const status = await runCliInProcess(["batch", "status", "--db", database], env());
    assert.equal(status.code, 0, status.stderr);
    assert.equal(status.stdout.trim(), `no batches in ${database}`);
    const wrong = await runCliInProcess(["batch", "fetch", "--db", database], env());
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /unknown action "fetch": status or collect/);
  });

  it("a killed run's batch: status lists it, collect keeps its answers, --resume records them with no vendor request, paid once", async () => {
    server.reset();
    // Polls 1 and 2 answer "in progress" (the killed run's one, collect's first); the third sees it ended.
    server.script(model, { defaultResponse: "Looks fine.", batch: { polls: 2 } });
    const directory = writeProject({ "pipeline.yaml": pipeline, "policy.yaml": policy });
    const database = path.join(directory, "state/orch.db");
    let killed = false;
    await runCliProcess(["run", "pipeline.yaml", ...runPaths(directory), "--json"], {
      cwd: directory,
      // One poll, then a minute's wait: the kill lands before a second.
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
    const runId = (openDatabase(directory).prepare("SELECT id FROM runs").get() as { id: string }).id;

    const pending = await runCliInProcess(["batch", "status", "--db", database, "--json"], env());
    assert.equal(pending.code, 0, pending.stderr);
    const [job] = JSON.parse(pending.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual({ ...job, batchJobId: undefined, vendorBatchId: undefined, submittedAt: undefined, deadlineAt: undefined, ageSeconds: undefined, pipelinePath: undefined, policyPath: undefined }, {
      batchJobId: undefined, vendorBatchId: undefined, submittedAt: undefined, deadlineAt: undefined, ageSeconds: undefined, pipelinePath: undefined, policyPath: undefined,
      runId, provider: "openai", status: "pending", calls: 3, waiting: 3, answered: 0, collected: 0, fallenBack: 0,
    });
    const text = await runCliInProcess(["batch", "status", "--db", database], env());
    assert.match(text.stdout, new RegExp(`batch_[0-9a-f]+  pending · submitted \\d+s ago, deadline in (1d|23h\\d+m) · 3 calls: 3 waiting · run ${runId}`));

    const stillRunning = await runCliInProcess(["batch", "collect", "--db", database], env());
    assert.equal(stillRunning.code, 0, stillRunning.stdout + stillRunning.stderr);
    assert.match(stillRunning.stdout, /batch_[0-9a-f]+ \(openai, run .+\): still running, 0 of 3 answered/);

    const ended = await runCliInProcess(["batch", "collect", "--run", runId, "--db", database], env());
    assert.equal(ended.code, 0, ended.stdout + ended.stderr);
    assert.match(ended.stdout, /: ended, 3 answered; kept for the run/);
    assert.match(ended.stdout, new RegExp(`resume with: orch run .*pipeline\\.yaml --resume ${runId}`));
    const afterCollect = await runCliInProcess(["batch", "status", "--db", database], env());
    assert.match(afterCollect.stdout, /ended · submitted \d+s ago · 3 calls: 3 answered, not yet recorded/);
    assert.equal(callRows(directory).length, 0, "collect records no call: the run does");

    const vendorRequests = server.requests.length;
    const resumed = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--json", "--resume"], env());
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.equal(server.requests.length, vendorRequests, "the resumed run asked the vendor nothing");
    assert.ok(jsonEvents(resumed.stdout).some((event) => event.type === "batch" && event.phase === "collecting" && /taking the answer kept from batch/.test(event.detail)));
    assert.deepEqual(callRows(directory).map((call) => [call.item_index, call.status, call.cost_usd]), [
      [0, "succeeded", 0.00001375],
      [1, "succeeded", 0.00001375],
      [2, "succeeded", 0.00001375],
    ]);
    const ledger = openDatabase(directory);
    try {
      const settled = ledger.prepare("SELECT COALESCE(SUM(settled_nano_usd), 0) AS nano FROM budget_reservations WHERE status = 'settled'").get() as { nano: number };
      assert.equal(settled.nano, 3 * 13_750);
    } finally {
      ledger.close();
    }
    const done = await runCliInProcess(["batch", "status", "--db", database], env());
    assert.match(done.stdout, /ended · submitted \d+s ago · 3 calls: 3 collected/);
  });
});
