/**
 * `orch run` with `batch: true`, for each vendor orch drives a batch API for (OpenAI's files and
 * batches, Anthropic's messages.batches, Gemini's batchGenerateContent), through their real SDKs
 * against the fake server: three items go up as one batch, are collected after the scripted polls
 * and are billed at half the price; an expired batch falls back to ordinary calls at the full
 * price, under the same budget rules; a run killed while its batch waits is collected by
 * `--resume` and paid once. Then OpenAI alone: the step's concurrency, `--record` and replay,
 * `orch plan`, the step's deadline. Every figure is worked out by hand in support/batch-vendors.ts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runCliInProcess } from "../support/cli.js";
import { callRows, jsonEvents, openReservations, runPaths } from "../executor/support/run-project.js";
import { BatchProject, batchPipeline, batchVendors, openAiVendor, scriptModel, useFakeServer, usdOf, type BatchVendor, type SentRequest } from "./support/batch-vendors.js";

/** Each vendor's requests for one batch of three, polled `polls + 1` times, with ids replaced by ID. */
const expectedRequests: Record<BatchVendor["name"], (polls: number) => string[]> = {
  openai: (polls) => ["POST /v1/files", "POST /v1/batches", ...Array(polls + 1).fill("GET /v1/batches/batch_ID"), "GET /v1/files/file-ID/content"],
  // The SDK's `results` retrieves the batch once more (for its results_url) before reading them.
  anthropic: (polls) => ["POST /v1/messages/batches", ...Array(polls + 2).fill("GET /v1/messages/batches/msgbatch_ID"), "GET /v1/messages/batches/msgbatch_ID/results"],
  gemini: (polls) => ["POST /v1beta/models/gemini-2.5-flash:batchGenerateContent", ...Array(polls + 1).fill("GET /v1beta/batches/ID")],
};

/** The fake's ids are 24 hex digits (after `batch_`, `msgbatch_`, `file-`, `batches/`). */
function withoutIds(request: SentRequest): string {
  return `${request.method} ${request.path.replace(/[0-9a-f]{24}/g, "ID")}`;
}

/** How many calls the request that created the batch carried, in the vendor's own shape. */
function callsSent(vendor: BatchVendor, body: unknown): number {
  if (vendor.name === "openai") {
    assert.match(String(body), /"url":"\/v1\/chat\/completions"/);
    return (String(body).match(/"custom_id"/g) ?? []).length;
  }
  if (vendor.name === "anthropic") return (body as { requests: unknown[] }).requests.length;
  const inlined = (body as { batch: { inputConfig: { requests: { requests: Array<{ metadata: { key: string } }> } } } }).batch.inputConfig.requests.requests;
  assert.ok(inlined.every((request) => /^orch-[0-9a-f]{24}-\d+$/.test(request.metadata.key)), "each call carries its custom id as its key");
  return inlined.length;
}

