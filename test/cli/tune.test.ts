import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { openStore } from "../../src/store/index.js";
import { runCliInProcess, temporaryDirectory } from "../support/cli.js";

/**
 * Eight recorded requests (items of one step): on the even ones cheap ($0.001) was accepted; on the
 * odd ones it was rejected, then mid ($0.01) was accepted.
 */
function seededDatabase(items = 8): string {
  const db = path.join(temporaryDirectory(), "orch.db");
  const store = openStore(db);
  const ids = store.runs.createRun({ id: "r1", pipelineName: "p", pipelinePath: "/p.yaml", inputs: {}, startedAt: new Date().toISOString(), processId: 1 }, ["gen"]);
  const at = new Date().toISOString();
  let attempt = 0;
  const call = (item: number, model: string, costUsd: number, accepted: boolean) => {
    const id = store.runs.recordCall({
      runId: "r1", stepExecutionId: ids.get("gen")!, step: "gen", attempt: ++attempt, itemIndex: item, pipelineName: "p", task: "code",
      provider: "openai", providerType: "openai", model, promptSha256: "x", status: "succeeded", inputTokens: 10, outputTokens: 10,
      cachedInputTokens: 0, reasoningTokens: 0, costUsd, latencyMs: 100, synthetic: false, startedAt: at, finishedAt: at,
    });
    if (!accepted) store.executions.markCallRejected(id, "tests failed");
    store.executions.recordVerdict(id, accepted ? "accepted" : "rejected", at, undefined);
  };
  for (let item = 0; item < items; item++) {
    call(item, "cheap", 0.001, item % 2 === 0);
    if (item % 2 === 1) call(item, "mid", 0.01, true);
  }
  store.close();
  return db;
}

describe("orch tune", () => {
  it("finds the cheapest chain reaching what was recorded, checks it on held-out requests, prints a snippet", async () => {
    const db = seededDatabase();
    const { code, stdout, stderr } = await runCliInProcess(["tune", "--db", db, "--json"]);
    assert.equal(code, 0, stderr);
    const summary = JSON.parse(stdout);
    // Items 3 and 7 are held out. Training: items 0, 1, 2, 4, 5, 6, all accepted as recorded, so the
    // target is 100%. cheap alone passes 4 of 6; mid alone passes 2 for sure and the 4 others at
    // an estimate below 1; cheap → mid passes all 6, exactly, for 6 × $0.001 + 2 × $0.01 = $0.026.
    assert.deepEqual(summary.chain, ["openai:cheap", "openai:mid"]);
    assert.equal(summary.targetPassRate, 1);
    assert.equal(summary.training.tuned.passRate, 1);
    assert.ok(Math.abs(summary.training.tuned.costUsd - 0.026) < 1e-12);
    assert.equal(summary.training.tuned.exactUnits, 6);
    assert.equal(summary.validation.tuned.units, 2);
    assert.ok(Math.abs(summary.validation.tuned.costUsd - 0.022) < 1e-12);

    const text = await runCliInProcess(["tune", "--db", db]);
    assert.match(text.stdout, /openai:cheap → openai:mid/);
    assert.match(text.stdout, /    use: \[openai:cheap, openai:mid\]/);
  });

  it("needs a few recorded requests, and says how to get them", async () => {
    const { code, stderr } = await runCliInProcess(["tune", "--db", seededDatabase(2)]);
    assert.equal(code, 2);
    assert.match(stderr, /2 recorded requests with a verdict since 30d; at least 4 are needed/);
    assert.match(stderr, /run pipelines first, or widen --since/);
  });

  it("refuses a target that is not a rate", async () => {
    const { code, stderr } = await runCliInProcess(["tune", "--db", seededDatabase(), "--target-pass-rate", "80"]);
    assert.equal(code, 2);
    assert.match(stderr, /--target-pass-rate: "80" is not a rate/);
  });
});
