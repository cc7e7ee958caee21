/**
 * `orch batch status` and `orch batch collect` against the fake server, through the OpenAI and
 * Gemini SDKs: a run killed while its batch waits leaves a pending batch; `status` lists it;
 * `collect` asks the vendor (still running, then ended) and keeps the answers; `--resume` then
 * records them without one more request to the vendor, and each call is paid once (figures worked
 * out in support/batch-vendors.ts: 13,750 nano-dollars a call on OpenAI, 2,950 on Gemini).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { callRows, jsonEvents } from "../executor/support/run-project.js";
import { BatchProject, geminiVendor, openAiVendor, scriptModel, useFakeServer } from "./support/batch-vendors.js";

describe("orch batch status and collect", () => {
  const fake = useFakeServer();

  it("says so when there is no batch, and refuses an unknown action", async () => {
    const project = new BatchProject(openAiVendor, fake.server);
    const status = await project.command(["batch", "status"]);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(status.stdout.trim(), `no batches in ${project.database}`);
    const wrong = await project.command(["batch", "fetch"]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /unknown action "fetch": status or collect/);
  });

  for (const vendor of [openAiVendor, geminiVendor]) {
    it(`${vendor.name}: a killed run's batch: status lists it, collect keeps its answers, --resume records them with no vendor request, paid once`, async () => {
      // Polls 1 and 2 answer "in progress" (the killed run's one, collect's first); the third sees it ended.
      scriptModel(fake.server, vendor, { batch: { polls: 2 } });
      const project = new BatchProject(vendor, fake.server);
      // One poll, then a minute's wait: the kill lands before a second.
      const { killed } = await project.runKilledAtFirstPoll(60_000);
      assert.ok(killed);
      const [{ id: runId }] = project.rows("SELECT id FROM runs") as [{ id: string }];
      const batchId = vendor.batchId.source.slice(1, -1);

      const pending = await project.command(["batch", "status", "--json"]);
      assert.equal(pending.code, 0, pending.stderr);
      const [job] = JSON.parse(pending.stdout) as Array<Record<string, unknown>>;
      assert.match(String(job?.["vendorBatchId"]), vendor.batchId);
      assert.deepEqual({ ...job, batchJobId: undefined, vendorBatchId: undefined, submittedAt: undefined, deadlineAt: undefined, ageSeconds: undefined, pipelinePath: undefined, policyPath: undefined }, {
        batchJobId: undefined, vendorBatchId: undefined, submittedAt: undefined, deadlineAt: undefined, ageSeconds: undefined, pipelinePath: undefined, policyPath: undefined,
        runId, provider: vendor.name, status: "pending", calls: 3, waiting: 3, answered: 0, collected: 0, fallenBack: 0,
      });
      const text = await project.command(["batch", "status"]);
      assert.match(text.stdout, new RegExp(`${batchId}  pending · submitted \\d+s ago, deadline in (1d|23h\\d+m) · 3 calls: 3 waiting · run ${runId}`));

      const stillRunning = await project.command(["batch", "collect"]);
      assert.equal(stillRunning.code, 0, stillRunning.stdout + stillRunning.stderr);
      assert.match(stillRunning.stdout, new RegExp(`${batchId} \\(${vendor.name}, run .+\\): still running, 0 of 3 answered`));

      const ended = await project.command(["batch", "collect", "--run", runId]);
      assert.equal(ended.code, 0, ended.stdout + ended.stderr);
      assert.match(ended.stdout, /: ended, 3 answered; kept for the run/);
      assert.match(ended.stdout, new RegExp(`resume with: orch run .*pipeline\\.yaml --resume ${runId}`));
      const afterCollect = await project.command(["batch", "status"]);
      assert.match(afterCollect.stdout, /ended · submitted \d+s ago · 3 calls: 3 answered, not yet recorded/);
      assert.equal(callRows(project.directory).length, 0, "collect records no call: the run does");

      const vendorRequests = fake.server.requests.length;
      const resumed = await project.run(["--resume"]);
      assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
      assert.equal(fake.server.requests.length, vendorRequests, "the resumed run asked the vendor nothing");
      assert.ok(jsonEvents(resumed.stdout).some((event) => event.type === "batch" && event.phase === "collecting" && /taking the answer kept from batch/.test(event.detail)));
      assert.deepEqual(callRows(project.directory).map((call) => [call.item_index, call.status, Math.round(call.cost_usd * 1e9)]), [
        [0, "succeeded", vendor.batchNano],
        [1, "succeeded", vendor.batchNano],
        [2, "succeeded", vendor.batchNano],
      ]);
      assert.equal(project.settledNano(), 3 * vendor.batchNano);
      const done = await project.command(["batch", "status"]);
      assert.match(done.stdout, /ended · submitted \d+s ago · 3 calls: 3 collected/);
    });
  }
});