describe("orch run with batch: true", () => {
  const fake = useFakeServer();

  for (const vendor of batchVendors) {
    describe(vendor.name, () => {
      it("submits the items as one batch, waits with progress, and bills each call at half the price", async () => {
        scriptModel(fake.server, vendor, { batch: { polls: 2 } });
        const project = new BatchProject(vendor, fake.server);
        const result = await project.run();
        assert.equal(result.code, 0, result.stdout + result.stderr);

        assert.deepEqual(fake.server.requests.map(withoutIds), expectedRequests[vendor.name](2));
        assert.equal(callsSent(vendor, fake.server.requests[0]?.body), 3);
        assert.deepEqual(callRows(project.directory).map((call) => [call.item_index, call.status, Math.round(call.cost_usd * 1e9)]), [
          [0, "succeeded", vendor.batchNano],
          [1, "succeeded", vendor.batchNano],
          [2, "succeeded", vendor.batchNano],
        ]);
        assert.equal(project.settledNano(), 3 * vendor.batchNano);
        const events = jsonEvents(result.stdout);
        assert.deepEqual(events.flatMap((event) => (event.type === "attempt-start" ? [event.reservedUsd] : [])), Array(3).fill(usdOf(vendor.batchWorstNano)));
        const batchEvents = events.flatMap((event) => (event.type === "batch" ? [event] : []));
        assert.deepEqual(batchEvents.filter((event) => event.phase === "submitted").map((event) => [event.provider, event.detail]), Array(3).fill([vendor.name, "3 call(s) in one batch at 50% of the price; answers wait up to 24h"]));
        assert.ok(batchEvents.some((event) => event.phase === "progress"));
        assert.deepEqual(project.rows("SELECT status FROM batch_jobs"), [{ status: "ended" }]);
        assert.deepEqual(project.rows("SELECT status, COUNT(*) AS calls FROM batch_calls GROUP BY status"), [{ status: "collected", calls: 3 }]);
        assert.equal(openReservations(project.directory), 0);
      });

      it("falls back to ordinary calls at the full price when the batch expires", async () => {
        scriptModel(fake.server, vendor, { batch: { outcome: "expire" } });
        const project = new BatchProject(vendor, fake.server, { pipeline: batchPipeline({ batch: "batch: { deadline: 2h }" }) });
        const result = await project.run();
        assert.equal(result.code, 0, result.stdout + result.stderr);
        assert.equal(fake.server.requests.filter(vendor.callsSynchronously).length, 3);
        assert.deepEqual(callRows(project.directory).map((call) => [call.item_index, call.attempt, Math.round(call.cost_usd * 1e9)]), [
          [0, 1, vendor.syncNano],
          [1, 1, vendor.syncNano],
          [2, 1, vendor.syncNano],
        ]);
        assert.equal(project.settledNano(), 3 * vendor.syncNano);
        const events = jsonEvents(result.stdout);
        // Each item: the batch's half reservation (released), then the full one of the ordinary call.
        const reserved = events.flatMap((event) => (event.type === "attempt-start" ? [Math.round(event.reservedUsd * 1e9)] : []));
        assert.deepEqual(reserved.sort(), [...Array(3).fill(vendor.batchWorstNano), ...Array(3).fill(vendor.syncWorstNano)].sort());
        const fallbacks = events.flatMap((event) => (event.type === "batch" && event.phase === "fallback" ? [event.detail] : []));
        assert.equal(fallbacks.length, 3);
        assert.match(fallbacks[0]!, /the batch expired before answering; calling synchronously at the full price/);
        assert.equal(openReservations(project.directory), 0);
      });

      it("a fallback is held to the budget: with room for the half-price batch but not a full-price call, nothing is called", async () => {
        scriptModel(fake.server, vendor, { batch: { outcome: "expire" } });
        // Halfway between one batch reservation and one synchronous worst case.
        const budgetUsd = usdOf((vendor.batchWorstNano + vendor.syncWorstNano) / 2);
        const project = new BatchProject(vendor, fake.server, { pipeline: batchPipeline({ items: ["1"], concurrency: 1 }), budget: `budget: { run_usd: ${budgetUsd} }\n` });
        const result = await project.run();
        assert.equal(result.code, 3, result.stdout + result.stderr);
        assert.equal(fake.server.requests.filter(vendor.createsBatch).length, 1);
        assert.equal(fake.server.requests.filter(vendor.callsSynchronously).length, 0);
        assert.equal(openReservations(project.directory), 0);
      });

      it("a run killed while its batch waits is collected by --resume, and each call is paid once", async () => {
        scriptModel(fake.server, vendor, { batch: { polls: 15 } });
        const project = new BatchProject(vendor, fake.server);
        const first = await project.runKilledAtFirstPoll(50);
        assert.ok(first.killed, first.result.stdout + first.result.stderr);
        assert.equal(callRows(project.directory).length, 0, "nothing was collected before the kill");

        const resumed = await project.resume();
        assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
        assert.equal(fake.server.requests.filter(vendor.createsBatch).length, 1, "one batch was submitted");
        assert.equal(fake.server.requests.filter(vendor.callsSynchronously).length, 0);
        assert.ok(jsonEvents(resumed.stdout).some((event) => event.type === "batch" && event.phase === "collecting"));
        assert.deepEqual(callRows(project.directory).map((call) => [call.item_index, call.status, Math.round(call.cost_usd * 1e9)]), [
          [0, "succeeded", vendor.batchNano],
          [1, "succeeded", vendor.batchNano],
          [2, "succeeded", vendor.batchNano],
        ]);
        assert.equal(project.settledNano(), 3 * vendor.batchNano);
      });
    });
  }

  describe("openai", () => {
    it("items that can wait go up together, whatever the step's concurrency; a fallback is held to it again", async () => {
      // The batch expires: every item then calls synchronously, each answer taking 50 ms.
      scriptModel(fake.server, openAiVendor, { latencyMs: 50, batch: { outcome: "expire" } });
      const project = new BatchProject(openAiVendor, fake.server, { pipeline: batchPipeline({ concurrency: 2, items: ["1", "2", "3", "4", "5", "6"] }) });
      const result = await project.run();
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.equal(fake.server.requests.filter(openAiVendor.createsBatch).length, 1, "one batch for the six items");
      assert.equal(callsSent(openAiVendor, fake.server.requests[0]?.body), 6);
      assert.equal(fake.server.requests.filter(openAiVendor.callsSynchronously).length, 6);
      assert.equal(fake.server.peakInFlight, 2, "the synchronous fallbacks ran two at a time, as the step's concurrency says");
    });

    it("--record keeps a batch's answers at their batch cost, and a replay answers the step with no call", async () => {
      scriptModel(fake.server, openAiVendor, { batch: { polls: 1 } });
      const replayPolicy = `version: 1
providers:
  openai: { type: replay, file: recording.jsonl }
models:
  mini: { model: "openai:${openAiVendor.model}", prices: { input: 2.5, output: 10 } }
tiers: { economy: [mini], standard: [mini], premium: [mini] }
`;
      const project = new BatchProject(openAiVendor, fake.server, { extra: { "replay.yaml": replayPolicy } });
      const recording = path.join(project.directory, "recording.jsonl");
      const recorded = await project.run(["--record", recording]);
      assert.equal(recorded.code, 0, recorded.stdout + recorded.stderr);
      const lines = readFileSync(recording, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { model: string; response: { text: string; costUsd: number } });
      assert.deepEqual(lines.map((line) => [line.model, line.response.text, line.response.costUsd]), Array(3).fill([openAiVendor.model, "Looks fine.", usdOf(openAiVendor.batchNano)]));

      const vendorRequests = fake.server.requests.length;
      const replayed = await runCliInProcess(["run", path.join(project.directory, "pipeline.yaml"), ...runPaths(project.directory), "--json", "--policy", path.join(project.directory, "replay.yaml"), "--no-cache"], {});
      assert.equal(replayed.code, 0, replayed.stdout + replayed.stderr);
      assert.equal(fake.server.requests.length, vendorRequests, "a replay calls no vendor");
      const replayRun = (jsonEvents(replayed.stdout).find((event) => event.type === "run-start") as { runId: string }).runId;
      assert.deepEqual(callRows(project.directory, "run_id = ?", replayRun).map((call) => [call.item_index, call.status, Math.round(call.cost_usd * 1e9)]), [
        [0, "succeeded", openAiVendor.batchNano],
        [1, "succeeded", openAiVendor.batchNano],
        [2, "succeeded", openAiVendor.batchNano],
      ]);
    });

    it("orch plan prices a batch step at half and its route says why", async () => {
      fake.server.reset();
      const project = new BatchProject(openAiVendor, fake.server);
      const result = await project.command(["plan", path.join(project.directory, "pipeline.yaml"), "--json"]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const notes = JSON.stringify(JSON.parse(result.stdout));
      // Each item's worst case at batch prices: the 0.0005275 a run reserves, rounded for display.
      assert.match(notes, /"reason":"kept: \$0\.000011–\$0\.0005 in a batch \(50% of the price: the step can wait\)"/);
      assert.equal(fake.server.requests.filter((request) => request.path.startsWith("/v1/batches")).length, 0, "planning submits nothing");
    });

    it("falls back to an ordinary call when the batch is still running at the step's deadline", async () => {
      scriptModel(fake.server, openAiVendor, { batch: { polls: 1000 } });
      const project = new BatchProject(openAiVendor, fake.server, { pipeline: batchPipeline({ batch: "batch: { deadline: 1s }", items: ["1"] }) });
      const result = await project.run();
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const fallback = jsonEvents(result.stdout).find((event) => event.type === "batch" && event.phase === "fallback");
      assert.match(fallback?.type === "batch" ? fallback.detail : "", /the step's batch deadline passed before the batch ended; calling synchronously/);
      assert.deepEqual(callRows(project.directory).map((call) => Math.round(call.cost_usd * 1e9)), [openAiVendor.syncNano]);
      assert.deepEqual(project.rows("SELECT status FROM batch_jobs"), [{ status: "abandoned" }]);
      assert.deepEqual(project.rows("SELECT status FROM batch_calls"), [{ status: "fallen-back" }]);
    });
  });
});
