/**
 * An answer that comes back without token counts (no `usage`, no `usageMetadata`) is not billed
 * $0: its call is charged its reservation's worst case — the most the call could have cost, the
 * figure the budget already held for it — and the run says so with a `usage-missing` event naming
 * the call. The same for each vendor's batch API, for a batch answer kept and taken by a resumed
 * run, and for an ordinary call. Figures are worked out by hand in support/batch-vendors.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RunEvent } from "../../src/executor/events.js";
import { callRows, jsonEvents, openReservations } from "../executor/support/run-project.js";
import { BatchProject, batchPipeline, batchVendors, geminiVendor, openAiVendor, scriptModel, useFakeServer, usdOf } from "./support/batch-vendors.js";

type UsageMissing = Extract<RunEvent, { type: "usage-missing" }>;

function usageMissingEvents(stdout: string): UsageMissing[] {
  return jsonEvents(stdout).flatMap((event) => (event.type === "usage-missing" ? [event] : []));
}

function runCostNano(stdout: string): number {
  const end = jsonEvents(stdout).find((event) => event.type === "run-end");
  return Math.round((end?.type === "run-end" ? end.totals.costUsd : Number.NaN) * 1e9);
}

describe("an answer without token counts is charged its worst case, and the run says so", () => {
  const fake = useFakeServer();

  for (const vendor of batchVendors) {
    it(`${vendor.name}: each call of a batch answered without usage costs its batch reservation`, async () => {
      scriptModel(fake.server, vendor, { usage: { omitted: true }, batch: { polls: 1 } });
      const project = new BatchProject(vendor, fake.server);
      const result = await project.run();
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.equal(fake.server.requests.filter(vendor.createsBatch).length, 1);
      assert.equal(fake.server.requests.filter(vendor.callsSynchronously).length, 0);

      assert.deepEqual(callRows(project.directory).map((call) => [call.item_index, call.status, Math.round(call.cost_usd * 1e9)]), [
        [0, "succeeded", vendor.batchWorstNano],
        [1, "succeeded", vendor.batchWorstNano],
        [2, "succeeded", vendor.batchWorstNano],
      ]);
      assert.equal(project.settledNano(), 3 * vendor.batchWorstNano);
      assert.equal(runCostNano(result.stdout), 3 * vendor.batchWorstNano);
      const missing = usageMissingEvents(result.stdout);
      assert.deepEqual(missing.map((event) => [event.step, event.item, event.attempt, event.provider, event.model, event.chargedUsd]).sort(), [
        ["review", 0, 1, vendor.name, vendor.model, usdOf(vendor.batchWorstNano)],
        ["review", 1, 1, vendor.name, vendor.model, usdOf(vendor.batchWorstNano)],
        ["review", 2, 1, vendor.name, vendor.model, usdOf(vendor.batchWorstNano)],
      ]);
      assert.ok(missing.every((event) => vendor.batchId.test(event.batchId ?? "")), JSON.stringify(missing));
      // At the worst case the reservation holds: not an overrun.
      assert.equal(jsonEvents(result.stdout).filter((event) => event.type === "budget-overrun").length, 0);
      assert.equal(openReservations(project.directory), 0);
    });
  }

  it("the run's lines name the call and what it was charged", async () => {
    scriptModel(fake.server, openAiVendor, { usage: { omitted: true } });
    const project = new BatchProject(openAiVendor, fake.server, { pipeline: batchPipeline({ items: ["1"] }) });
    const lines = await project.run(["--lines"]);
    assert.equal(lines.code, 0, lines.stdout + lines.stderr);
    // 527,500 nano-dollars: $0.0005275, shown to four decimals as money under a tenth of a dollar is.
    assert.match(lines.stdout, /! review\s+\[item 0\] openai:gpt-4\.1-mini \(batch batch_[0-9a-f]+\) answered without token counts: charged its worst case \$0\.0005 \(its reservation\)/);
  });

  it("a synchronous call answered without usage costs its full reservation", async () => {
    scriptModel(fake.server, openAiVendor, { usage: { omitted: true } });
    const project = new BatchProject(openAiVendor, fake.server, { pipeline: batchPipeline({ batch: "", items: ["1"] }) });
    const result = await project.run();
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(fake.server.requests.filter(openAiVendor.callsSynchronously).length, 1);
    assert.deepEqual(callRows(project.directory).map((call) => Math.round(call.cost_usd * 1e9)), [openAiVendor.syncWorstNano]);
    assert.equal(project.settledNano(), openAiVendor.syncWorstNano);
    assert.deepEqual(usageMissingEvents(result.stdout).map((event) => [event.item, event.chargedUsd, event.batchId]), [[0, usdOf(openAiVendor.syncWorstNano), undefined]]);
  });

  it("an answer kept by orch batch collect and taken by --resume is charged the same worst case, once", async () => {
    // Poll 1 (the killed run's) and 2 (collect's first) answer "running"; the third sees it ended.
    scriptModel(fake.server, geminiVendor, { usage: { omitted: true }, batch: { polls: 2 } });
    const project = new BatchProject(geminiVendor, fake.server);
    const { killed } = await project.runKilledAtFirstPoll(60_000);
    assert.ok(killed);
    assert.equal((await project.command(["batch", "collect"])).code, 0);
    const ended = await project.command(["batch", "collect"]);
    assert.match(ended.stdout, /: ended, 3 answered; kept for the run/);

    const vendorRequests = fake.server.requests.length;
    const resumed = await project.run(["--resume"]);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.equal(fake.server.requests.length, vendorRequests, "the resumed run asked the vendor nothing");
    assert.equal(usageMissingEvents(resumed.stdout).length, 3);
    assert.equal(project.settledNano(), 3 * geminiVendor.batchWorstNano);
  });
});
